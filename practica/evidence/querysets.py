"""Reads shaped for the evidence pages, each with its joins so a page's query count stays flat."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, Prefetch, Q, QuerySet

from practica.communities.capabilities import visible
from practica.evidence.models import (
    Appraisal,
    Decision,
    EditStatus,
    EvidenceRevision,
    EvidenceSummary,
    PracticeProposal,
    ProposalStatus,
    ProposalTransition,
    ProposedSummaryEdit,
    Rating,
)
from practica.people.models import User


def summaries_for_list(community, *, words: str = "") -> QuerySet[EvidenceSummary]:
    summaries = (
        EvidenceSummary.objects.filter(community=community)
        .select_related("community")
        .annotate(appraisal_count=Count("appraisals", distinct=True))
        .order_by("-updated_at", "-pk")
    )
    for word in words.split()[:8]:
        summaries = summaries.filter(
            Q(title__icontains=word)
            | Q(citation_title__icontains=word)
            | Q(key_findings__icontains=word)
            | Q(implications__icontains=word)
        )
    return summaries


def summary_for_page(community, summary_id: int) -> EvidenceSummary | None:
    summary = (
        EvidenceSummary.objects.filter(community=community, pk=summary_id)
        .select_related("event", "thread", "created_by", "reference")
        .prefetch_related("reviewers")
        .first()
    )
    if summary is not None:
        summary.community = community
    return summary


def open_edits(summary: EvidenceSummary) -> list[ProposedSummaryEdit]:
    """The summary's proposed edits still waiting for a decision, oldest first."""
    edits = list(
        ProposedSummaryEdit.objects.filter(
            summary=summary, status__in=(EditStatus.PENDING, EditStatus.CHANGES_REQUESTED)
        )
        .select_related("proposer", "base_revision")
        .order_by("created_at", "pk")
    )
    for edit in edits:
        edit.summary = summary
    return edits


def edit_for_page(summary: EvidenceSummary, edit_id: int) -> ProposedSummaryEdit | None:
    edit = (
        ProposedSummaryEdit.objects.filter(summary=summary, pk=edit_id)
        .select_related("proposer", "base_revision", "reviewer")
        .first()
    )
    if edit is not None:
        edit.summary = summary
    return edit


def summaries_of_proposals(community) -> QuerySet[EvidenceSummary]:
    return EvidenceSummary.objects.filter(community=community).order_by("title")


@dataclass(frozen=True)
class DimensionResult:
    label: str
    field: str
    average: float | None
    counts: list[tuple[str, int]]


DIMENSIONS = (
    ("Validity", "validity"),
    ("Results", "results"),
    ("Applicability", "applicability"),
)


def appraisal_summary(summary: EvidenceSummary) -> tuple[int, list[DimensionResult]]:
    """How many members appraised `summary`, and per dimension the average and the counts."""
    aggregates = {"n": Count("pk")}
    for _, name in DIMENSIONS:
        aggregates[f"{name}_avg"] = Avg(name)
        for rating in Rating:
            aggregates[f"{name}_{rating.value}"] = Count("pk", filter=Q(**{name: rating.value}))
    row = Appraisal.objects.filter(summary=summary).aggregate(**aggregates)
    results = [
        DimensionResult(
            label=label,
            field=name,
            average=row[f"{name}_avg"],
            counts=[(rating.label, row[f"{name}_{rating.value}"]) for rating in Rating],
        )
        for label, name in DIMENSIONS
    ]
    return row["n"], results


def appraisals_of(summary: EvidenceSummary) -> list[Appraisal]:
    return list(
        Appraisal.objects.filter(summary=summary).select_related("appraiser").order_by("created_at")
    )


def revisions_of(summary: EvidenceSummary) -> list[EvidenceRevision]:
    return list(
        EvidenceRevision.objects.filter(summary=summary)
        .select_related("author")
        .order_by("-number")
    )


def proposals_for_list(community, *, status: str = "") -> QuerySet[PracticeProposal]:
    proposals = (
        PracticeProposal.objects.filter(community=community)
        .select_related("proposed_by", "community")
        .annotate(summary_count=Count("summaries", distinct=True))
        .order_by("-updated_at", "-pk")
    )
    if status in ProposalStatus.values:
        proposals = proposals.filter(status=status)
    return proposals


def proposal_for_page(community, proposal_id: int) -> PracticeProposal | None:
    proposal = (
        PracticeProposal.objects.filter(community=community, pk=proposal_id)
        .select_related(
            "proposed_by", "library_article__community", "decision", "decision__decided_by"
        )
        .prefetch_related(
            Prefetch(
                "summaries",
                queryset=EvidenceSummary.objects.select_related("community").order_by("title"),
            ),
            Prefetch(
                "transitions",
                queryset=ProposalTransition.objects.select_related("actor").order_by(
                    "created_at", "pk"
                ),
            ),
            Prefetch(
                "decision__evidence",
                queryset=EvidenceSummary.objects.select_related("community").order_by("title"),
            ),
        )
        .first()
    )
    if proposal is not None:
        proposal.community = community
    return proposal


