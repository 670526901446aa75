"""Practice-change proposals and their workflow, the policy brief, and the decisions page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from practica.communities.capabilities import Capability, can_map, require
from practica.communities.lanyards import attach_lanyards, lanyards_for
from practica.communities.views.browse import community_for
from practica.evidence import querysets
from practica.evidence.forms import (
    MOVE_FIELDS,
    MOVE_LABELS,
    DecisionFilterForm,
    MoveForm,
    ProposalForm,
)
from practica.evidence.models import ProposalStatus
from practica.evidence.pdf import render_pdf
from practica.evidence.services import proposals as proposal_services
from practica.evidence.services.common import citation_text
from practica.evidence.views.common import add_errors, proposal_or_404
from practica.site import site_url

# --- proposals -----------------------------------------------------------------------------------


def proposal_list(request, community_slug):
    community = community_for(request, community_slug)
    status = request.GET.get("status", "")
    page = Paginator(querysets.proposals_for_list(community, status=status), 20).get_page(
        request.GET.get("page")
    )
    context = {
        "community": community,
        "page_obj": page,
        "proposals": page.object_list,
        "status": status,
        "statuses": ProposalStatus.choices,
        "query": f"status={status}" if status else "",
        **can_map(request.user, community, [Capability.WRITE_EVIDENCE]),
    }
    return render(request, "evidence/proposal_list.html", context)


@login_required
def proposal_new(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.WRITE_EVIDENCE, community=community)
    initial = {}
    if request.GET.get("summary", "").isdigit():
        initial["summaries"] = [int(request.GET["summary"])]
    form = ProposalForm(request.POST or None, community=community, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                proposal = proposal_services.propose_change(
                    actor=request.user,
                    community=community,
                    confirm_guard=form.guard_confirmed,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Proposal recorded.")
                return redirect(proposal)
        status = 400
    return render(
        request,
        "evidence/proposal_form.html",
        {"community": community, "form": form},
        status=status,
    )


def _move_forms(proposal, bound_status: str = "", bound_form=None) -> list[dict]:
    forms = []
    for to_status in proposal.next_statuses:
        form = (
            bound_form
            if to_status == bound_status
            else MoveForm(proposal=proposal, prefix=to_status)
        )
        forms.append(
            {
                "status": to_status,
                "label": MOVE_LABELS[to_status],
                "form": form,
                "fields": [form[name] for name in MOVE_FIELDS[to_status]],
                "open": to_status == bound_status,
            }
        )
    return forms


def proposal_detail(request, community_slug, proposal_id, *, bound=("", None), status=200):
    community = community_for(request, community_slug)
    proposal = proposal_or_404(community, proposal_id)
    decision = querysets.decision_of(proposal)
    transitions = attach_lanyards(community, proposal.transitions.all(), "actor")
    people = lanyards_for(
        community, [proposal.proposed_by, decision.decided_by if decision else None]
    )
    caps = can_map(request.user, community, [Capability.MOVE_PROPOSAL])
    context = {
        "community": community,
        "proposal": proposal,
        "decision": decision,
        "transitions": transitions,
        "proposer_lanyard": people.get(proposal.proposed_by_id),
        "decider_lanyard": people.get(decision.decided_by_id) if decision else None,
        "move_forms": _move_forms(proposal, *bound) if caps["can_move_proposal"] else [],
        "workflow": _workflow(proposal),
        **caps,
    }
    return render(request, "evidence/proposal_detail.html", context, status=status)


def _workflow(proposal) -> list[dict]:
    """The stages in order, marking those the proposal has passed through and where it is."""
    reached = {t.to_status for t in proposal.transitions.all()}
    return [
        {"label": label, "done": value in reached, "current": value == proposal.status}
        for value, label in ProposalStatus.choices
    ]


@login_required
@require_POST
def proposal_move(request, community_slug, proposal_id):
    community = community_for(request, community_slug)
    proposal = proposal_or_404(community, proposal_id)
    # Asked before anything else so the 403 names the stage that may move proposals.
    require(request.user, Capability.MOVE_PROPOSAL, community=community)
    to_status = request.POST.get("to_status", "")
    if to_status not in ProposalStatus.values:
        raise Http404("No such stage.")
    form = MoveForm(request.POST, proposal=proposal, prefix=to_status)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            proposal_services.move_proposal(
                actor=request.user,
                proposal=proposal,
                to_status=to_status,
                expected_status=data["expected_status"],
                reason=data["reason"],
                pilot_plan=data["pilot_plan"],
                pilot_measures=data["pilot_measures"],
                pilot_results=data["pilot_results"],
                decision=proposal_services.DecisionInput(
                    context=data["context"],
                    options_considered=data["options_considered"],
                    rationale=data["rationale"],
                    evidence=list(data["evidence"]),
                ),
                library_article=data["library_article"],
                review_by=data["review_by"],
                confirm_guard=form.guard_confirmed,
            )
        except proposal_services.ProposalMovedMeanwhile as error:
            messages.error(request, error.messages[0])
            return proposal_detail(request, community_slug, proposal_id, status=409)
        except ValidationError as error:
            if "to_status" in getattr(error, "error_dict", {}):
                messages.error(request, error.error_dict["to_status"][0].messages[0])
                return proposal_detail(request, community_slug, proposal_id, status=400)
            add_errors(form, error)
        else:
            messages.success(request, f"The proposal is now “{ProposalStatus(to_status).label}”.")
            return redirect(proposal)
    return proposal_detail(
        request, community_slug, proposal_id, bound=(to_status, form), status=status
    )


def proposal_pdf(request, community_slug, proposal_id):
    community = community_for(request, community_slug)
    proposal = proposal_or_404(community, proposal_id)
    decision = querysets.decision_of(proposal)
    if not proposal.has_brief or decision is None:
        raise Http404("Only an adopted practice has a policy brief.")
    summaries = {s.pk: s for s in [*proposal.summaries.all(), *decision.evidence.all()]}
    evidence = sorted(summaries.values(), key=lambda s: s.title)
    for summary in evidence:
        summary.citation = citation_text(summary)
    context = {
        "community": community,
        "proposal": proposal,
        "decision": decision,
        "evidence": evidence,
        "transitions": list(proposal.transitions.all()),
        "base_url": site_url(),
    }
    return render_pdf(
        "evidence/pdf/policy_brief.html",
        context,
        filename=f"policy-brief-{proposal.pk}.pdf",
        reader=request.user,
    )


# --- decisions -----------------------------------------------------------------------------------


def decision_list(request, community_slug):
    community = community_for(request, community_slug)
    form = DecisionFilterForm(request.GET or None)
    filters = querysets.DecisionFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = querysets.DecisionFilters(
            words=data["q"], outcome=data["outcome"], since=data["since"], until=data["until"]
        )
    page = Paginator(querysets.decisions_for_list(community, filters), 20).get_page(
        request.GET.get("page")
    )
    decisions = list(page.object_list)
    people = lanyards_for(community, [d.decided_by for d in decisions])
    for decision in decisions:
        decision.lanyard = people.get(decision.decided_by_id)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "community": community,
        "form": form,
        "page_obj": page,
        "decisions": decisions,
        "filtered": any((filters.words, filters.outcome, filters.since, filters.until)),
        "query": query.urlencode(),
    }
    return render(request, "evidence/decision_list.html", context)
