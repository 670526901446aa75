"""Practice-change proposals: propose, move along the workflow, decide."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from practica.communities.capabilities import Capability, require
from practica.communities.models import Community
from practica.evidence.models import (
    DECIDING_STATUSES,
    NEXT_STATUSES,
    Decision,
    EvidenceSummary,
    PracticeProposal,
    ProposalStatus,
    ProposalTransition,
)
from practica.markdown import render_markdown
from practica.privacy.guard import screen
from practica.reliability.idempotency import once_per_key

MAX_LINKS = 10


@dataclass(frozen=True)
class DecisionInput:
    """What a decision records besides the move itself."""

    context: str
    options_considered: str
    rationale: str
    evidence: list = field(default_factory=list)


class ProposalMovedMeanwhile(ValidationError):
    """The proposal left the state the mover saw before their move arrived; nothing was written."""

    def __init__(self, proposal: PracticeProposal, last: ProposalTransition | None):
        who = last.actor.name if last is not None and last.actor is not None else "Someone"
        now_at = ProposalStatus(proposal.status).label
        super().__init__(
            f"{who} moved this proposal to “{now_at}” while you were looking at it, so your "
            "move was not made. Read what changed below, then move it again if it is still right."
        )
        self.proposal = proposal
        self.last = last


def _clean_links(links: Iterable[str]) -> list[str]:
    cleaned = []
    check = URLValidator(schemes=["http", "https"])
    for raw in links:
        link = raw.strip()
        if not link:
            continue
        if not link.startswith("/"):
            try:
                check(link)
            except ValidationError:
                raise ValidationError(
                    {
                        "discussion_links": f"“{link[:80]}” is not a link. Paste the address of "
                        "each thread, one a line (https://… or /c/…)."
                    }
                ) from None
        cleaned.append(link[:500])
    if len(cleaned) > MAX_LINKS:
        raise ValidationError({"discussion_links": f"Link at most {MAX_LINKS} threads."})
    return cleaned


def _check_summaries(community: Community, summaries, field_name: str) -> list:
    summaries = list(summaries)
    if any(s.community_id != community.pk for s in summaries):
        raise ValidationError({field_name: "Choose evidence summaries from this community."})
    return summaries


@once_per_key("evidence.propose_change")
def propose_change(
    *,
    actor,
    community: Community,
    title: str,
    change: str,
    summaries: Iterable[EvidenceSummary] = (),
    discussion_links: Iterable[str] = (),
    confirm_guard: bool = False,
) -> PracticeProposal:
    """Propose a change to the community's practice, linked to its evidence and threads.

    Raises CapabilityDenied without WRITE_EVIDENCE, ValidationError for bad input and
    PatientDataFound (see privacy.guard).
    """
    require(actor, Capability.WRITE_EVIDENCE, community=community)
    summaries = _check_summaries(community, summaries, "summaries")
    links = _clean_links(discussion_links)
    screening = screen(
        actor=actor,
        community=community,
        where="practice-change proposal",
        texts={"title": title, "change": change},
        confirmed=confirm_guard,
    )
    now = timezone.now()
    with transaction.atomic():
        proposal = PracticeProposal(
            community=community,
            title=" ".join(title.split()),
            change=change.replace("\r\n", "\n").strip(),
            discussion_links=links,
            proposed_by=actor,
            created_at=now,
            updated_at=now,
        )
        proposal.change_html = render_markdown(proposal.change)
        proposal.full_clean()
        proposal.save()
        proposal.summaries.set(summaries)
        screening.record(proposal)
        ProposalTransition.objects.create(
            proposal=proposal,
            from_status="",
            to_status=ProposalStatus.PROPOSED,
            actor=actor,
            reason="Proposed.",
            created_at=now,
        )
    return proposal


def check_move(proposal: PracticeProposal, to_status: str) -> None:
    """ValidationError unless the workflow leads from the proposal's stage to `to_status`."""
    here = ProposalStatus(proposal.status).label
    allowed = NEXT_STATUSES[proposal.status]
    if to_status in allowed:
        return
    if not allowed:
        message = f"This proposal is “{here}”: its workflow has ended, so it can't move again."
    else:
        target = (
            f"“{ProposalStatus(to_status).label}”"
            if to_status in ProposalStatus.values
            else "that stage"
        )
        onward = " or ".join(f"“{ProposalStatus(s).label}”" for s in allowed)
        message = (
            f"A proposal that is “{here}” moves next to {onward}; it can't go straight to "
            f"{target}. Each step of the workflow is recorded, so none can be skipped."
        )
    raise ValidationError({"to_status": message})


