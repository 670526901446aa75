"""Appraisals: a member's structured checklist on a summary, and the trajectory count."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from practica.communities.capabilities import Capability, require
from practica.communities.models import Membership
from practica.communities.services.progression import request_evaluation
from practica.evidence.models import Appraisal, EvidenceSummary
from practica.privacy.guard import screen

APPRAISAL_FIELDS = (
    "validity",
    "validity_comment",
    "results",
    "results_comment",
    "applicability",
    "applicability_comment",
)


def record_appraisal(
    *, actor, summary: EvidenceSummary, answers: dict, confirm_guard: bool = False
) -> Appraisal:
    """Record (or replace) `actor`'s appraisal of `summary`.

    `answers` holds the ratings and comments named in APPRAISAL_FIELDS. Raises
    CapabilityDenied without APPRAISE_EVIDENCE, ValidationError for a missing rating and
    PatientDataFound for a comment (see privacy.guard). The member's trajectory is
    re-evaluated once the appraisal is committed.
    """
    community = summary.community
    require(actor, Capability.APPRAISE_EVIDENCE, community=community)
    screening = screen(
        actor=actor,
        community=community,
        where="appraisal",
        texts={
            name: answers.get(name) or ""
            for name in APPRAISAL_FIELDS
            if name.endswith("_comment") and isinstance(answers.get(name), str)
        },
        confirmed=confirm_guard,
    )
    now = timezone.now()
    with transaction.atomic():
        appraisal = (
            Appraisal.objects.select_for_update(of=("self",))
            .filter(summary=summary, appraiser=actor)
            .first()
        )
        if appraisal is None:
            appraisal = Appraisal(summary=summary, appraiser=actor, created_at=now)
        for name in APPRAISAL_FIELDS:
            value = answers.get(name, "")
            setattr(appraisal, name, value.strip() if isinstance(value, str) else value)
        appraisal.updated_at = now
        appraisal.full_clean()
        appraisal.save()
        screening.record(appraisal)
        membership_id = (
            Membership.objects.filter(user=actor, community=community)
            .values_list("pk", flat=True)
            .first()
        )
        if membership_id is not None:
            # Queued by request_evaluation through transaction.on_commit: nothing is
            # evaluated if this appraisal rolls back.
            request_evaluation(membership_id)
    return appraisal


def appraisals_contributed(membership: Membership, criterion: object = None) -> int:
    """Trajectory source for CriterionKind.APPRAISALS: appraisals the member recorded here."""
    return Appraisal.objects.filter(
        appraiser_id=membership.user_id, summary__community_id=membership.community_id
    ).count()
