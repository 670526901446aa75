"""Evidence summary pages: the list, writing and editing, history, appraisals, the linked
discussion, the scale and the stewards' due-for-review view."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from practica.communities.capabilities import Capability, can_map, require
from practica.communities.lanyards import attach_lanyards, lanyards_for
from practica.communities.views.browse import community_for
from practica.evidence import querysets
from practica.evidence.forms import (
    AppraisalForm,
    ScaleForm,
    SummaryEditForm,
    SummaryForm,
    initial_from_summary,
)
from practica.evidence.models import Appraisal
from practica.evidence.services import appraisals as appraisal_services
from practica.evidence.services import summaries as summary_services
from practica.evidence.services.common import citation_text, settings_for
from practica.evidence.services.edits import is_stale
from practica.evidence.services.summaries import SummaryConflict, SummaryInput
from practica.evidence.views.common import add_errors, summary_or_404
from practica.evidence.views.edits import edit_diffs
from practica.forms import form_status
from practica.library.diff import FieldDiff, word_diff
from practica.privacy.guard import PatientDataFound, keep_log

SUMMARY_CAPABILITIES = [
    Capability.WRITE_EVIDENCE,
    Capability.PROPOSE_EDIT,
    Capability.APPROVE_EDIT,
    Capability.APPRAISE_EVIDENCE,
    Capability.START_DISCUSSION,
    Capability.MOVE_PROPOSAL,
]

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
        {
            **form.cleaned_data,
            "reviewers": tuple(form.cleaned_data.get("reviewers") or ()),
            "topics": tuple(form.cleaned_data.get("topics") or ()),
        }
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
                    actor=request.user,
                    community=community,
                    data=_summary_input(form),
                    submission_key=form.cleaned_data["submission_key"],
                    confirm_guard=form.guard_confirmed,
                )
            except ValidationError as error:
                add_errors(form, error)
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
    summary = summary_or_404(community, summary_id)
    reviewers = list(summary.reviewers.all())
    edits = querysets.open_edits(summary)
    people = lanyards_for(
        community, [*reviewers, summary.created_by, *(edit.proposer for edit in edits)]
    )
    for edit in edits:
        edit.lanyard = people[edit.proposer_id]
        edit.diffs = edit_diffs(edit.base_revision, edit)
        edit.stale = is_stale(edit, summary)
    context = {
        "community": community,
        "summary": summary,
        "citation": citation_text(summary),
        "reviewer_lanyards": [people[r.pk] for r in reviewers],
        "author_lanyard": people.get(summary.created_by_id),
        "edits": edits,
        "proposals": list(summary.proposals.select_related("community").order_by("-updated_at")),
        **_appraisal_context(request, community, summary, appraisal_form),
        **can_map(request.user, community, SUMMARY_CAPABILITIES),
    }
    return render(request, "evidence/summary_detail.html", context, status=status)


@login_required
def summary_edit(request, community_slug, summary_id):
    community = community_for(request, community_slug)
    require(request.user, Capability.WRITE_EVIDENCE, community=community)
    summary = summary_or_404(community, summary_id)
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
                    confirm_guard=form.guard_confirmed,
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
                add_errors(form, error)
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
    summary = summary_or_404(community, summary_id)
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
    summary = summary_or_404(community, summary_id)
    form = AppraisalForm(request.POST)
    if form.is_valid():
        try:
            appraisal_services.record_appraisal(
                actor=request.user,
                summary=summary,
                answers=form.cleaned_data,
                confirm_guard=form.guard_confirmed,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Your appraisal is recorded. Thank you.")
            return redirect(f"{summary.get_absolute_url()}#appraisals")
    return summary_detail(request, community_slug, summary_id, appraisal_form=form, status=400)


@login_required
@require_POST
def summary_discuss(request, community_slug, summary_id):
    community = community_for(request, community_slug)
    require(request.user, Capability.START_DISCUSSION, community=community)
    summary = summary_or_404(community, summary_id)
    try:
        thread = summary_services.start_discussion(actor=request.user, summary=summary)
    except PatientDataFound as found:
        keep_log(found)  # the thread was started inside the summary's transaction
        messages.error(request, found.message)
        return redirect(summary)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
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
    return render(
        request,
        "evidence/settings.html",
        {"community": community, "form": form},
        status=form_status(form),
    )


@login_required
def due_for_review(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.WRITE_EVIDENCE, community=community)
    context = {"community": community, **querysets.due_for_review(community)}
    return render(request, "evidence/due_for_review.html", context)
