"""Evidence summaries: write, revise (with edit-conflict protection), set the scale, and
open the linked discussion thread.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from practica.communities.capabilities import Capability, require
from practica.communities.models import Community, Membership
from practica.evidence.models import (
    LEVELS,
    EvidenceRevision,
    EvidenceScale,
    EvidenceSettings,
    EvidenceSummary,
    level_label,
)
from practica.evidence.services.common import citation_text, settings_for
from practica.library.models import Reference
from practica.markdown import render_markdown
from practica.privacy.guard import changed_texts, screen
from practica.reliability.idempotency import once_per_key

MISSING_CITATION = (
    "An evidence summary needs its citation: give at least the title of the study or "
    "review, or choose a reference from the library."
)


@dataclass(frozen=True)
class SummaryInput:
    """Everything a member writes in a summary; what a revision records comes from it."""

    title: str
    key_findings: str
    level: str
    implications: str
    citation_title: str = ""
    citation_authors: list[str] = field(default_factory=list)
    citation_source: str = ""
    citation_year: int | None = None
    citation_volume: str = ""
    citation_issue: str = ""
    citation_pages: str = ""
    citation_doi: str = ""
    citation_url: str = ""
    reference: Reference | None = None
    question: str = ""
    population: str = ""
    intervention: str = ""
    comparison: str = ""
    outcome: str = ""
    review_by: datetime.date | None = None
    reviewers: tuple = ()
    # Topics of the summary's community; None leaves them as they are.
    topics: tuple | None = None
    event: object | None = None

    @classmethod
    def from_data(cls, data: dict) -> SummaryInput:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def _set_topics(summary: EvidenceSummary, topics) -> None:
    """Tag the summary with topics of its own community (others are ignored)."""
    if topics is not None:
        summary.topics.set([t for t in topics if t.community_id == summary.community_id])


CITATION_FIELDS = (
    "citation_title",
    "citation_authors",
    "citation_source",
    "citation_year",
    "citation_volume",
    "citation_issue",
    "citation_pages",
    "citation_doi",
    "citation_url",
)
TEXT_FIELDS = ("title", "question", "population", "intervention", "comparison", "outcome")


class SummaryConflict(Exception):
    """Someone saved the summary after the editor was opened; nothing was written."""

    def __init__(self, *, summary: EvidenceSummary, latest: EvidenceRevision | None):
        super().__init__(f"{summary} changed since the editor was opened")
        self.summary = summary
        self.latest = latest


def _from_reference(data: SummaryInput) -> SummaryInput:
    """Fill the citation from the chosen library reference where the form left it empty."""
    ref = data.reference
    if ref is None or data.citation_title.strip():
        return data
    return replace(
        data,
        citation_title=ref.title,
        citation_authors=list(ref.authors or []),
        citation_source=ref.container or ref.publisher,
        citation_year=ref.year,
        citation_volume=ref.volume,
        citation_issue=ref.issue,
        citation_pages=ref.pages,
        citation_doi=ref.doi,
        citation_url=ref.url,
    )


def check_level(community: Community, level: str) -> str:
    """The scale `level` belongs to; ValidationError naming the community's scale otherwise."""
    scale = settings_for(community).scale
    allowed = [code for code, _ in LEVELS[scale]]
    if level not in allowed:
        shown = ", ".join(code.replace("_", " ") for code in allowed)
        what = f"“{level}”" if level else "A level of evidence"
        raise ValidationError(
            {
                "level": f"{what} is not on {community.name}'s scale, "
                f"{EvidenceScale(scale).label}. Choose one of: {shown}."
            }
        )
    return scale


