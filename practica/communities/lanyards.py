"""The lanyard: a member's name with their stage and profession in one community.

Pages load lanyards for everyone they show in one query (`attach_lanyards`), then render
`components/lanyard.html` for each.

What someone wrote (posts, revisions, comments) keeps the lanyard they wore when they
wrote it: `WrittenLanyard` stores the stage and profession at write time, so a learner's
first question still says "Learner" after they become a full member. Pages read those
two columns with the row; today's stage comes from the same one query as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString

from practica.communities.models import Community, Membership
from practica.communities.stages import Stage


class WrittenLanyard(models.Model):
    """The author's stage and profession when they wrote this row; null on rows older
    than the columns that no history could date (pages then show today's lanyard)."""

    written_stage = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    written_profession = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        abstract = True

    def stamp_lanyard(self, user, community: Community) -> None:
        """Record `user`'s lanyard in `community` as it is now; call before saving.

        Reads the memberships the capability gate already loaded, so no query is added.
        """
        from practica.communities.capabilities import memberships_of

        if user is None:
            return
        membership = memberships_of(user).get(community.pk)
        active = membership is not None and not membership.suspended
        self.written_stage = membership.stage if active else Stage.VISITOR
        self.written_profession = user.profession or ""


@dataclass(frozen=True)
class Lanyard:
    name: str
    username: str
    url: str
    profession: str
    stage: int
    stage_label: str
    suspended: bool = False
    # Set when the lanyard is the one worn at writing and today's stage differs.
    current_stage_label: str = ""

    @property
    def initial(self) -> str:
        return (self.name[:1] or "?").upper()

    @property
    def is_member(self) -> bool:
        return self.stage >= Stage.PERIPHERAL

    def as_written(self, community: Community | None, stage: int, profession: str) -> Lanyard:
        """This person's lanyard as it was when they wrote something (stored on the row)."""
        from practica.people.models import Profession

        label = community.stage_label(stage) if community and stage else ""
        return replace(
            self,
            stage=stage,
            stage_label=label,
            profession=Profession(profession).label
            if profession in Profession.values
            else self.profession,
            current_stage_label=self.stage_label if self.stage_label != label else "",
        )


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
    """Set `obj.lanyard` on each object from its `user_attr` user; returns the objects.

    Objects that stored the lanyard at writing (`WrittenLanyard`) show that one, with
    today's stage kept for the hover text.
    """
    objects = list(objects)
    users = [getattr(obj, user_attr) for obj in objects]
    lanyards = lanyards_for(community, users)
    for obj, person in zip(objects, users, strict=True):
        lanyard = lanyards.get(person.pk) if person is not None else None
        written = getattr(obj, "written_stage", None)
        if lanyard is not None and written is not None:
            lanyard = lanyard.as_written(community, written, obj.written_profession)
        obj.lanyard = lanyard
    return objects


def render_lanyard(
    lanyard: Lanyard | None, *, compact: bool = False, linked: bool = True
) -> SafeString:
    """The lanyard's HTML, built in Python: pages show dozens, and an include each is slow.

    linked=False gives the name without its profile link, for places where a link cannot
    go (a <summary>, which is itself the control that opens its <details>).
    """
    if lanyard is None:
        return format_html(
            '<span class="lanyard"><span class="who">{}</span></span>', "A former member"
        )
    if lanyard.current_stage_label:
        stage = format_html(
            '<span class="stage stage-{}" title="{} when this was written; {} now">{}'
            '<span class="visually-hidden"> when this was written, {} now</span></span>',
            lanyard.stage,
            lanyard.stage_label,
            lanyard.current_stage_label,
            lanyard.stage_label,
            lanyard.current_stage_label,
        )
    elif lanyard.stage_label:
        stage = format_html(
            '<span class="stage stage-{}" title="Stage in this community">{}</span>',
            lanyard.stage,
            lanyard.stage_label,
        )
    else:
        stage = ""
    profession = (
        "" if compact else format_html('<span class="profession">{}</span>', lanyard.profession)
    )
    if not linked:
        return format_html(
            '<span class="lanyard"><span class="who">{}</span>{}{}</span>',
            lanyard.name,
            stage,
            profession,
        )
    return format_html(
        '<span class="lanyard"><a class="who" href="{}">{}</a>{}{}</span>',
        lanyard.url,
        lanyard.name,
        stage,
        profession,
    )


def fill_written_lanyards(model, *, user_field: str, community_field: str) -> int:
    """Fill `written_stage`/`written_profession` on rows of `model` that lack them.

    The stage is read from each author's stage history at the row's `created_at` (the
    last change before it, else the stage they had before their first later change, else
    today's); the profession is today's, as no history of it is kept. One UPDATE per
    community. Works with a migration's historical model as well as the real one.
    `community_field` is the lookup from `model` to the community id, e.g.
    "thread__community_id".
    """
    from django.conf import settings
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    apps = model._meta.apps
    stage_changes = apps.get_model("communities", "StageChange").objects
    memberships = apps.get_model("communities", "Membership").objects
    users = apps.get_model(settings.AUTH_USER_MODEL).objects
    user_id = f"{user_field}_id"
    filled = 0
    for community_id in apps.get_model("communities", "Community").objects.values_list(
        "pk", flat=True
    ):
        changes = stage_changes.filter(
            membership__community_id=community_id, membership__user_id=OuterRef(user_id)
        )
        stage = Coalesce(
            Subquery(
                changes.filter(created_at__lte=OuterRef("created_at"))
                .order_by("-created_at", "-pk")
                .values("to_stage")[:1]
            ),
            Subquery(
                changes.filter(
                    created_at__gt=OuterRef("created_at"), from_stage__gte=Stage.PERIPHERAL
                )
                .order_by("created_at", "pk")
                .values("from_stage")[:1]
            ),
            Subquery(
                memberships.filter(community_id=community_id, user_id=OuterRef(user_id)).values(
                    "stage"
                )[:1]
            ),
        )
        filled += model.objects.filter(
            **{community_field: community_id, "written_stage__isnull": True},
            **{f"{user_field}__isnull": False},
        ).update(
            written_stage=stage,
            written_profession=Coalesce(
                Subquery(users.filter(pk=OuterRef(user_id)).values("profession")[:1]), Value("")
            ),
        )
    return filled


# Every model that keeps the lanyard at writing: (app, model, user field, community lookup).
WRITTEN_LANYARD_MODELS = [
    ("conversations", "Post", "author", "thread__community_id"),
    ("conversations", "PostRevision", "editor", "post__thread__community_id"),
    ("conversations", "StagingComment", "author", "thread__community_id"),
    ("library", "Revision", "author", "article__community_id"),
    ("library", "ArticleComment", "author", "article__community_id"),
    ("evidence", "EvidenceRevision", "author", "summary__community_id"),
]


def fill_all_written_lanyards(apps=None, app_label: str | None = None) -> int:
    """`fill_written_lanyards` for every model in WRITTEN_LANYARD_MODELS (of one app)."""
    from django.apps import apps as live_apps

    apps = apps or live_apps
    return sum(
        fill_written_lanyards(
            apps.get_model(app, name), user_field=user_field, community_field=community
        )
        for app, name, user_field, community in WRITTEN_LANYARD_MODELS
        if app_label in (None, app)
    )
