"""Learning's part in the trajectory: the "assessment passed" criterion.

A criterion of kind ASSESSMENT_PASSED names its assessment by the assessment's **slug**
in `Criterion.assessment_ref` (e.g. "communities-of-practice"). The slug is set when the
assessment is created and never changes, so rules keep pointing at the right one.
"""

from __future__ import annotations

from practica.communities.models import Criterion, CriterionKind, Membership
from practica.learning.models import Attempt


def assessment_passed(membership: Membership, criterion) -> int:
    """1 if the member has passed the assessment the criterion names, else 0."""
    ref = (getattr(criterion, "assessment_ref", "") or "").strip()
    if not ref:
        return 0
    passed = Attempt.objects.filter(
        user_id=membership.user_id, assessment__slug=ref, passed=True
    ).exists()
    return 1 if passed else 0


def communities_counting(assessment_slug: str, module_community_id: int | None) -> set[int]:
    """Communities whose progression rules name this assessment, plus the module's own."""
    ids = set(
        Criterion.objects.filter(
            kind=CriterionKind.ASSESSMENT_PASSED, assessment_ref=assessment_slug
        ).values_list("rule__community_id", flat=True)
    )
    if module_community_id is not None:
        ids.add(module_community_id)
    return ids


def reevaluate_after_pass(*, user_id: int, assessment_slug: str) -> None:
    """Ask the trajectory engine to look again at each membership the pass may promote.

    Called once the passing attempt is committed; the engine evaluates in the background.
    """
    from practica.communities.services.progression import request_evaluation
    from practica.learning.models import Assessment

    assessment = Assessment.objects.select_related("module").filter(slug=assessment_slug).first()
    if assessment is None:
        return
    community_ids = communities_counting(assessment_slug, assessment.module.community_id)
    membership_ids = Membership.objects.filter(
        user_id=user_id, community_id__in=community_ids, suspended=False
    ).values_list("pk", flat=True)
    for membership_id in membership_ids:
        request_evaluation(membership_id)
