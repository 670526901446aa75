"""Proposed edits: members who may not edit directly offer a revision; full members
approve it, ask for changes, or decline it, and the proposer is told.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from practica.communities.capabilities import Capability, CapabilityDenied, require
from practica.library.models import Article, ProposalStatus, ProposedEdit, Revision
from practica.library.services.articles import (
    ArticleText,
    EditConflict,
    _refresh,
    _write_revision,
    may_read,
)
from practica.notifications.models import Notification
from practica.notifications.services import notify
from practica.privacy.guard import changed_texts, screen
from practica.reliability.idempotency import once_per_key


def _proposal_url(proposal: ProposedEdit) -> str:
    return f"{proposal.article.get_absolute_url()}proposals/{proposal.pk}/"


@once_per_key("library.propose_edit")
def propose_edit(
    *,
    actor,
    article: Article,
    base_revision_id: int,
    title: str,
    summary: str,
    body: str,
    edit_summary: str = "",
    confirm_guard: bool = False,
) -> ProposedEdit | None:
    """Offer an edit for review; None when the text is the same as the one it starts from.

    Raises PatientDataFound for what the edit adds (see privacy.guard).
    """
    require(actor, Capability.PROPOSE_EDIT, community=article.community)
    if not may_read(actor, article):
        raise CapabilityDenied("You can't see this article.")
    text = ArticleText(title, summary, body).normalised()
    base = Revision.objects.filter(article=article, pk=base_revision_id).first()
    if base is None:
        raise ValidationError("The revision this edit starts from is not part of this article.")
    if ArticleText.of(base) == text:
        return None
    screening = screen(
        actor=actor,
        community=article.community,
        where="proposed edit",
        texts={**changed_texts(base, text.fields()), "edit_summary": edit_summary},
        confirmed=confirm_guard,
    )
    proposal = ProposedEdit(
        article=article,
        base_revision=base,
        title=text.title,
        summary=text.summary,
        body=text.body,
        edit_summary=edit_summary.strip(),
        proposer=actor,
    )
    with transaction.atomic():
        proposal.full_clean()
        proposal.save()
        screening.record(proposal)
        owners = list(article.owners.all())
        transaction.on_commit(lambda: _tell_owners(proposal, owners, actor))
    return proposal


def _tell_owners(proposal: ProposedEdit, owners, actor) -> None:
    for owner in owners:
        notify(
            recipient=owner,
            kind=Notification.Kind.STEWARD,
            text=f"{actor.name} proposed an edit to “{proposal.article.title}”.",
            url=_proposal_url(proposal),
            community=proposal.article.community,
            actor=actor,
        )


def update_proposal(
    *,
    actor,
    proposal: ProposedEdit,
    title: str,
    summary: str,
    body: str,
    edit_summary: str = "",
    confirm_guard: bool = False,
) -> ProposedEdit:
    """The proposer revises their open proposal (after a request for changes); back to pending."""
    if proposal.proposer_id != actor.pk:
        raise CapabilityDenied("Only the person who proposed this edit can change it.")
    require(actor, Capability.PROPOSE_EDIT, community=proposal.article.community)
    text = ArticleText(title, summary, body).normalised()
    screening = screen(
        actor=actor,
        community=proposal.article.community,
        where="proposed edit",
        texts=changed_texts(proposal, {**text.fields(), "edit_summary": edit_summary.strip()}),
        confirmed=confirm_guard,
    )
    with transaction.atomic():
        locked = ProposedEdit.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
        if not locked.is_open:
            raise ValidationError("This proposal has already been decided.")
        locked.title, locked.summary, locked.body = text.title, text.summary, text.body
        locked.edit_summary = edit_summary.strip()
        locked.status = ProposalStatus.PENDING
        locked.updated_at = timezone.now()
        locked.full_clean()
        locked.save()
        screening.record(locked)
    return locked


def _decide(proposal: ProposedEdit, *, actor, status: str, comment: str) -> ProposedEdit:
    proposal.status = status
    proposal.reviewer = actor
    proposal.review_comment = comment.strip()
    proposal.reviewed_at = timezone.now()
    proposal.updated_at = proposal.reviewed_at
    proposal.full_clean()
    proposal.save()
    return proposal


def _tell_proposer(proposal: ProposedEdit, actor, verb: str) -> None:
    text = f"{actor.name} {verb} your proposed edit to “{proposal.article.title}”"
    if proposal.review_comment:
        text += f": {proposal.review_comment}"
    notify(
        recipient=proposal.proposer,
        kind=Notification.Kind.APPROVAL,
        text=text,
        url=_proposal_url(proposal),
        community=proposal.article.community,
        actor=actor,
    )


def approve_proposal(
    *,
    actor,
    proposal: ProposedEdit,
    comment: str = "",
    merged: ArticleText | None = None,
    base_revision_id: int | None = None,
) -> Revision | None:
    """Make the proposal a revision, credited to the proposer and approved by `actor`.

    When the article changed since the proposal was made, raises EditConflict so the
    approver merges by hand; the merged text then comes back as `merged`, made from
    `base_revision_id`.
    """
    article = proposal.article
    require(actor, Capability.APPROVE_EDIT, community=article.community)
    with transaction.atomic():
        locked = Article.objects.select_for_update(of=("self",)).get(pk=article.pk)
        locked.community = article.community
        locked_proposal = ProposedEdit.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
        locked_proposal.article = locked
        if not locked_proposal.is_open:
            raise ValidationError("This proposal has already been decided.")
        current = locked.current_revision
        base_id = base_revision_id if merged is not None else locked_proposal.base_revision_id
        text = (merged or ArticleText.of(locked_proposal)).normalised()
        if current is not None and current.pk != base_id and ArticleText.of(current) != text:
            raise EditConflict(article=locked, theirs=current, yours=text)
        revision = None
        if current is None or ArticleText.of(current) != text:
            revision = _write_revision(
                locked,
                author=locked_proposal.proposer,
                text=text,
                edit_summary=locked_proposal.edit_summary or "Proposed edit",
                approved_by=actor,
            )
            locked.save()
        locked_proposal.resulting_revision = revision
        _decide(locked_proposal, actor=actor, status=ProposalStatus.APPROVED, comment=comment)
        transaction.on_commit(lambda: _tell_proposer(locked_proposal, actor, "approved"))
    _refresh(article, locked)
    proposal.status = locked_proposal.status
    return revision


def request_changes(
    *, actor, proposal: ProposedEdit, comment: str, confirm_guard: bool = False
) -> ProposedEdit:
    return _review(
        actor,
        proposal,
        comment,
        ProposalStatus.CHANGES_REQUESTED,
        "asked for changes to",
        confirm_guard,
    )


def decline_proposal(
    *, actor, proposal: ProposedEdit, comment: str, confirm_guard: bool = False
) -> ProposedEdit:
    return _review(actor, proposal, comment, ProposalStatus.DECLINED, "declined", confirm_guard)


def _review(
    actor, proposal: ProposedEdit, comment: str, status: str, verb: str, confirm_guard: bool
) -> ProposedEdit:
    require(actor, Capability.APPROVE_EDIT, community=proposal.article.community)
    if not comment.strip():
        raise ValidationError({"comment": "Say what should change, so the proposer can act on it."})
    # The comment goes into the proposer's notification too.
    screen(
        actor=actor,
        community=proposal.article.community,
        where="review comment",
        texts={"comment": comment},
        confirmed=confirm_guard,
    ).record(proposal)
    with transaction.atomic():
        locked = ProposedEdit.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
        locked.article = proposal.article
        if not locked.is_open:
            raise ValidationError("This proposal has already been decided.")
        _decide(locked, actor=actor, status=status, comment=comment)
        transaction.on_commit(lambda: _tell_proposer(locked, actor, verb))
    proposal.status = locked.status
    return locked