def _check(community: Community, data: SummaryInput) -> tuple[SummaryInput, str]:
    errors: dict[str, str] = {}
    if data.reference is not None and data.reference.article.community_id != community.pk:
        errors["reference"] = "Choose a reference from this community's library."
    data = _from_reference(data)
    if not data.citation_title.strip():
        errors["citation_title"] = MISSING_CITATION
    if not data.title.strip():
        errors["title"] = "Give the summary a title that says what the evidence is about."
    if not data.key_findings.strip():
        errors["key_findings"] = "Say what the study or review found."
    if not data.implications.strip():
        errors["implications"] = "Say what the evidence means for this community's practice."
    scale = settings_for(community).scale
    try:
        scale = check_level(community, data.level)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    reviewer_ids = {u.pk for u in data.reviewers}
    if reviewer_ids:
        members = set(
            Membership.objects.filter(
                community=community, user_id__in=reviewer_ids, suspended=False
            ).values_list("user_id", flat=True)
        )
        if members != reviewer_ids:
            errors["reviewers"] = f"Reviewers must be members of {community.name}."
    if data.event is not None and data.event.community_id != community.pk:
        errors["event"] = "Choose one of this community's events."
    if errors:
        raise ValidationError(errors)
    return data, scale


def _apply(summary: EvidenceSummary, data: SummaryInput, scale: str) -> None:
    for name in (*CITATION_FIELDS, *TEXT_FIELDS):
        value = getattr(data, name)
        setattr(summary, name, value.strip() if isinstance(value, str) else value)
    summary.reference = data.reference
    summary.key_findings = data.key_findings.replace("\r\n", "\n").strip()
    summary.implications = data.implications.replace("\r\n", "\n").strip()
    summary.key_findings_html = render_markdown(summary.key_findings)
    summary.implications_html = render_markdown(summary.implications)
    summary.scale = scale
    summary.level = data.level
    summary.review_by = data.review_by
    summary.event = data.event


def question_text(summary: EvidenceSummary) -> str:
    lines = [summary.question] if summary.question else []
    for label, value in (
        ("Population", summary.population),
        ("Intervention", summary.intervention),
        ("Comparison", summary.comparison),
        ("Outcome", summary.outcome),
    ):
        if value:
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


def record_revision(
    summary: EvidenceSummary, *, author, edit_summary: str, now, approved_by=None
) -> EvidenceRevision:
    """Write the next revision from `summary` as it stands. Call inside the transaction
    that saved `summary`, with its row locked when it isn't new."""
    summary.revision_count += 1
    revision = EvidenceRevision(
        summary=summary,
        number=summary.revision_count,
        title=summary.title,
        citation=citation_text(summary),
        question=question_text(summary),
        key_findings=summary.key_findings,
        level=level_label(summary.scale, summary.level),
        implications=summary.implications,
        author=author,
        edit_summary=edit_summary.strip()[:300],
        approved_by=approved_by,
        created_at=now,
    )
    revision.stamp_lanyard(author, summary.community)
    revision.full_clean()
    revision.save()
    EvidenceSummary.objects.filter(pk=summary.pk).update(revision_count=summary.revision_count)
    return revision


# What a member writes in their own words (the citation is bibliographic data).
WRITTEN_FIELDS = (*TEXT_FIELDS, "key_findings", "implications")


def screen_summary(
    *, actor, community, data: SummaryInput, summary=None, edit_summary="", confirm_guard: bool
):
    """The patient-data guard over what `data` writes (or, for `summary`, changes)."""
    texts = {name: getattr(data, name) or "" for name in WRITTEN_FIELDS}
    return screen(
        actor=actor,
        community=community,
        where="evidence summary",
        texts={**changed_texts(summary, texts), "edit_summary": edit_summary},
        confirmed=confirm_guard,
    )


@once_per_key("evidence.create_summary")
def create_summary(
    *, actor, community: Community, data: SummaryInput, confirm_guard: bool = False
) -> EvidenceSummary:
    """Write a new evidence summary and its first revision.

    Raises CapabilityDenied without WRITE_EVIDENCE, ValidationError for a missing citation,
    a level outside the community's scale, or reviewers who aren't members, and
    PatientDataFound (see privacy.guard).
    """
    require(actor, Capability.WRITE_EVIDENCE, community=community)
    data, scale = _check(community, data)
    screening = screen_summary(
        actor=actor, community=community, data=data, confirm_guard=confirm_guard
    )
    now = timezone.now()
    with transaction.atomic():
        summary = EvidenceSummary(community=community, created_by=actor, created_at=now)
        _apply(summary, data, scale)
        summary.updated_at = now
        summary.full_clean()
        summary.save()
        summary.reviewers.set(data.reviewers)
        _set_topics(summary, data.topics)
        screening.record(
            record_revision(summary, author=actor, edit_summary="First version", now=now)
        )
    return summary


