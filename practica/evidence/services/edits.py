"""Proposed edits to evidence summaries, as in the library: a member who may not write
evidence offers a revision of a summary's text; a member who may approve edits approves
it (a new revision credited to the proposer), asks for changes or declines it, and the
proposer is told.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from practica.communities.capabilities import Capability, CapabilityDenied, can, require
from practica.evidence.models import (
    EditStatus,
    EvidenceRevision,
    EvidenceSummary,
    ProposedSummaryEdit,
)
from practica.evidence.services.summaries import question_text, record_revision
from practica.markdown import render_markdown
from practica.notifications.models import Notification
from practica.notifications.services import notify
from practica.privacy.guard import changed_texts, screen
from practica.reliability.idempotency import once_per_key

ALREADY_DECIDED = "This proposed edit has already been decided."


@dataclass(frozen=True)
class SummaryText:
    """The part of a summary that members may propose edits to."""

    question: str = ""
    population: str = ""
    intervention: str = ""
    comparison: str = ""
    outcome: str = ""
    key_findings: str = ""
    implications: str = ""

    @classmethod
    def of(cls, obj) -> SummaryText:
        """The text of a summary or a proposed edit (anything carrying these attributes)."""
        return cls(**{f.name: getattr(obj, f.name) for f in fields(cls)})

    @classmethod
    def from_data(cls, data: dict) -> SummaryText:
        return cls(**{f.name: data.get(f.name) or "" for f in fields(cls)})

    def normalised(self) -> SummaryText:
        return replace(
            self,
            **{f.name: getattr(self, f.name).replace("\r\n", "\n").strip() for f in fields(self)},
        )

    def as_revision(self) -> tuple[str, str, str]:
        """The shape a revision records it in: PICO folded into the question."""
        return question_text(self), self.key_findings, self.implications


def revision_text(revision: EvidenceRevision) -> tuple[str, str, str]:
    return revision.question, revision.key_findings, revision.implications


class SummaryEditConflict(Exception):
    """The summary's text changed after the edit was proposed; nothing was written.

    `theirs` is the latest revision, `yours` the text that was to be approved, so the
    approver can merge the two by hand.
    """

    def __init__(self, *, summary: EvidenceSummary, theirs: EvidenceRevision, yours: SummaryText):
        super().__init__(f"{summary} changed since the edit was proposed")
        self.summary = summary
        self.theirs = theirs
        self.yours = yours


def is_stale(edit: ProposedSummaryEdit, summary: EvidenceSummary) -> bool:
    """Whether the text the edit changes has moved on since the edit was proposed.

    Changes to the citation, level or reviewers alone don't make it stale: approving
    writes only the proposed text, so those changes are kept.
    """
    if not edit.is_open or edit.base_revision.number == summary.revision_count:
        return False
    return revision_text(edit.base_revision) != SummaryText.of(summary).as_revision()


@once_per_key("evidence.propose_edit")
def propose_edit(
    *,
    actor,
    summary: EvidenceSummary,
    base_revision: int,
    text: SummaryText,
    edit_summary: str = "",
    confirm_guard: bool = False,
) -> ProposedSummaryEdit | None:
    """Offer an edit of `summary`'s text, made from revision number `base_revision`.

    Returns None when the text is the same as the revision it starts from. Raises
    CapabilityDenied without PROPOSE_EDIT, ValidationError for an unknown revision or
    empty key findings or implications.
    """
    require(actor, Capability.PROPOSE_EDIT, community=summary.community)
    base = EvidenceRevision.objects.filter(summary=summary, number=base_revision).first()
    if base is None:
        raise ValidationError("The revision this edit starts from is not part of this summary.")
    text = text.normalised()
    if text.as_revision() == revision_text(base):
        return None
    screening = screen(
        actor=actor,
        community=summary.community,
        where="proposed edit",
        texts={**changed_texts(summary, vars(text)), "edit_summary": edit_summary},
        confirmed=confirm_guard,
    )
    edit = ProposedSummaryEdit(
        summary=summary,
        base_revision=base,
        edit_summary=edit_summary.strip(),
        proposer=actor,
        **vars(text),
    )
    with transaction.atomic():
        edit.full_clean()
        edit.save()
        screening.record(edit)
        owners = [summary.created_by, *summary.reviewers.all()]
        transaction.on_commit(lambda: _tell_owners(edit, owners, actor))
    return edit


def _tell_owners(edit: ProposedSummaryEdit, owners, actor) -> None:
    """The summary's author and reviewers hear of it, when they may approve it."""
    community = edit.summary.community
    told = set()
    for owner in owners:
        if owner is None or owner.pk in told:
            continue
        told.add(owner.pk)
        if can(owner, Capability.APPROVE_EDIT, community=community):
            notify(
                recipient=owner,
                kind=Notification.Kind.STEWARD,
                text=f"{actor.name} proposed an edit to the evidence summary “{edit.summary.title}”.",
                url=edit.get_absolute_url(),
                community=community,
                actor=actor,
            )


