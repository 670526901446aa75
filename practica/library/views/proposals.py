"""A proposed edit: its diff, the decision on it, and the proposer's own changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from practica.communities.capabilities import Capability, can_map
from practica.communities.lanyards import attach_lanyards
from practica.library.diff import text_diffs
from practica.library.forms import ArticleTextForm, DecisionForm
from practica.library.models import ProposedEdit
from practica.library.services import proposals as proposal_services
from practica.library.services.articles import ArticleText, EditConflict
from practica.library.views.articles import _conflict_context
from practica.library.views.common import add_validation_errors, article_or_404


def _proposal(request, community_slug, article_slug, proposal_id):
    community, article = article_or_404(request, community_slug, article_slug)
    proposal = get_object_or_404(
        ProposedEdit.objects.select_related("proposer", "base_revision", "reviewer"),
        pk=proposal_id,
        article=article,
    )
    proposal.article = article
    return community, article, proposal


def _page(request, community, article, proposal, *, form=None, status=200):
    attach_lanyards(community, [proposal], "proposer")
    current = article.current_revision
    stale = proposal.is_open and current is not None and proposal.base_revision_id != current.pk
    context = {
        "community": community,
        "article": article,
        "proposal": proposal,
        "diffs": text_diffs(proposal.base_revision, proposal),
        "stale": stale,
        "current_diffs": text_diffs(current, proposal) if stale else None,
        "form": form or DecisionForm(),
        "is_proposer": proposal.proposer_id == request.user.pk,
        **can_map(request.user, community, [Capability.APPROVE_EDIT]),
    }
    return render(request, "library/proposal_detail.html", context, status=status)


def proposal_detail(request, community_slug, article_slug, proposal_id):
    community, article, proposal = _proposal(request, community_slug, article_slug, proposal_id)
    return _page(request, community, article, proposal)


@require_POST
@login_required
def proposal_decide(request, community_slug, article_slug, proposal_id):
    community, article, proposal = _proposal(request, community_slug, article_slug, proposal_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _page(request, community, article, proposal, form=form, status=400)
    decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
    try:
        if decision == "approve":
            merged, base = None, None
            if request.POST.get("merged"):
                text_form = ArticleTextForm(request.POST)
                if text_form.is_valid():
                    data = text_form.cleaned_data
                    merged = ArticleText(data["title"], data["summary"], data["body"])
                    base = data["base_revision"]
            revision = proposal_services.approve_proposal(
                actor=request.user,
                proposal=proposal,
                comment=comment,
                merged=merged,
                base_revision_id=base,
            )
            if revision is None:
                messages.info(
                    request, "Approved. The article already read this way, so no new revision."
                )
            else:
                messages.success(
                    request, f"Approved as revision {revision.number}. The proposer has been told."
                )
            return redirect(article)
        if decision == "request_changes":
            proposal_services.request_changes(
                actor=request.user,
                proposal=proposal,
                comment=comment,
                confirm_guard=form.guard_confirmed,
            )
            messages.success(request, "Changes requested. The proposer has been told.")
        else:
            proposal_services.decline_proposal(
                actor=request.user,
                proposal=proposal,
                comment=comment,
                confirm_guard=form.guard_confirmed,
            )
            messages.success(request, "Proposal declined. The proposer has been told.")
        return redirect(article)
    except EditConflict as conflict:
        # The article moved on since the proposal: the approver merges the two texts.
        data = {
            "title": conflict.yours.title,
            "summary": conflict.yours.summary,
            "body": conflict.yours.body,
            "base_revision": conflict.theirs.pk,
            "edit_summary": proposal.edit_summary,
        }
        return render(
            request,
            "library/article_edit.html",
            {
                "community": community,
                "article": article,
                "form": ArticleTextForm(initial=data),
                "mode": "approve",
                "proposal": proposal,
                "comment": comment,
                "action": request.path,
                **_conflict_context(conflict, community),
            },
            status=409,
        )
    except ValidationError as error:
        add_validation_errors(form, error)
        return _page(request, community, article, proposal, form=form, status=400)


@login_required
def proposal_edit(request, community_slug, article_slug, proposal_id):
    community, article, proposal = _proposal(request, community_slug, article_slug, proposal_id)
    if proposal.proposer_id != request.user.pk or not proposal.is_open:
        messages.info(request, "Only the proposer can change an open proposal.")
        return redirect(f"{article.get_absolute_url()}proposals/{proposal.pk}/")
    initial = {
        "title": proposal.title,
        "summary": proposal.summary,
        "body": proposal.body,
        "edit_summary": proposal.edit_summary,
        "base_revision": proposal.base_revision_id,
    }
    form = ArticleTextForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal_services.update_proposal(
                actor=request.user,
                proposal=proposal,
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
                edit_summary=data["edit_summary"],
                confirm_guard=form.guard_confirmed,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Proposal updated and sent back for review.")
            return redirect(f"{article.get_absolute_url()}proposals/{proposal.pk}/")
    return render(
        request,
        "library/article_edit.html",
        {
            "community": community,
            "article": article,
            "form": form,
            "mode": "revise",
            "proposal": proposal,
            "action": request.path,
        },
    )