def revise_summary(
    *,
    actor,
    summary: EvidenceSummary,
    data: SummaryInput,
    base_revision: int,
    edit_summary: str = "",
    confirm_guard: bool = False,
) -> EvidenceSummary:
    """Save a new revision of `summary`, opened in the editor at revision `base_revision`.

    Raises SummaryConflict when someone saved in between, besides the errors of
    `create_summary`.
    """
    community = summary.community
    require(actor, Capability.WRITE_EVIDENCE, community=community)
    data, scale = _check(community, data)
    screening = screen_summary(
        actor=actor,
        community=community,
        data=data,
        summary=summary,
        edit_summary=edit_summary,
        confirm_guard=confirm_guard,
    )
    now = timezone.now()
    with transaction.atomic():
        locked = EvidenceSummary.objects.select_for_update(of=("self",)).get(pk=summary.pk)
        if locked.revision_count != base_revision:
            raise SummaryConflict(summary=summary, latest=locked.revisions.first())
        summary.revision_count = locked.revision_count
        _apply(summary, data, scale)
        summary.updated_at = now
        summary.full_clean()
        summary.save()
        summary.reviewers.set(data.reviewers)
        _set_topics(summary, data.topics)
        screening.record(record_revision(summary, author=actor, edit_summary=edit_summary, now=now))
    return summary


def tag_summary(*, actor, summary: EvidenceSummary, topics) -> EvidenceSummary:
    """Set a summary's topics alone, without a new revision (topics are not its text)."""
    require(actor, Capability.WRITE_EVIDENCE, community=summary.community)
    with transaction.atomic():
        _set_topics(summary, tuple(topics))
    return summary


def set_scale(*, actor, community: Community, scale: str) -> EvidenceSettings:
    """Choose the scale new summaries are graded on; existing ones keep the scale they used."""
    require(actor, Capability.CONFIGURE, community=community)
    if scale not in EvidenceScale.values:
        raise ValidationError({"scale": "Choose NHMRC levels or GRADE certainty."})
    with transaction.atomic():
        row, _ = EvidenceSettings.objects.select_for_update(of=("self",)).get_or_create(
            community=community, defaults={"scale": scale}
        )
        row.scale = scale
        row.full_clean()
        row.save()
    if hasattr(community, "_evidence_settings"):
        del community._evidence_settings
    return row


def start_discussion(*, actor, summary: EvidenceSummary):
    """Open the conversation thread where members discuss `summary` (once).

    The thread is started through the conversations service, so its capability check
    (START_DISCUSSION), rate limit and patient-data guard apply as for any thread.
    """
    from practica.conversations.models import ThreadKind
    from practica.conversations.services.threads import start_thread

    community = summary.community
    require(actor, Capability.START_DISCUSSION, community=community)
    with transaction.atomic():
        locked = EvidenceSummary.objects.select_for_update(of=("self",)).get(pk=summary.pk)
        if locked.thread_id is not None:
            return locked.thread
        body = (
            f"Discussion of the evidence summary [{summary.title}]({summary.get_absolute_url()})."
            f"\n\nWhat does it mean for our practice? {summary.implications[:400]}"
        )
        thread = start_thread(
            actor=actor,
            community=community,
            kind=ThreadKind.DISCUSSION,
            title=f"Evidence: {summary.title}"[:200],
            body=body,
        )
        EvidenceSummary.objects.filter(pk=summary.pk).update(thread=thread)
        summary.thread = thread
    return thread