def update_edit(
    *,
    actor,
    edit: ProposedSummaryEdit,
    text: SummaryText,
    edit_summary: str = "",
    confirm_guard: bool = False,
) -> ProposedSummaryEdit:
    """The proposer revises their open edit (after a request for changes); back to pending."""
    if edit.proposer_id != actor.pk:
        raise CapabilityDenied("Only the person who proposed this edit can change it.")
    require(actor, Capability.PROPOSE_EDIT, community=edit.summary.community)
    text = text.normalised()
    screening = screen(
        actor=actor,
        community=edit.summary.community,
        where="proposed edit",
        texts=changed_texts(edit, {**vars(text), "edit_summary": edit_summary.strip()}),
        confirmed=confirm_guard,
    )
    with transaction.atomic():
        locked = ProposedSummaryEdit.objects.select_for_update(of=("self",)).get(pk=edit.pk)
        if not locked.is_open:
            raise ValidationError(ALREADY_DECIDED)
        for name, value in vars(text).items():
            setattr(locked, name, value)
        locked.edit_summary = edit_summary.strip()
        locked.status = EditStatus.PENDING
        locked.updated_at = timezone.now()
        locked.full_clean()
        locked.save()
        screening.record(locked)
    locked.summary = edit.summary
    return locked


def _decide(edit: ProposedSummaryEdit, *, actor, status: str, comment: str) -> None:
    edit.status = status
    edit.reviewer = actor
    edit.review_comment = comment.strip()
    edit.reviewed_at = timezone.now()
    edit.updated_at = edit.reviewed_at
    edit.full_clean()
    edit.save()


def _tell_proposer(edit: ProposedSummaryEdit, actor, verb: str) -> None:
    text = f"{actor.name} {verb} your proposed edit to “{edit.summary.title}”"
    if edit.review_comment:
        text += f": {edit.review_comment}"
    notify(
        recipient=edit.proposer,
        kind=Notification.Kind.APPROVAL,
        text=text,
        url=edit.get_absolute_url(),
        community=edit.summary.community,
        actor=actor,
    )


def _require_reviewer(actor, edit: ProposedSummaryEdit) -> None:
    require(actor, Capability.APPROVE_EDIT, community=edit.summary.community)
    if edit.proposer_id == actor.pk:
        raise CapabilityDenied("Another member reviews your proposed edit, not you.")


def _locked(edit: ProposedSummaryEdit) -> ProposedSummaryEdit:
    locked = (
        ProposedSummaryEdit.objects.select_for_update(of=("self",))
        .select_related("base_revision", "proposer")
        .get(pk=edit.pk)
    )
    if not locked.is_open:
        raise ValidationError(ALREADY_DECIDED)
    return locked


def approve_edit(
    *,
    actor,
    edit: ProposedSummaryEdit,
    comment: str = "",
    merged: SummaryText | None = None,
    base_revision: int | None = None,
) -> EvidenceRevision | None:
    """Make the edit a revision of the summary, credited to the proposer, approved by `actor`.

    When the summary's text changed since the edit was proposed, raises SummaryEditConflict
    so the approver merges by hand; the merged text then comes back as `merged`, made from
    revision number `base_revision`. Returns None when the summary already reads this way.
    """
    summary = edit.summary
    _require_reviewer(actor, edit)
    with transaction.atomic():
        locked = EvidenceSummary.objects.select_for_update(of=("self",)).get(pk=summary.pk)
        locked.community = summary.community
        locked_edit = _locked(edit)
        locked_edit.summary = locked
        text = (merged or SummaryText.of(locked_edit)).normalised()
        current = SummaryText.of(locked)
        if merged is not None:
            base = locked.revisions.filter(number=base_revision).first()
            if base is None:
                raise ValidationError("The revision this text was merged with is not part of it.")
        else:
            base = locked_edit.base_revision
        moved = base.number != locked.revision_count and (
            revision_text(base) != current.as_revision()
        )
        if moved and current != text:
            raise SummaryEditConflict(summary=locked, theirs=locked.revisions.first(), yours=text)
        revision = None
        if current != text:
            now = timezone.now()
            for name, value in vars(text).items():
                setattr(locked, name, value)
            locked.key_findings_html = render_markdown(locked.key_findings)
            locked.implications_html = render_markdown(locked.implications)
            locked.updated_at = now
            locked.full_clean()
            locked.save()
            revision = record_revision(
                locked,
                author=locked_edit.proposer,
                edit_summary=locked_edit.edit_summary or "Proposed edit",
                now=now,
                approved_by=actor,
            )
        locked_edit.resulting_revision = revision
        _decide(locked_edit, actor=actor, status=EditStatus.APPROVED, comment=comment)
        transaction.on_commit(lambda: _tell_proposer(locked_edit, actor, "approved"))
    edit.status = locked_edit.status
    return revision


def request_changes(
    *, actor, edit: ProposedSummaryEdit, comment: str, confirm_guard: bool = False
) -> ProposedSummaryEdit:
    return _review(
        actor, edit, comment, EditStatus.CHANGES_REQUESTED, "asked for changes to", confirm_guard
    )


def decline_edit(
    *, actor, edit: ProposedSummaryEdit, comment: str, confirm_guard: bool = False
) -> ProposedSummaryEdit:
    return _review(actor, edit, comment, EditStatus.DECLINED, "declined", confirm_guard)


def _review(
    actor, edit: ProposedSummaryEdit, comment: str, status: str, verb: str, confirm_guard: bool
):
    _require_reviewer(actor, edit)
    if not comment.strip():
        raise ValidationError({"comment": "Say what should change, so the proposer can act on it."})
    # The comment goes into the proposer's notification too.
    screen(
        actor=actor,
        community=edit.summary.community,
        where="review comment",
        texts={"comment": comment},
        confirmed=confirm_guard,
    ).record(edit)
    with transaction.atomic():
        locked = _locked(edit)
        locked.summary = edit.summary
        _decide(locked, actor=actor, status=status, comment=comment)
        transaction.on_commit(lambda: _tell_proposer(locked, actor, verb))
    edit.status = locked.status
    return locked
