"""Proposed edits to evidence summaries: proposing, the diff and the decision on it (with
the merge view when the summary moved on), and the proposer's own changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from practica.communities.capabilities import Capability, can, can_map, require
from practica.communities.lanyards import attach_lanyards
from practica.communities.views.browse import community_for
from practica.evidence import querysets
from practica.evidence.forms import SummaryTextForm
from practica.evidence.models import EvidenceRevision
from practica.evidence.services import edits as edit_services
from practica.evidence.services.edits import SummaryEditConflict, SummaryText
from practica.evidence.services.summaries import question_text
from practica.evidence.views.common import add_errors, summary_or_404
from practica.library.diff import FieldDiff, word_diff
from practica.library.forms import DecisionForm

EDIT_FIELDS = (
    ("Question", 0),
    ("Key findings", 1),
    ("Implications", 2),
)


def _revision_shape(obj) -> tuple[str, str, str]:
    """A revision's own text, or anything with a summary's text folded the way revisions
    fold it."""
    if isinstance(obj, EvidenceRevision):
        return edit_services.revision_text(obj)
    return question_text(obj), obj.key_findings, obj.implications


def edit_diffs(old, new) -> list[FieldDiff]:
    """The library's word diffs of the proposable text between two states of a summary."""
    before, after = _revision_shape(old), _revision_shape(new)
    return [FieldDiff(label, word_diff(before[i], after[i])) for label, i in EDIT_FIELDS]


def _edit_or_404(request, community_slug, summary_id, edit_id):
    community = community_for(request, community_slug)
    summary = summary_or_404(community, summary_id)
    edit = querysets.edit_for_page(summary, edit_id)
    if edit is None:
        raise Http404("No such proposed edit.")
    return community, summary, edit


def _initial(text, *, base_revision: int, edit_summary: str = "") -> dict:
    return {
        **vars(SummaryText.of(text)),
        "base_revision": base_revision,
        "edit_summary": edit_summary,
    }


def _form_page(request, community, summary, form, *, mode, edit=None, extra=None, status=200):
    context = {
        "community": community,
        "summary": summary,
        "form": form,
        "mode": mode,
        "edit": edit,
        "action": request.path,
        **(extra or {}),
    }
    return render(request, "evidence/edit_form.html", context, status=status)


