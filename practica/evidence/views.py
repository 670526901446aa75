"""Evidence pages: summaries, appraisals, proposals and their workflow, decisions, the
policy brief and the stewards' due-for-review view."""

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
from practica.conversations.services.common import PatientDataFound
from practica.evidence import querysets
from practica.evidence.forms import (
    MOVE_FIELDS,
    MOVE_LABELS,
    AppraisalForm,
    DecisionFilterForm,
    MoveForm,
    ProposalForm,
    ScaleForm,
    SummaryEditForm,
    SummaryForm,
    initial_from_summary,
)
from practica.evidence.models import Appraisal, ProposalStatus
from practica.evidence.pdf import render_pdf
from practica.evidence.services import appraisals as appraisal_services
from practica.evidence.services import proposals as proposal_services
from practica.evidence.services import summaries as summary_services
from practica.evidence.services.common import citation_text, settings_for
from practica.evidence.services.summaries import SummaryConflict, SummaryInput
from practica.library.diff import FieldDiff, word_diff

SUMMARY_CAPABILITIES = [
    Capability.WRITE_EVIDENCE,
    Capability.APPRAISE_EVIDENCE,
    Capability.START_DISCUSSION,
    Capability.MOVE_PROPOSAL,
]


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: beside a field when it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _summary_or_404(community, summary_id: int):
    summary = querysets.summary_for_page(community, summary_id)
    if summary is None:
        raise Http404("No such evidence summary.")
    return summary


def _proposal_or_404(community, proposal_id: int):
    proposal = querysets.proposal_for_page(community, proposal_id)
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal


# --- evidence summaries --------------------------------------------------------------------------


def evidence_list(request, community_slug):
    community = community_for(request, community_slug)
    words = request.GET.get("q", "").strip()[:200]
    page = Paginator(querysets.summaries_for_list(community, words=words), 20).get_page(
        request.GET.get("page")
    )
    proposals = list(querysets.proposals_for_list(community)[:8])
    context = {
        "community": community,
        "page_obj": page,
        "summaries": page.object_list,
        "words": words,
        "query": f"q={words}" if words else "",
        "proposals": proposals,
        "scale": settings_for(community).get_scale_display(),
        **can_map(
            request.user,
            community,
            [Capability.WRITE_EVIDENCE, Capability.CONFIGURE, Capability.MOVE_PROPOSAL],
        ),
    }
    return render(request, "evidence/evidence_list.html", context)


def _summary_input(form) -> SummaryInput:
    return SummaryInput.from_data(
        {**form.cleaned_data, "reviewers": tuple(form.cleaned_data.get("reviewers") or ())}
    )


