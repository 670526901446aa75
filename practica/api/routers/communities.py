"""Communities: the list, one community, its charter, topics and member directory."""

from __future__ import annotations

import datetime

from ninja import Query, Router, Schema

from practica.api import pagination
from practica.api.auth import require_member, token_community_id
from practica.api.common import community_for, lanyard_out, stage_name
from practica.communities import querysets
from practica.communities.capabilities import (
    Capability,
    can,
    memberships_of,
)
from practica.communities.lanyards import attach_lanyards
from practica.communities.stages import MEMBER_STAGES
from practica.people.models import Profession
from practica.people.visibility import profiles_readable_by
from practica.site import absolute_url

router = Router(tags=["communities"])


class CommunityOut(Schema):
    slug: str
    name: str
    tagline: str
    visibility: str
    join_policy: str
    member_count: int
    my_stage: str | None
    url: str
    created_at: datetime.datetime


class CommunityList(Schema):
    results: list[CommunityOut]
    next: str | None


class StageOut(Schema):
    stage: str
    label: str


class CommunityDetail(CommunityOut):
    organisation: str | None
    stages: list[StageOut]
    my_capabilities: list[str]


class CharterOut(Schema):
    markdown: str
    html: str


class TopicOut(Schema):
    slug: str
    name: str
    description: str


class MemberOut(Schema):
    username: str
    name: str
    profession: str
    stage: str
    stage_label: str
    joined_at: datetime.datetime
    url: str


class MemberList(Schema):
    results: list[MemberOut]
    next: str | None


def _my_stage(user, community) -> str | None:
    membership = memberships_of(user).get(community.pk)
    if membership is None or membership.suspended:
        return None
    return stage_name(membership.stage)


def _community_out(user, community) -> dict:
    return {
        "slug": community.slug,
        "name": community.name,
        "tagline": community.tagline,
        "visibility": community.visibility,
        "join_policy": community.join_policy,
        "member_count": getattr(community, "member_count", 0),
        "my_stage": _my_stage(user, community),
        "url": absolute_url(community.get_absolute_url()),
        "created_at": community.created_at,
    }


@router.get("", response=CommunityList, url_name="community-list", summary="Communities")
def community_list(
    request,
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    """Every community the caller may read, by name."""
    communities = querysets.communities_for(request.user)
    only = token_community_id(request)
    if only:
        communities = communities.filter(pk=only)
    return pagination.page(
        request,
        communities,
        order=("name", "pk"),
        cursor=cursor,
        limit=limit,
        serialize=lambda rows: [_community_out(request.user, c) for c in rows],
    )


@router.get("/{slug}", response=CommunityDetail, url_name="community-detail", summary="A community")
def community_detail(request, slug: str):
    community = community_for(request, slug)
    community.member_count = community.memberships.filter(suspended=False).count()
    mine = [c.value for c in Capability if can(request.user, c, community=community)]
    return {
        **_community_out(request.user, community),
        "organisation": community.organisation.name if community.organisation else None,
        "stages": [
            {"stage": stage_name(s), "label": community.stage_label(s)} for s in MEMBER_STAGES
        ],
        "my_capabilities": mine,
    }


@router.get("/{slug}/charter", response=CharterOut, summary="The domain charter")
def community_charter(request, slug: str):
    community = community_for(request, slug)
    return {"markdown": community.charter, "html": community.charter_html}


@router.get("/{slug}/topics", response=list[TopicOut], summary="The charter's topics")
def community_topics(request, slug: str):
    community = community_for(request, slug)
    return list(community.topics.order_by("name"))


@router.get("/{slug}/members", response=MemberList, url_name="community-members", summary="Members")
def community_members(
    request,
    slug: str,
    stage: str | None = Query(None, description="peripheral, participant, full or steward"),
    profession: str | None = Query(None, description="e.g. nurse, pharmacist"),
    q: str | None = Query(None, max_length=100, description="Part of a name"),
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    """The directory, as the members page shows it: only members listed in the directory.

    Stage and profession are shown as the lanyard does; members who chose not to be
    listed never appear. Like the page, it is for signed-in members unless PUBLIC_PROFILES.
    """
    from practica.api.problems import Problem

    community = community_for(request, slug)
    if not profiles_readable_by(request.user):
        require_member(request)
    stage_value = None
    if stage:
        names = {s.name.lower(): int(s) for s in MEMBER_STAGES}
        if stage not in names:
            raise Problem(
                "validation",
                "Choose a stage: " + ", ".join(names) + ".",
                errors=[{"field": "query.stage", "detail": "Not a stage."}],
            )
        stage_value = names[stage]
    if profession and profession not in Profession.values:
        raise Problem(
            "validation",
            "Choose a profession: " + ", ".join(Profession.values) + ".",
            errors=[{"field": "query.profession", "detail": "Not a profession."}],
        )
    members = querysets.members_for_directory(
        community,
        q=q or "",
        stage=stage_value,
        profession=profession or "",
        include_suspended=False,
    )

    def serialize(rows):
        rows = attach_lanyards(community, rows, user_attr="user")
        return [
            {
                **lanyard_out(m.lanyard),
                "joined_at": m.joined_at,
            }
            for m in rows
        ]

    return pagination.page(
        request,
        members,
        order=("-stage", "pk"),
        cursor=cursor,
        limit=limit,
        serialize=serialize,
    )
