"""Pieces every router shares: finding a community the caller may read, lanyards, links."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict

from practica.api.auth import require_token_community
from practica.communities.capabilities import Capability, CommunityHidden, require
from practica.communities.models import Community
from practica.communities.stages import Stage
from practica.reliability.idempotency import HEADER
from practica.site import absolute_url


class Input(Schema):
    """A request body: unknown fields are refused by name, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class LanyardOut(Schema):
    username: str
    name: str
    profession: str
    stage: str
    stage_label: str
    url: str


def stage_name(stage: int | None) -> str:
    try:
        return Stage(int(stage or 0)).name.lower()
    except ValueError:
        return "visitor"


def lanyard_out(lanyard) -> dict | None:
    if lanyard is None:
        return None
    return {
        "username": lanyard.username,
        "name": lanyard.name,
        "profession": lanyard.profession,
        "stage": stage_name(lanyard.stage),
        "stage_label": lanyard.stage_label,
        "url": absolute_url(lanyard.url),
    }


def community_for(request, slug: str) -> Community:
    """The community if the caller may read it (and their token reaches it).

    Like the pages: 404 with the same words whether it does not exist or the caller may not
    read it, so a private community's existence is not told to outsiders.
    """
    community = Community.objects.select_related("organisation").filter(slug=slug).first()
    if community is None:
        raise CommunityHidden()
    require(request.user, Capability.READ, community=community)
    require_token_community(request, community)
    return community


def submission_key(request) -> str:
    """The `Idempotency-Key` header, handed to the service's `submission_key=`."""
    # Only the header: an API body is JSON, and the form field belongs to the pages.
    return (request.headers.get(HEADER) or "").strip()