@login_required
def summary_new(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.WRITE_EVIDENCE, community=community)
    scale = settings_for(community).scale
    initial = {}
    if request.GET.get("reference", "").isdigit():
        initial["reference"] = int(request.GET["reference"])
    form = SummaryForm(request.POST or None, community=community, scale=scale, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                summary = summary_services.create_summary(
                    actor=request.user, community=community, data=_summary_input(form)
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "Evidence summary saved.")
                return redirect(summary)
        status = 400
    return render(
        request,
        "evidence/summary_form.html",
        {"community": community, "form": form, "summary": None},
        status=status,
    )


def _appraisal_context(request, community, summary, appraisal_form=None) -> dict:
    count, dimensions = querysets.appraisal_summary(summary)
    appraisals = attach_lanyards(community, querysets.appraisals_of(summary), "appraiser")
    mine = next((a for a in appraisals if a.appraiser_id == request.user.pk), None)
    if appraisal_form is None:
        appraisal_form = AppraisalForm(instance=mine or Appraisal())
    return {
        "appraisal_count": count,
        "dimensions": dimensions,
        "appraisals": appraisals,
        "my_appraisal": mine,
        "appraisal_form": appraisal_form,
    }


def summary_detail(request, community_slug, summary_id, *, appraisal_form=None, status=200):
    community = community_for(request, community_slug)
    summary = _summary_or_404(community, summary_id)
    reviewers = list(summary.reviewers.all())
    people = lanyards_for(community, [*reviewers, summary.created_by])
    context = {
        "community": community,
        "summary": summary,
        "citation": citation_text(summary),
        "reviewer_lanyards": [people[r.pk] for r in reviewers],
        "author_lanyard": people.get(summary.created_by_id),
        "proposals": list(summary.proposals.select_related("community").order_by("-updated_at")),
        **_appraisal_context(request, community, summary, appraisal_form),
        **can_map(request.user, community, SUMMARY_CAPABILITIES),
    }
    return render(request, "evidence/summary_detail.html", context, status=status)


@login_required
def summary_edit(request, community_slug, summary_id):
    community = community_for(request, community_slug)
    require(request.user, Capability.WRITE_EVIDENCE, community=community)
    summary = _summary_or_404(community, summary_id)
    form = SummaryEditForm(
        request.POST or None,
        community=community,
        scale=settings_for(community).scale,
        initial=initial_from_summary(summary),
    )
    status = 200
    conflict = None
    if request.method == "POST":
        if form.is_valid():
            try:
                summary_services.revise_summary(
                    actor=request.user,
                    summary=summary,
                    data=_summary_input(form),
                    base_revision=form.cleaned_data["base_revision"],
                    edit_summary=form.cleaned_data["edit_summary"],
                )
            except SummaryConflict as error:
                conflict = error.latest
                form.add_error(
                    None,
                    "Someone saved this summary while you were editing it. Your text is kept "
                    "below; compare it with their revision, then save again.",
                )
                status = 409
            except ValidationError as error:
                _add_errors(form, error)
                status = 400
            else:
                messages.success(request, "New revision saved.")
                return redirect(summary)
        else:
            status = 400
    if conflict is not None:
        data = form.data.copy()
        data["base_revision"] = summary.revision_count
        form.data = data
    return render(
        request,
        "evidence/summary_form.html",
        {"community": community, "form": form, "summary": summary, "conflict": conflict},
        status=status,
    )


REVISION_FIELDS = (
    ("Title", "title"),
    ("Citation", "citation"),
    ("Question", "question"),
    ("Level of evidence", "level"),
    ("Key findings", "key_findings"),
    ("Implications", "implications"),
)


def revision_diffs(old, new) -> list[FieldDiff]:
    """The library's word diffs, field by field, between two revisions of a summary."""
    return [
        FieldDiff(label, word_diff(getattr(old, name, "") if old else "", getattr(new, name)))
        for label, name in REVISION_FIELDS
    ]


def summary_history(request, community_slug, summary_id):
    community = community_for(request, community_slug)
    summary = _summary_or_404(community, summary_id)
    revisions = attach_lanyards(community, querysets.revisions_of(summary))
    for revision, older in zip(revisions, [*revisions[1:], None], strict=True):
        revision.diffs = revision_diffs(older, revision)
    return render(
        request,
        "evidence/summary_history.html",
        {"community": community, "summary": summary, "revisions": revisions},
    )


@login_required
@require_POST
def summary_appraise(request, community_slug, summary_id):
    community = community_for(request, community_slug)
    require(request.user, Capability.APPRAISE_EVIDENCE, community=community)
    summary = _summary_or_404(community, summary_id)
    form = AppraisalForm(request.POST)
    if form.is_valid():
        try:
            appraisal_services.record_appraisal(
                actor=request.user, summary=summary, answers=form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Your appraisal is recorded. Thank you.")
            return redirect(f"{summary.get_absolute_url()}#appraisals")
    return summary_detail(request, community_slug, summary_id, appraisal_form=form, status=400)


@login_required
@require_POST
def summary_discuss(request, community_slug, summary_id):
    community = community_for(request, community_slug)
    require(request.user, Capability.START_DISCUSSION, community=community)
    summary = _summary_or_404(community, summary_id)
    try:
        thread = summary_services.start_discussion(actor=request.user, summary=summary)
    except (ValidationError, PatientDataFound) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(summary)
    return redirect(thread)


@login_required
def evidence_settings(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.CONFIGURE, community=community)
    form = ScaleForm(request.POST or None, initial={"scale": settings_for(community).scale})
    if request.method == "POST" and form.is_valid():
        summary_services.set_scale(
            actor=request.user, community=community, scale=form.cleaned_data["scale"]
        )
        messages.success(request, "The scale is saved. New summaries use it.")
        return redirect("evidence:list", community_slug=community.slug)
    return render(request, "evidence/settings.html", {"community": community, "form": form})


@login_required
def due_for_review(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.WRITE_EVIDENCE, community=community)
    context = {"community": community, **querysets.due_for_review(community)}
    return render(request, "evidence/due_for_review.html", context)


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
                    actor=request.user, community=community, **form.cleaned_data
                )
            except ValidationError as error:
                _add_errors(form, error)
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
    proposal = _proposal_or_404(community, proposal_id)
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
    proposal = _proposal_or_404(community, proposal_id)
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
            )
        except proposal_services.ProposalMovedMeanwhile as error:
            messages.error(request, error.messages[0])
            return proposal_detail(request, community_slug, proposal_id, status=409)
        except ValidationError as error:
            if "to_status" in getattr(error, "error_dict", {}):
                messages.error(request, error.error_dict["to_status"][0].messages[0])
                return proposal_detail(request, community_slug, proposal_id, status=400)
            _add_errors(form, error)
        else:
            messages.success(request, f"The proposal is now “{ProposalStatus(to_status).label}”.")
            return redirect(proposal)
    return proposal_detail(
        request, community_slug, proposal_id, bound=(to_status, form), status=status
    )


def proposal_pdf(request, community_slug, proposal_id):
    community = community_for(request, community_slug)
    proposal = _proposal_or_404(community, proposal_id)
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
        "base_url": request.build_absolute_uri("/")[:-1],
    }
    return render_pdf(
        "evidence/pdf/policy_brief.html", context, filename=f"policy-brief-{proposal.pk}.pdf"
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
