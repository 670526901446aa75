"""Who may read, take and author a module, asked of the one capability gate.

A community module follows its community's capabilities (READ to open it, TAKE_MODULE
to record progress and sit the assessment, AUTHOR_MODULE to edit it). An
organisation-wide module belongs to no community: anyone logged in may take it, and
staff author it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from practica.communities.capabilities import Capability, CapabilityDenied, can, require
from practica.learning.models import Module


class ModuleUnavailable(Http404):
    """The module exists but is not published; views show this reason with a 404."""


def can_read(user, module: Module) -> bool:
    if module.community is None:
        return bool(user is not None and user.is_authenticated)
    return can(user, Capability.READ, community=module.community)


def can_take(user, module: Module) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if module.community is None:
        return True
    return can(user, Capability.TAKE_MODULE, community=module.community)


def can_author(user, module: Module) -> bool:
    return can_author_in(user, module.community)


def can_author_in(user, community) -> bool:
    """May `user` write modules in `community` (None: organisation-wide, staff only)?"""
    if user is None or not user.is_authenticated:
        return False
    if community is None:
        return bool(user.is_staff)
    return can(user, Capability.AUTHOR_MODULE, community=community)


def require_read(user, module: Module) -> None:
    if module.community is not None:
        require(user, Capability.READ, community=module.community)
    elif not can_read(user, module):
        raise PermissionDenied("Log in to read the learning modules.")


def require_take(user, module: Module) -> None:
    if module.community is not None:
        require(user, Capability.TAKE_MODULE, community=module.community)
    elif not can_take(user, module):
        raise PermissionDenied("Log in to take this module.")
    check_live(user, module)


def require_author_in(user, community) -> None:
    if community is not None:
        require(user, Capability.AUTHOR_MODULE, community=community)
    elif not can_author_in(user, None):
        raise CapabilityDenied(
            "Only the organisation's staff write organisation-wide modules. "
            "Write the module in one of your communities instead.",
            capability=Capability.AUTHOR_MODULE,
        )


def require_author(user, module: Module) -> None:
    require_author_in(user, module.community)


def check_live(user, module: Module) -> None:
    """Learners only ever see published modules; authors may preview their drafts."""
    if module.is_live:
        return
    if can_author(user, module):
        return
    raise ModuleUnavailable(
        f"“{module.title}” is not published at the moment. Its authors may be revising it: "
        "try again later, or ask in the community."
    )
