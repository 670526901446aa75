"""`{% lanyard person_lanyard %}`: render a lanyard loaded by `attach_lanyards`/`lanyards_for`."""

from django import template

from practica.communities.lanyards import render_lanyard

register = template.Library()


@register.simple_tag
def lanyard(value, compact: bool = False, linked: bool = True):
    """Takes a Lanyard (or None for a former member); compact=True hides the profession;
    linked=False leaves out the link to the profile (inside a <summary>)."""
    return render_lanyard(value, compact=compact, linked=linked)


@register.filter
def stage_label(community, stage) -> str:
    """`{{ community|stage_label:change.to_stage }}`: the community's own name for a stage."""
    return community.stage_label(stage) if stage is not None else ""
