"""Who may manage webhooks: a community's stewards (CONFIGURE) for that community, and
staff for instance-wide hooks. The pages and the services ask these same functions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from practica.communities.capabilities import Capability, can, require


def can_manage_webhooks(user, community) -> bool:
    if community is None:
        return bool(user is not None and user.is_authenticated and user.is_staff)
    return can(user, Capability.CONFIGURE, community=community)


def check_manage_webhooks(user, community) -> None:
    """Raise CapabilityDenied (community) or PermissionDenied (instance) unless allowed."""
    if community is None:
        if not can_manage_webhooks(user, None):
            raise PermissionDenied("Only staff can manage webhooks for the whole instance.")
        return
    require(user, Capability.CONFIGURE, community=community)
