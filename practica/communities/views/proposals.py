"""Proposing a community, and the staff's queue of proposals to approve or decline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from practica.communities.capabilities import (
    InstanceCapability,
    can_on_instance,
    require_on_instance,
)
from practica.communities.forms import CommunityProposalForm, ProposalDecisionForm
from practica.communities.models import CommunityProposal
from practica.communities.services import proposals as services
from practica.privacy.forms import apply_service_error


@login_required
def proposal_create(request):
    require_on_instance(request.user, InstanceCapability.PROPOSE_COMMUNITY)
    form = CommunityProposalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.propose_community(
                    actor=request.user, confirm_guard=form.guard_confirmed, **form.cleaned_data
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"Proposed. The site’s administrators will decide on "
                    f"{form.cleaned_data['name']}; you will be told either way.",
                )
                return redirect("communities:proposals")
    return render(request, "communities/proposal_form.html", {"form": form}, status=status)


@login_required
def proposal_list(request):
    """Staff see the queue; anyone signed in sees their own proposals and the decisions."""
    reviewer = can_on_instance(request.user, InstanceCapability.REVIEW_COMMUNITY_PROPOSALS)
    pending = (
        list(
            CommunityProposal.objects.filter(status=CommunityProposal.Status.PENDING)
            .select_related("proposed_by", "proposed_by__organisation")
            .order_by("created_at", "pk")
        )
        if reviewer
        else []
    )
    mine = list(
        CommunityProposal.objects.filter(proposed_by=request.user)
        .select_related("decided_by", "community")
        .order_by("-created_at", "-pk")[:50]
    )
    decided = (
        list(
            CommunityProposal.objects.exclude(status=CommunityProposal.Status.PENDING)
            .select_related("proposed_by", "decided_by", "community")
            .order_by("-decided_at", "-pk")[:20]
        )
        if reviewer
        else []
    )
    return render(
        request,
        "communities/proposals.html",
        {
            "reviewer": reviewer,
            "pending": pending,
            "mine": mine,
            "decided": decided,
            "decision_form": ProposalDecisionForm(),
            "can_propose": can_on_instance(request.user, InstanceCapability.PROPOSE_COMMUNITY),
        },
    )


@login_required
@require_POST
def proposal_decide(request, proposal_id: int, decision: str):
    proposal = get_object_or_404(CommunityProposal, pk=proposal_id)
    form = ProposalDecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if decision == "approve":
            community = services.approve_proposal(actor=request.user, proposal=proposal, note=note)
            messages.success(
                request, f"{community.name} created; {proposal.proposed_by.name} is its steward."
            )
        else:
            services.decline_proposal(actor=request.user, proposal=proposal, note=note)
            messages.success(request, f"Declined {proposal.name}; the proposer has been told.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("communities:proposals")


urlpatterns = [
    path("propose/", proposal_create, name="propose"),
    path("proposals/", proposal_list, name="proposals"),
    path(
        "proposals/<int:proposal_id>/approve/",
        proposal_decide,
        {"decision": "approve"},
        name="proposal-approve",
    ),
    path(
        "proposals/<int:proposal_id>/decline/",
        proposal_decide,
        {"decision": "decline"},
        name="proposal-decline",
    ),
]