def _check_requirements(
    community: Community,
    to_status: str,
    *,
    reason: str,
    pilot_plan: str,
    pilot_measures: str,
    pilot_results: str,
    decision: DecisionInput | None,
    library_article,
) -> None:
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Say why the proposal moves: it is kept with the move."
    if to_status == ProposalStatus.PILOTING:
        if not pilot_plan.strip():
            errors["pilot_plan"] = "A pilot needs a plan: where, for how long, who takes part."
        if not pilot_measures.strip():
            errors["pilot_measures"] = "Say what the pilot will measure to show it worked."
    if to_status == ProposalStatus.ADOPTED and not pilot_results.strip():
        errors["pilot_results"] = "Record what the pilot found before adopting the change."
    if to_status in DECIDING_STATUSES:
        if decision is None:
            decision = DecisionInput("", "", "")
        if not decision.context.strip():
            errors["context"] = "Give the decision's context: what prompted it."
        if not decision.options_considered.strip():
            errors["options_considered"] = "List the options that were considered."
        if not decision.rationale.strip():
            errors["rationale"] = "Say why this option was chosen."
        if any(s.community_id != community.pk for s in decision.evidence):
            errors["evidence"] = "Choose evidence summaries from this community."
    if library_article is not None and library_article.community_id != community.pk:
        errors["library_article"] = "Choose an article from this community's library."
    if errors:
        raise ValidationError(errors)


def move_proposal(
    *,
    actor,
    proposal: PracticeProposal,
    to_status: str,
    expected_status: str,
    reason: str,
    pilot_plan: str = "",
    pilot_measures: str = "",
    pilot_results: str = "",
    decision: DecisionInput | None = None,
    library_article=None,
    review_by: datetime.date | None = None,
    confirm_guard: bool = False,
) -> ProposalTransition:
    """Move `proposal` one step along the workflow, recording who, when and why.

    `expected_status` is the stage the mover saw; if the proposal has moved since, the
    move is refused with ProposalMovedMeanwhile (two people deciding at once: one wins).
    Adopting or declining also records the Decision.

    Raises CapabilityDenied without MOVE_PROPOSAL, ValidationError for a skipped step or
    missing pilot plan, results or decision.
    """
    community = proposal.community
    require(actor, Capability.MOVE_PROPOSAL, community=community)
    if proposal.status == expected_status:
        # A skipped step is named before any missing field; rechecked under the lock.
        check_move(proposal, to_status)
    _check_requirements(
        community,
        to_status,
        reason=reason,
        pilot_plan=pilot_plan,
        pilot_measures=pilot_measures,
        pilot_results=pilot_results,
        decision=decision,
        library_article=library_article,
    )
    texts = {
        "reason": reason,
        "pilot_plan": pilot_plan,
        "pilot_measures": pilot_measures,
        "pilot_results": pilot_results,
    }
    if decision is not None:
        texts.update(
            context=decision.context,
            options_considered=decision.options_considered,
            rationale=decision.rationale,
        )
    screening = screen(
        actor=actor,
        community=community,
        where="decision" if to_status in DECIDING_STATUSES else "proposal step",
        texts=texts,
        confirmed=confirm_guard,
    )
    now = timezone.now()
    with transaction.atomic():
        locked = PracticeProposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
        if locked.status != expected_status:
            last = locked.transitions.select_related("actor").order_by("-created_at", "-pk").first()
            locked.community = community
            raise ProposalMovedMeanwhile(locked, last)
        check_move(locked, to_status)
        from_status = locked.status
        locked.status = to_status
        locked.updated_at = now
        if to_status == ProposalStatus.PILOTING:
            locked.pilot_plan = pilot_plan.strip()
            locked.pilot_measures = pilot_measures.strip()
        if to_status in DECIDING_STATUSES and pilot_results.strip():
            locked.pilot_results = pilot_results.strip()
        if to_status == ProposalStatus.ADOPTED:
            locked.library_article = library_article
            locked.review_by = review_by
        locked.full_clean()
        locked.save()
        transition = ProposalTransition.objects.create(
            proposal=locked,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            reason=reason.strip(),
            created_at=now,
        )
        if to_status in DECIDING_STATUSES:
            record = Decision(
                community=community,
                proposal=locked,
                outcome=to_status,
                context=decision.context.strip(),
                options_considered=decision.options_considered.strip(),
                rationale=decision.rationale.strip(),
                decided_by=actor,
                decided_at=now,
            )
            record.full_clean()
            record.save()
            record.evidence.set(decision.evidence)
            if to_status == ProposalStatus.ADOPTED:
                from practica.api.webhooks.services import emit
                from practica.site import absolute_url

                emit(
                    "decision.adopted",
                    community=community,
                    data={
                        "decision_id": record.pk,
                        "proposal_id": locked.pk,
                        "title": locked.title,
                        "decided_by": actor.username,
                        "url": absolute_url(locked.get_absolute_url()),
                    },
                )
        screening.record(locked)
        _tell_proposer(locked, actor=actor, community=community, to_status=to_status)
    for name in ("status", "updated_at", "pilot_plan", "pilot_measures", "pilot_results"):
        setattr(proposal, name, getattr(locked, name))
    proposal.library_article = locked.library_article
    proposal.review_by = locked.review_by
    return transition


def _tell_proposer(proposal, *, actor, community, to_status: str) -> None:
    from practica.notifications.models import Notification
    from practica.notifications.services import notify

    recipient = proposal.proposed_by
    if recipient is None:
        return
    text = f"Your proposal “{proposal.title}” is now {ProposalStatus(to_status).label.lower()}."
    url = proposal.get_absolute_url()
    transaction.on_commit(
        lambda: notify(
            recipient=recipient,
            kind=Notification.Kind.APPROVAL,
            text=text,
            url=url,
            community=community,
            actor=actor,
        )
    )
