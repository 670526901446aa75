"""Receivers connected in BadgesConfig.ready()."""

from __future__ import annotations

from django.db import transaction

from practica.communities.models import StageChange
from practica.communities.stages import Stage


def award_stage_badge(sender, instance: StageChange, created: bool, raw: bool = False, **kwargs):
    """Joining at, or being promoted to, participant or beyond earns that stage's badge.

    The badge is awarded once the change commits, and a failure to award it never undoes
    the change of stage (robust on_commit).
    """
    from practica.badges.services import issue_stage_badge

    if not created or raw:
        return
    if instance.kind not in (StageChange.Kind.JOINED, StageChange.Kind.PROMOTED):
        return
    if instance.to_stage < Stage.PARTICIPANT:
        return
    membership_id, stage, how = instance.membership_id, instance.to_stage, instance.kind
    transaction.on_commit(
        lambda: issue_stage_badge(membership_id=membership_id, stage=stage, how=how),
        robust=True,
    )