def decision_of(proposal: PracticeProposal) -> Decision | None:
    try:
        return proposal.decision
    except Decision.DoesNotExist:
        return None


@dataclass(frozen=True)
class DecisionFilters:
    words: str = ""
    outcome: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None


def decisions_for_list(community, filters: DecisionFilters) -> QuerySet[Decision]:
    decisions = (
        Decision.objects.filter(community=community)
        .select_related("proposal__community", "decided_by", "proposal__library_article__community")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=EvidenceSummary.objects.select_related("community").order_by("title"),
            ),
            # Every state the practice went through, for the record's history line.
            Prefetch(
                "proposal__transitions",
                queryset=ProposalTransition.objects.order_by("created_at", "pk"),
            ),
        )
        .order_by("-decided_at", "-pk")
    )
    if filters.outcome in ProposalStatus.values:
        # The state the practice is in now: a retired practice is found under "Retired".
        decisions = decisions.filter(proposal__status=filters.outcome)
    if filters.since:
        decisions = decisions.filter(decided_at__date__gte=filters.since)
    if filters.until:
        decisions = decisions.filter(decided_at__date__lte=filters.until)
    for word in filters.words.split()[:8]:
        decisions = decisions.filter(
            Q(proposal__title__icontains=word)
            | Q(proposal__change__icontains=word)
            | Q(context__icontains=word)
            | Q(options_considered__icontains=word)
            | Q(rationale__icontains=word)
        )
    return decisions


def due_for_review(community, *, today: datetime.date | None = None) -> dict:
    today = today or datetime.date.today()
    summaries = (
        EvidenceSummary.objects.filter(community=community, review_by__lt=today)
        .select_related("community")
        .prefetch_related("reviewers")
        .order_by("review_by", "pk")
    )
    proposals = (
        PracticeProposal.objects.filter(
            community=community, status=ProposalStatus.ADOPTED, review_by__lt=today
        )
        .select_related("proposed_by", "library_article__community", "community")
        .order_by("review_by", "pk")
    )
    return {"due_summaries": list(summaries), "due_proposals": list(proposals)}


def due_count(community) -> int:
    today = datetime.date.today()
    return (
        EvidenceSummary.objects.filter(community=community, review_by__lt=today).count()
        + PracticeProposal.objects.filter(
            community=community, status=ProposalStatus.ADOPTED, review_by__lt=today
        ).count()
    )


@dataclass(frozen=True)
class DueItem:
    """Something a member owns that is past its review-by date, for their digest."""

    kind: str
    title: str
    community_name: str
    review_by: datetime.date
    url: str


def due_for_owner(user, *, today: datetime.date, limit: int = 50) -> list[DueItem]:
    """Summaries `user` wrote or reviewed, and adopted practices they proposed, past their
    review-by date, in communities they can still read. Two queries."""
    summaries = (
        visible(user, EvidenceSummary.objects.all())
        .filter(Q(created_by=user) | Q(reviewers=user), review_by__lt=today)
        .select_related("community")
        .distinct()
        .order_by("review_by", "pk")[:limit]
    )
    proposals = (
        visible(user, PracticeProposal.objects.all())
        .filter(proposed_by=user, status=ProposalStatus.ADOPTED, review_by__lt=today)
        .select_related("community")
        .order_by("review_by", "pk")[:limit]
    )
    items = [
        DueItem("Evidence summary", s.title, s.community.name, s.review_by, s.get_absolute_url())
        for s in summaries
    ] + [
        DueItem("Adopted practice", p.title, p.community.name, p.review_by, p.get_absolute_url())
        for p in proposals
    ]
    items.sort(key=lambda item: item.review_by)
    return items[:limit]


def reviews_due(*, today: datetime.date):
    """Every summary and adopted practice past its review-by date, with who looks after it
    (a summary's author and reviewers, a practice's proposer), for the due-for-review
    notifications. Three queries."""
    from practica.notifications.reviews import ReviewDue

    summaries = (
        EvidenceSummary.objects.filter(review_by__lt=today)
        .select_related("community")
        .prefetch_related(Prefetch("reviewers", queryset=User.objects.only("pk")))
        .order_by("review_by", "pk")
    )
    proposals = (
        PracticeProposal.objects.filter(status=ProposalStatus.ADOPTED, review_by__lt=today)
        .select_related("community")
        .order_by("review_by", "pk")
    )
    found = [
        ReviewDue(
            f"summary:{s.pk}",
            "evidence summary",
            s.title,
            s.community,
            s.review_by,
            s.get_absolute_url(),
            {u.pk for u in s.reviewers.all()} | ({s.created_by_id} if s.created_by_id else set()),
        )
        for s in summaries
    ]
    found += [
        ReviewDue(
            f"practice:{p.pk}",
            "adopted practice",
            p.title,
            p.community,
            p.review_by,
            p.get_absolute_url(),
            {p.proposed_by_id} if p.proposed_by_id else set(),
        )
        for p in proposals
    ]
    return found
