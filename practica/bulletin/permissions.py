"""Who may read and who may edit a bulletin.

A community's bulletin follows the community: readers are those who may read the
community, editors are its stewards (Capability.PUBLISH_BULLETIN, asked of the one
capability gate) plus anyone designated a BulletinEditor. The instance bulletin is
public; its editors are staff plus its designated editors.
"""

from __future__ import annotations

from django.db.models import Q

from practica.bulletin.models import Bulletin, BulletinEditor
from practica.communities.capabilities import (
    Capability,
    CapabilityDenied,
    can,
    readable_communities_q,
    require,
)


def readable_bulletins_q(user, prefix: str = "") -> Q:
    """Bulletins `user` may read (prefix e.g. "issue__bulletin__")."""
    return Q(**{f"{prefix}community__isnull": True}) | readable_communities_q(
        user, f"{prefix}community__"
    )


def can_read(user, bulletin: Bulletin) -> bool:
    if bulletin.community_id is None:
        return True
    return can(user, Capability.READ, community=bulletin.community)


def _is_designated(user, bulletin: Bulletin) -> bool:
    cache = getattr(user, "_bulletin_editorships", None)
    if cache is None:
        cache = set(BulletinEditor.objects.filter(user=user).values_list("bulletin_id", flat=True))
        user._bulletin_editorships = cache
    return bulletin.pk in cache


def can_edit(user, bulletin: Bulletin) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if _is_designated(user, bulletin):
        return True
    if bulletin.community_id is None:
        return user.is_staff
    return can(user, Capability.PUBLISH_BULLETIN, community=bulletin.community)


def require_editor(user, bulletin: Bulletin) -> None:
    """Raise CapabilityDenied with a reason unless `user` may edit and publish `bulletin`."""
    if can_edit(user, bulletin):
        return
    if bulletin.community_id is not None:
        # Raises with the community's own reason (which stage may publish the bulletin).
        require(user, Capability.PUBLISH_BULLETIN, community=bulletin.community)
    if user is None or not user.is_authenticated:
        raise CapabilityDenied(f"Log in as one of the editors of {bulletin.name} to edit it.")
    raise CapabilityDenied(
        f"Only the editors of {bulletin.name} may edit and publish it. "
        "Ask an administrator to add you as an editor."
    )


def can_see_subscribers(user, bulletin: Bulletin) -> bool:
    """Subscribers' addresses are for stewards (of the instance bulletin: staff), not for
    every designated editor: an editor writes issues, a steward looks after the list."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if bulletin.community_id is None:
        return user.is_staff
    return can(user, Capability.MANAGE_MEMBERS, community=bulletin.community)
