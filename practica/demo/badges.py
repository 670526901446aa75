"""Badges for the demo: module badges for everyone who completed “Communities of
practice”, stage badges for the members of ward-care, and one revoked badge.

Runs after the learning seeder. Idempotent: awarding is (one assertion per person per
badge), and a revoked badge stays revoked. Dates follow the demo's history, so a badge
appears to have been issued when the module was completed or the stage reached.
"""

from __future__ import annotations

from practica.badges.models import Assertion, BadgeKind
from practica.badges.services import (
    BADGED_STAGES,
    issue_module_badge,
    issue_stage_badge,
    revoke_assertion,
)
from practica.communities.models import Community, Membership, StageChange
from practica.learning.models import ModuleProgress
from practica.people.models import User

REVOKED_REASON = (
    "Completed on a colleague's login during a ward teaching session; "
    "the module badge is for the person who did the work."
)


def _module_badges(community: Community) -> int:
    progresses = ModuleProgress.objects.filter(
        module__community=community, completed_at__isnull=False
    ).order_by("completed_at", "pk")
    for progress in progresses:
        assertion = issue_module_badge(progress_id=progress.pk)
        if assertion is not None and assertion.issued_on != progress.completed_at:
            Assertion.objects.filter(pk=assertion.pk).update(issued_on=progress.completed_at)
    return progresses.count()


def _stage_badges(community: Community) -> None:
    changes = StageChange.objects.filter(
        membership__community=community,
        kind__in=[StageChange.Kind.JOINED, StageChange.Kind.PROMOTED],
        to_stage__in=BADGED_STAGES,
    ).order_by("created_at", "pk")
    for change in changes:
        assertion = issue_stage_badge(
            membership_id=change.membership_id, stage=change.to_stage, how=change.kind
        )
        if assertion is not None and assertion.issued_on != change.created_at:
            Assertion.objects.filter(pk=assertion.pk).update(issued_on=change.created_at)
    # Members whose history does not record how they arrived still hold their stage.
    for membership in Membership.objects.filter(
        community=community, stage__in=BADGED_STAGES, suspended=False
    ):
        issue_stage_badge(
            membership_id=membership.pk,
            stage=membership.stage,
            issued_on=membership.stage_changed_at,
        )


def _revoke_one(community: Community) -> Assertion | None:
    """Revoke the most recent module badge of a member who is not a demo account."""
    candidates = (
        Assertion.objects.filter(
            badge_class__kind=BadgeKind.MODULE, badge_class__community=community
        )
        .exclude(recipient__email__endswith="@example.com")
        .select_related("badge_class__module")
    )
    already = candidates.filter(revocation_reason=REVOKED_REASON).first()
    if already is not None:
        return already
    assertion = candidates.order_by("-issued_on", "-pk").first()
    if assertion is None or assertion.badge_class.module is None:
        return None
    owner = User.objects.get(email="steward@example.com")
    if not assertion.badge_class.module.owners.filter(pk=owner.pk).exists():
        owner = assertion.badge_class.module.owners.order_by("pk").first()
    return revoke_assertion(actor=owner, assertion=assertion, reason=REVOKED_REASON)


def seed() -> str:
    community = Community.objects.get(slug="ward-care")
    completed = _module_badges(community)
    _stage_badges(community)
    revoked = _revoke_one(community)
    held = Assertion.objects.filter(
        badge_class__community=community, revoked_at__isnull=True
    ).count()
    return (
        f"{held} badges held in {community.name} ({completed} module completions), "
        f"{'1 revoked' if revoked else 'none revoked'}"
    )
