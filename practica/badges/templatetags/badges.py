"""`{% profile_badges person %}`: the badges section of a profile page."""

from django import template

from practica.badges.querysets import shown_on_profile

register = template.Library()


@register.inclusion_tag("badges/_profile_badge_list.html", takes_context=True)
def profile_badges(context, person) -> dict:
    request = context.get("request")
    viewer = getattr(request, "user", None)
    return {
        "person": person,
        "assertions": list(shown_on_profile(person, viewer)),
        "is_me": viewer is not None and viewer.is_authenticated and viewer.pk == person.pk,
    }
