"""Evidence summaries and the practice decisions a community adopted or declined: the
evidence and decisions pages' content, through their querysets (reads)."""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema

from practica.api import pagination
from practica.api.common import LanyardOut, community_for, lanyard_out
from practica.communities.lanyards import attach_lanyards
from practica.evidence import querysets
from practica.site import absolute_url

router = Router(tags=["evidence"])


class CitationOut(Schema):
    authors: list[str]
    title: str
    source: str
    year: int | None
    volume: str
    issue: str
    pages: str
    doi: str
    url: str


class PicoOut(Schema):
    question: str
    population: str
    intervention: str
    comparison: str
    outcome: str


class SummaryOut(Schema):
    id: int
    title: str
    scale: str
    level: str
    level_label: str
    citation: CitationOut
    review_by: datetime.date | None
    is_due_for_review: bool
    revision_count: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    url: str


class SummaryList(Schema):
    results: list[SummaryOut]
    next: str | None


class SummaryDetail(SummaryOut):
    pico: PicoOut
    key_findings: str
    key_findings_html: str
    implications: str
    implications_html: str
    reviewers: list[str]


class EvidenceRef(Schema):
    id: int
    title: str
    url: str


class DecisionOut(Schema):
    id: int
    proposal_id: int
    title: str = Field(description="The proposal's title")
    change: str = Field(description="The practice change proposed")
    outcome: str = Field(description="adopted or declined")
    context: str
    options_considered: str
    rationale: str
    evidence: list[EvidenceRef]
    decided_by: LanyardOut | None
    decided_at: datetime.datetime
    url: str


class DecisionList(Schema):
    results: list[DecisionOut]
    next: str | None


def _summary_out(summary) -> dict:
    return {
        "id": summary.pk,
        "title": summary.title,
        "scale": summary.scale,
        "level": summary.level,
        "level_label": summary.level_label,
        "citation": {
            "authors": list(summary.citation_authors or []),
            "title": summary.citation_title,
            "source": summary.citation_source,
            "year": summary.citation_year,
            "volume": summary.citation_volume,
            "issue": summary.citation_issue,
            "pages": summary.citation_pages,
            "doi": summary.citation_doi,
            "url": summary.citation_url,
        },
        "review_by": summary.review_by,
        "is_due_for_review": summary.is_due_for_review,
        "revision_count": summary.revision_count,
        "created_at": summary.created_at,
        "updated_at": summary.updated_at,
        "url": absolute_url(summary.get_absolute_url()),
    }


@router.get(
    "/{slug}/evidence", response=SummaryList, url_name="summary-list", summary="Evidence summaries"
)
def summary_list(
    request,
    slug: str,
    q: str | None = Query(None, max_length=200, description="Words in the title or findings"),
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    """Latest first, as on the evidence page."""
    community = community_for(request, slug)
    return pagination.page(
        request,
        querysets.summaries_for_list(community, words=q or ""),
        order=("-updated_at", "-pk"),
        cursor=cursor,
        limit=limit,
        serialize=lambda rows: [_summary_out(s) for s in rows],
    )


@router.get(
    "/{slug}/evidence/{summary_id}",
    response=SummaryDetail,
    url_name="summary-detail",
    summary="An evidence summary",
)
def summary_detail(request, slug: str, summary_id: int):
    community = community_for(request, slug)
    summary = querysets.summary_for_page(community, summary_id)
    if summary is None:
        raise Http404("No such evidence summary.")
    return {
        **_summary_out(summary),
        "pico": {
            "question": summary.question,
            "population": summary.population,
            "intervention": summary.intervention,
            "comparison": summary.comparison,
            "outcome": summary.outcome,
        },
        "key_findings": summary.key_findings,
        "key_findings_html": summary.key_findings_html,
        "implications": summary.implications,
        "implications_html": summary.implications_html,
        "reviewers": [u.username for u in summary.reviewers.all()],
    }


def _decision_out(decision) -> dict:
    proposal = decision.proposal
    return {
        "id": decision.pk,
        "proposal_id": proposal.pk,
        "title": proposal.title,
        "change": proposal.change,
        "outcome": decision.outcome,
        "context": decision.context,
        "options_considered": decision.options_considered,
        "rationale": decision.rationale,
        "evidence": [
            {"id": s.pk, "title": s.title, "url": absolute_url(s.get_absolute_url())}
            for s in decision.evidence.all()
        ],
        "decided_by": lanyard_out(getattr(decision, "lanyard", None)),
        "decided_at": decision.decided_at,
        "url": absolute_url(proposal.get_absolute_url()),
    }


@router.get(
    "/{slug}/decisions", response=DecisionList, url_name="decision-list", summary="Decisions"
)
def decision_list(
    request,
    slug: str,
    outcome: Literal["adopted", "declined"] | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    q: str | None = Query(None, max_length=200, description="Words in the proposal or rationale"),
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    """The decision log, latest first, with the decisions page's filters."""
    community = community_for(request, slug)
    filters = querysets.DecisionFilters(
        words=q or "", outcome=outcome or "", since=since, until=until
    )

    def serialize(rows):
        attach_lanyards(community, rows, "decided_by")
        return [_decision_out(d) for d in rows]

    return pagination.page(
        request,
        querysets.decisions_for_list(community, filters),
        order=("-decided_at", "-pk"),
        cursor=cursor,
        limit=limit,
        serialize=serialize,
    )


@router.get(
    "/{slug}/decisions/{decision_id}",
    response=DecisionOut,
    url_name="decision-detail",
    summary="A decision",
)
def decision_detail(request, slug: str, decision_id: int):
    community = community_for(request, slug)
    decision = (
        querysets.decisions_for_list(community, querysets.DecisionFilters())
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        raise Http404("No such decision.")
    attach_lanyards(community, [decision], "decided_by")
    return _decision_out(decision)
