"""The lanyard: a member's name with their stage and profession in one community.

Pages load lanyards for everyone they show in one query (`attach_lanyards`), then render
`components/lanyard.html` for each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString

from practica.communities.models import Community, Membership
from practica.communities.stages import Stage


@dataclass(frozen=True)
class Lanyard:
    name: str
    username: str
    url: str
    profession: str
    stage: int
    stage_label: str
    suspended: bool = False

    @property
    def initial(self) -> str:
        return (self.name[:1] or "?").upper()

    @property
    def is_member(self) -> bool:
        return self.stage >= Stage.PERIPHERAL


def lanyards_for(community: Community | None, users: Iterable) -> dict[int, Lanyard]:
    """Lanyards keyed by user id, for `users` in `community`, in one query."""
    people = {u.pk: u for u in users if u is not None}
    stages: dict[int, tuple[int, bool]] = {}
    if community is not None and people:
        stages = {
            user_id: (stage, suspended)
            for user_id, stage, suspended in Membership.objects.filter(
                community=community, user_id__in=people
            ).values_list("user_id", "stage", "suspended")
        }
    lanyards = {}
    for pk, person in people.items():
        stage, suspended = stages.get(pk, (Stage.VISITOR, False))
        lanyards[pk] = Lanyard(
            name=person.name,
            username=person.username,
            url=person.get_absolute_url(),
            profession=person.get_profession_display(),
            stage=stage,
            stage_label=community.stage_label(stage) if community and stage else "",
            suspended=suspended,
        )
    return lanyards


def attach_lanyards(community: Community | None, objects: Iterable, user_attr: str = "author"):
    """Set `obj.lanyard` on each object from its `user_attr` user; returns the objects."""
    objects = list(objects)
    users = [getattr(obj, user_attr) for obj in objects]
    lanyards = lanyards_for(community, users)
    for obj, person in zip(objects, users, strict=True):
        obj.lanyard = lanyards.get(person.pk) if person is not None else None
    return objects


def render_lanyard(lanyard: Lanyard | None, *, compact: bool = False) -> SafeString:
    """The lanyard's HTML, built in Python: pages show dozens, and an include each is slow."""
    if lanyard is None:
        return format_html(
            '<span class="lanyard"><span class="who">{}</span></span>', "A former member"
        )
    stage = (
        format_html(
            '<span class="stage stage-{}" title="Stage in this community">{}</span>',
            lanyard.stage,
            lanyard.stage_label,
        )
        if lanyard.stage_label
        else ""
    )
    profession = (
        "" if compact else format_html('<span class="profession">{}</span>', lanyard.profession)
    )
    return format_html(
        '<span class="lanyard"><a class="who" href="{}">{}</a>{}{}</span>',
        lanyard.url,
        lanyard.name,
        stage,
        profession,
    )
