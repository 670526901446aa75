"""Reads shaped for pages about privacy: what the guard did, for stewards."""

from __future__ import annotations

from practica.privacy.models import GuardLog


def guard_logs_for(community, *, limit: int = 30) -> list[GuardLog]:
    """The community's latest guard decisions with their members (links go through
    `privacy:guard-target`, so the page never loads the objects themselves)."""
    return list(GuardLog.objects.filter(community=community).select_related("user")[:limit])


def redactions_for(community, *, limit: int = 30):
    """The community's latest redactions: who, when, why and which object (no text)."""
    from practica.privacy.models import Redaction

    return list(Redaction.objects.filter(community=community)[:limit])
