"""Reads shaped for community pages."""

from __future__ import annotations

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from practica.communities.capabilities import memberships_of, visible
from practica.communities.lanyards import attach_lanyards
from practica.communities.models import Community, Invitation, JoinRequest, Membership
from practica.communities.stages import MEMBER_STAGES


def communities_for(user):
    """Every community `user` may see, with member counts, in one query."""
    return visible(user, Community.objects.all(), community_field="").annotate(
        member_count=Count("memberships", filter=Q(memberships__suspended=False))
    )


def communities_for_home(user) -> dict:
    communities = list(
        communities_for(user).select_related("organisation").prefetch_related("topics")
    )
    mine = memberships_of(user)
    for community in communities:
        membership = mine.get(community.pk)
        community.my_stage_label = (
            community.stage_label(membership.stage)
            if membership and not membership.suspended
            else ""
        )
        community.my_suspended = bool(membership and membership.suspended)
    return {"communities": communities}


def members_for_directory(
    community: Community,
    *,
    q: str = "",
    stage: int | None = None,
    profession: str = "",
    include_suspended: bool = False,
):
    """Members listed in the directory, best-known first, with their user in the same query."""
    members = (
        Membership.objects.filter(
            community=community, user__is_active=True, user__show_in_directory=True
        )
        .select_related("user")
        .order_by("-stage", "user__display_name", "user__username")
    )
    if not include_suspended:
        members = members.filter(suspended=False)
    if q:
        members = members.filter(
            Q(user__display_name__icontains=q) | Q(user__username__icontains=q)
        )
    if stage is not None:
        members = members.filter(stage=stage)
    if profession:
        members = members.filter(user__profession=profession)
    return members


FACES_PER_STAGE = 4


def members_by_stage(community: Community) -> list[dict]:
    """For the home page: per member stage, its label, its count and a few lanyards.

    Two queries whatever the size of the community: counts, then the first few members of
    each stage picked with a window function.
    """
    counts = dict(
        community.memberships.filter(suspended=False)
        .values_list("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    first = (
        Membership.objects.filter(community=community, suspended=False)
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F("stage")], order_by=[F("joined_at").asc(), F("pk")]
            )
        )
        .filter(position__lte=FACES_PER_STAGE)
        .select_related("user")
    )
    first = attach_lanyards(community, first, user_attr="user")
    faces: dict[int, list] = {}
    for membership in first:
        faces.setdefault(membership.stage, []).append(membership.lanyard)
    return [
        {
            "stage": int(stage),
            "label": community.stage_label(stage),
            "count": counts.get(int(stage), 0),
            "lanyards": faces.get(int(stage), []),
        }
        for stage in sorted(MEMBER_STAGES, reverse=True)
    ]


def pending_for_stewards(community: Community) -> dict:
    return {
        "pending_requests": JoinRequest.objects.filter(
            community=community, status=JoinRequest.Status.PENDING
        ).count(),
        "open_invitations": Invitation.objects.filter(
            community=community,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).count(),
    }
