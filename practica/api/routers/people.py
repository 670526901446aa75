"""Profiles: the signed-in member and anyone's public profile, as the profile page shows."""

from __future__ import annotations

import datetime

from django.http import Http404
from ninja import Router, Schema

from practica.api.auth import require_member
from practica.api.common import stage_name
from practica.communities.capabilities import visible
from practica.people import querysets
from practica.site import absolute_url

router = Router(tags=["people"])


class MembershipOut(Schema):
    community: str
    community_name: str
    stage: str
    stage_label: str


class ProfileOut(Schema):
    username: str
    name: str
    profession: str
    organisation: str | None
    location: str
    timezone: str
    bio_html: str
    expertise: list[str]
    memberships: list[MembershipOut]
    joined_at: datetime.datetime
    url: str


def _profile_out(request, person) -> dict:
    memberships = visible(
        request.user,
        person.memberships.filter(suspended=False).select_related("community"),
    ).order_by("community__name")
    return {
        "username": person.username,
        "name": person.name,
        "profession": person.profession,
        "organisation": person.organisation.name if person.organisation else None,
        "location": person.location,
        "timezone": person.timezone,
        "bio_html": person.bio_html,
        "expertise": [area.name for area in person.expertise.all()],
        "memberships": [
            {
                "community": m.community.slug,
                "community_name": m.community.name,
                "stage": stage_name(m.stage),
                "stage_label": m.community.stage_label(m.stage),
            }
            for m in memberships
        ],
        "joined_at": person.date_joined,
        "url": absolute_url(person.get_absolute_url()),
    }


@router.get("/me", response=ProfileOut, summary="The signed-in member")
def me(request):
    user = require_member(request)
    person = querysets.profile(user.username).first()
    return _profile_out(request, person)


@router.get("/{username}", response=ProfileOut, summary="A member's profile")
def profile(request, username: str):
    person = querysets.profile(username).first()
    if person is None:
        raise Http404("No such member.")
    return _profile_out(request, person)
