"""Who may manage an event: its organisers among those who may create events, and stewards.

Stage rules come from practica.communities.capabilities; this module only adds the
object-level part ("is this person one of the organisers?").
"""

from __future__ import annotations

from practica.communities.capabilities import Capability, CapabilityDenied, can, require
from practica.events.models import Event


def is_organiser(user, event: Event) -> bool:
    if user is None or not user.is_authenticated:
        return False
    ids = getattr(event, "_organiser_ids", None)
    if ids is None:
        ids = {u.pk for u in event.organisers.all()}
        event._organiser_ids = ids
    return user.pk in ids or event.created_by_id == user.pk


def can_manage(user, event: Event) -> bool:
    """May `user` edit, cancel and take attendance for `event`?"""
    community = event.community
    if can(user, Capability.MODERATE, community=community):
        return True
    return can(user, Capability.CREATE_EVENT, community=community) and is_organiser(user, event)


def require_manage(user, event: Event) -> None:
    require(user, Capability.CREATE_EVENT, community=event.community)
    if not can_manage(user, event):
        raise CapabilityDenied(
            f"Only the organisers of “{event.title}” and the stewards of "
            f"{event.community.name} can change it or take attendance.",
            capability=Capability.CREATE_EVENT,
        )
