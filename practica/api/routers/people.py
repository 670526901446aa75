"""Profiles: the signed-in member and anyone's profile, as the profile page shows it.

Profiles are for signed-in members unless PUBLIC_PROFILES, and show another member only
what they chose to show (practica.people.visibility), exactly as the page does.
"""

from __future__ import annotations

import datetime

from django.http import Http404
from ninja import Router, Schema

from practica.api.auth import require_member
from practica.api.common import stage_name
from practica.communities.capabilities import visible
from practica.people import querysets
from practica.people.visibility import profiles_readable_by
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


def _profile_out(request, person, *, is_me: bool) -> dict:
    memberships = visible(
        request.user,
        person.memberships.filter(suspended=False).select_related("community"),
    ).order_by("community__name")
    organisation = person.organisation if is_me else person.shown_organisation
    return {
        "username": person.username,
        "name": person.name,
        "profession": person.profession,
        "organisation": organisation.name if organisation else None,
        "location": person.location if is_me else person.shown_location,
        "timezone": person.timezone if is_me else person.shown_timezone,
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
    return _profile_out(request, person, is_me=True)


@router.get("/{username}", response=ProfileOut, summary="A member's profile")
def profile(request, username: str):
    """A member's profile: for signed-in members (everyone with PUBLIC_PROFILES), showing
    their organisation, location and time zone only where they chose to show them ("" or
    null otherwise)."""
    if not profiles_readable_by(request.user):
        require_member(request)
    person = querysets.profile(username).first()
    if person is None:
        raise Http404("No such member.")
    return _profile_out(request, person, is_me=person == request.user)