@login_required
def summary_propose(request, community_slug, summary_id):
    community = community_for(request, community_slug)
    require(request.user, Capability.PROPOSE_EDIT, community=community)
    summary = summary_or_404(community, summary_id)
    if can(request.user, Capability.WRITE_EVIDENCE, community=community):
        return redirect(
            "evidence:summary-edit", community_slug=community.slug, summary_id=summary.pk
        )
    form = SummaryTextForm(
        request.POST or None, initial=_initial(summary, base_revision=summary.revision_count)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                edit = edit_services.propose_edit(
                    actor=request.user,
                    summary=summary,
                    base_revision=data["base_revision"],
                    text=SummaryText.from_data(data),
                    edit_summary=data["edit_summary"],
                    submission_key=data["submission_key"],
                    confirm_guard=form.guard_confirmed,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                if edit is None:
                    messages.info(
                        request, "Your text is the same as the summary’s, so nothing was proposed."
                    )
                else:
                    messages.success(
                        request, "Edit proposed. A full member will review it; you’ll be told."
                    )
                return redirect(summary)
    return _form_page(request, community, summary, form, mode="propose", status=status)


def _detail(request, community, summary, edit, *, form=None, status=200):
    attach_lanyards(community, [edit], "proposer")
    stale = edit_services.is_stale(edit, summary)
    context = {
        "community": community,
        "summary": summary,
        "edit": edit,
        "diffs": edit_diffs(edit.base_revision, edit),
        "stale": stale,
        "current_diffs": edit_diffs(summary, edit) if stale else None,
        "form": form or DecisionForm(),
        "is_proposer": edit.proposer_id == request.user.pk,
        **can_map(request.user, community, [Capability.APPROVE_EDIT]),
    }
    return render(request, "evidence/edit_detail.html", context, status=status)


def edit_detail(request, community_slug, summary_id, edit_id):
    community, summary, edit = _edit_or_404(request, community_slug, summary_id, edit_id)
    return _detail(request, community, summary, edit)


@login_required
@require_POST
def edit_decide(request, community_slug, summary_id, edit_id):
    community, summary, edit = _edit_or_404(request, community_slug, summary_id, edit_id)
    require(request.user, Capability.APPROVE_EDIT, community=community)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, community, summary, edit, form=form, status=400)
    decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
    merged_form = SummaryTextForm(request.POST) if request.POST.get("merged") else None
    try:
        if decision == "approve":
            merged, base = None, None
            if merged_form is not None:
                if not merged_form.is_valid():
                    return _merge_page(request, community, summary, edit, merged_form, comment)
                merged = SummaryText.from_data(merged_form.cleaned_data)
                base = merged_form.cleaned_data["base_revision"]
            revision = edit_services.approve_edit(
                actor=request.user, edit=edit, comment=comment, merged=merged, base_revision=base
            )
            if revision is None:
                messages.info(request, "Approved. The summary already read this way.")
            else:
                messages.success(
                    request, f"Approved as revision {revision.number}. The proposer has been told."
                )
        elif decision == "request_changes":
            edit_services.request_changes(
                actor=request.user, edit=edit, comment=comment, confirm_guard=form.guard_confirmed
            )
            messages.success(request, "Changes requested. The proposer has been told.")
        else:
            edit_services.decline_edit(
                actor=request.user, edit=edit, comment=comment, confirm_guard=form.guard_confirmed
            )
            messages.success(request, "Proposed edit declined. The proposer has been told.")
        return redirect(summary)
    except SummaryEditConflict as conflict:
        # The summary moved on since the edit was proposed: the approver merges the texts,
        # starting from the proposed one, against the latest revision.
        initial = _initial(
            conflict.yours,
            base_revision=conflict.theirs.number,
            edit_summary=edit.edit_summary,
        )
        return _merge_page(
            request, community, summary, edit, SummaryTextForm(initial=initial), comment, conflict
        )
    except ValidationError as error:
        target = merged_form if merged_form is not None else form
        add_errors(target, error)
        if target is merged_form:
            return _merge_page(request, community, summary, edit, merged_form, comment)
        return _detail(request, community, summary, edit, form=form, status=400)


def _merge_page(request, community, summary, edit, form, comment, conflict=None):
    theirs = conflict.theirs if conflict else summary.revisions.first()
    attach_lanyards(community, [theirs], "author")
    yours = conflict.yours if conflict else SummaryText.of(edit)
    extra = {
        "conflict": True,
        "theirs": theirs,
        "conflict_diffs": edit_diffs(theirs, yours),
        "comment": comment,
    }
    status = 409 if conflict else 400
    return _form_page(
        request, community, summary, form, mode="approve", edit=edit, extra=extra, status=status
    )


@login_required
def edit_revise(request, community_slug, summary_id, edit_id):
    community, summary, edit = _edit_or_404(request, community_slug, summary_id, edit_id)
    if edit.proposer_id != request.user.pk or not edit.is_open:
        messages.info(request, "Only the proposer can change an open proposed edit.")
        return redirect(edit)
    form = SummaryTextForm(
        request.POST or None,
        initial=_initial(
            edit, base_revision=edit.base_revision.number, edit_summary=edit.edit_summary
        ),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                edit_services.update_edit(
                    actor=request.user,
                    edit=edit,
                    text=SummaryText.from_data(data),
                    edit_summary=data["edit_summary"],
                    confirm_guard=form.guard_confirmed,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Proposed edit updated and sent back for review.")
                return redirect(edit)
    return _form_page(request, community, summary, form, mode="revise", edit=edit, status=status)
