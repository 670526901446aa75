"""The library page, article pages, the editor (with its merge view), history and diffs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from practica.communities.capabilities import Capability, can, can_map, require
from practica.communities.lanyards import attach_lanyards
from practica.communities.models import Topic
from practica.communities.views.browse import community_for
from practica.library.citations import vancouver
from practica.library.diff import text_diffs
from practica.library.forms import (
    ArticleCreateForm,
    ArticleEditForm,
    ArticleTextForm,
    CommentForm,
    ReviewForm,
    StatusForm,
)
from practica.library.glossary import link_glossary_terms
from practica.library.models import ArticleKind, ArticleStatus, Revision
from practica.library.querysets import (
    LibraryFilters,
    Person,
    attach_people,
    comments_of,
    contributors_of,
    drafts_for,
    due_count,
    library_articles,
    library_facets,
    open_proposals,
    revisions_for_history,
)
from practica.library.services import articles as article_services
from practica.library.services import proposals as proposal_services
from practica.library.services.articles import EditConflict, may_edit
from practica.library.views.common import add_validation_errors, article_or_404
from practica.markdown import render_markdown
from practica.privacy.redaction import may_redact_object

ARTICLE_CAPABILITIES = [
    Capability.EDIT_ARTICLE,
    Capability.PROPOSE_EDIT,
    Capability.APPROVE_EDIT,
    Capability.COMMENT_ARTICLE,
    Capability.DRAFT_ARTICLE,
]


def library(request, community_slug):
    community = community_for(request, community_slug)
    topic = None
    if request.GET.get("topic"):
        topic = Topic.objects.filter(community=community, slug=request.GET["topic"]).first()
    status = request.GET.get("status")
    filters = LibraryFilters(
        topic=topic,
        kind=request.GET.get("type", ""),
        sort=request.GET.get("sort", "recent"),
        status=ArticleStatus.ARCHIVED if status == "archived" else ArticleStatus.PUBLISHED,
    )
    page = Paginator(library_articles(request.user, community, filters), 20).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "community": community,
        "page_obj": page,
        "articles": page.object_list,
        "filters": filters,
        "query": query.urlencode(),
        "drafts": list(drafts_for(request.user, community)[:20]),
        "due_count": due_count(community)
        if can(request.user, Capability.EDIT_ARTICLE, community=community)
        else 0,
        "kind_choices": ArticleKind.choices,
        **library_facets(community),
        **can_map(request.user, community, ARTICLE_CAPABILITIES + [Capability.UPLOAD_RESOURCE]),
    }
    return render(request, "library/library.html", context)


def due_for_review(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.EDIT_ARTICLE, community=community)
    articles = library_articles(request.user, community, LibraryFilters(due=True))
    articles = articles.select_related("last_reviewed_by").prefetch_related("owners")
    return render(
        request,
        "library/due_for_review.html",
        {"community": community, "articles": articles},
    )


@login_required
def article_new(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.DRAFT_ARTICLE, community=community)
    can_publish = can(request.user, Capability.EDIT_ARTICLE, community=community)
    form = ArticleCreateForm(request.POST or None, community=community, can_publish=can_publish)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            article = article_services.create_article(
                actor=request.user,
                community=community,
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
                kind=data["kind"],
                topics=data["topics"],
                review_due=data["review_due"],
                publish=data.get("publish", False),
                edit_summary=data["edit_summary"],
                source_url=data["source_url"],
                source_title=data["source_title"],
                submission_key=data["submission_key"],
                confirm_guard=form.guard_confirmed,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if article.status == ArticleStatus.DRAFT:
                messages.success(request, "Draft saved. A full member can review and publish it.")
            else:
                messages.success(request, "Article published.")
            return redirect(article)
    return render(
        request,
        "library/article_new.html",
        {"community": community, "form": form, "can_publish": can_publish},
    )


def article_detail(request, community_slug, article_slug, *, comment_form=None):
    """The article page; `comment_form` is a comment sent back with its errors."""
    community, article = article_or_404(request, community_slug, article_slug, full=True)
    contributors = contributors_of(article)
    proposals = open_proposals(article)
    comments = comments_of(article)
    owner_rows = [Person(owner) for owner in article.owners.all()]
    attach_people(
        community,
        [
            (contributors, "user"),
            (proposals, "proposer"),
            (comments, "author"),
            (owner_rows, "user"),
        ],
    )
    references = list(article.references.all())
    # privacy.redaction.may_redact's rule, asked once for the page: stewards, or the author.
    steward = can(request.user, Capability.MODERATE, community=community)
    for comment in comments:
        comment.can_redact = steward or comment.author_id == request.user.pk
    context = {
        "community": community,
        "article": article,
        "body_html": link_glossary_terms(article.body_html, community),
        "contributors": contributors,
        "proposals": proposals,
        "comments": comments,
        "owners": owner_rows,
        "references": [(ref, vancouver(ref)) for ref in references],
        "comment_form": comment_form or CommentForm(),
        "review_form": ReviewForm(),
        "may_edit": request.user.is_authenticated and may_edit(request.user, article),
        **can_map(request.user, community, ARTICLE_CAPABILITIES),
    }
    status = 422 if comment_form is not None else 200
    return render(request, "library/article_detail.html", context, status=status)


def _edit_mode(user, article) -> str:
    if may_edit(user, article):
        return "edit"
    require(user, Capability.PROPOSE_EDIT, community=article.community)
    if article.status == ArticleStatus.DRAFT:
        raise Http404("No such article.")
    return "propose"


def _conflict_context(conflict: EditConflict, community) -> dict:
    attach_lanyards(community, [conflict.theirs], "author")
    return {
        "conflict": conflict,
        "theirs": conflict.theirs,
        "conflict_diffs": text_diffs(conflict.theirs, conflict.yours),
    }


@login_required
def article_edit(request, community_slug, article_slug):
    community, article = article_or_404(request, community_slug, article_slug)
    mode = _edit_mode(request.user, article)
    form_class = ArticleEditForm if mode == "edit" else ArticleTextForm
    kwargs = {"community": community} if mode == "edit" else {}
    initial = {
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "base_revision": article.current_revision_id,
        "kind": article.kind,
        "review_due": article.review_due,
        "source_url": article.source_url,
        "source_title": article.source_title,
        "topics": list(article.topics.all()) if mode == "edit" else [],
    }
    form = form_class(request.POST or None, initial=initial, **kwargs)
    extra: dict = {}
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if mode == "edit":
                revision = article_services.save_revision(
                    actor=request.user,
                    article=article,
                    base_revision_id=data["base_revision"],
                    title=data["title"],
                    summary=data["summary"],
                    body=data["body"],
                    edit_summary=data["edit_summary"],
                    kind=data["kind"],
                    topics=data["topics"],
                    review_due=data["review_due"],
                    source_url=data["source_url"],
                    source_title=data["source_title"],
                    submission_key=data["submission_key"],
                    confirm_guard=form.guard_confirmed,
                )
                if revision is None:
                    messages.info(request, "The text didn’t change, so no new revision was made.")
                else:
                    messages.success(request, f"Saved as revision {revision.number}.")
                return redirect(article)
            proposal = proposal_services.propose_edit(
                actor=request.user,
                article=article,
                base_revision_id=data["base_revision"] or article.current_revision_id,
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
                edit_summary=data["edit_summary"],
                submission_key=data["submission_key"],
                confirm_guard=form.guard_confirmed,
            )
            if proposal is None:
                messages.info(
                    request, "Your text is the same as the article’s, so nothing was proposed."
                )
            else:
                messages.success(
                    request, "Edit proposed. The article’s owners and full members will review it."
                )
            return redirect(article)
        except EditConflict as conflict:
            extra = _conflict_context(conflict, community)
            # The merge view keeps your text in the editor and moves the base to the
            # latest revision, so saving again is a deliberate choice over both texts.
            data = request.POST.copy()
            data["base_revision"] = conflict.theirs.pk
            form = form_class(data, **kwargs)
            form.is_valid()
            status = 409
        except ValidationError as error:
            add_validation_errors(form, error)
    context = {
        "community": community,
        "article": article,
        "form": form,
        "mode": mode,
        "action": request.path,
        **extra,
    }
    return render(request, "library/article_edit.html", context, status=status)


def article_history(request, community_slug, article_slug):
    community, article = article_or_404(request, community_slug, article_slug)
    page = Paginator(revisions_for_history(article), 50).get_page(request.GET.get("page"))
    revisions = attach_lanyards(community, page.object_list, "author")
    return render(
        request,
        "library/article_history.html",
        {
            "community": community,
            "article": article,
            "page_obj": page,
            "revisions": revisions,
            "may_edit": request.user.is_authenticated and may_edit(request.user, article),
        },
    )


def revision_detail(request, community_slug, article_slug, number):
    community, article = article_or_404(request, community_slug, article_slug)
    revision = get_object_or_404(
        Revision.objects.select_related("author", "approved_by"), article=article, number=number
    )
    attach_lanyards(community, [revision], "author")
    return render(
        request,
        "library/revision_detail.html",
        {
            "community": community,
            "article": article,
            "revision": revision,
            "body_html": link_glossary_terms(render_markdown(revision.body), community),
            "is_current": revision.pk == article.current_revision_id,
            "may_edit": request.user.is_authenticated and may_edit(request.user, article),
            "can_redact": may_redact_object(request.user, revision),
        },
    )


def _number(value, default: int) -> int:
    """A revision number from the query, or `default` when it isn't one the database holds."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if 0 <= number < 2**31 else default


def revision_compare(request, community_slug, article_slug):
    community, article = article_or_404(request, community_slug, article_slug)
    latest = article.current_revision.number if article.current_revision else 1
    new_number = _number(request.GET.get("to"), latest)
    old_number = _number(request.GET.get("from"), new_number - 1)
    if old_number > new_number:
        old_number, new_number = new_number, old_number
    revisions = {
        r.number: r
        for r in Revision.objects.filter(
            article=article, number__in=[old_number, new_number]
        ).select_related("author")
    }
    if new_number not in revisions or old_number not in revisions:
        raise Http404("No such revision.")
    old, new = revisions[old_number], revisions[new_number]
    attach_lanyards(community, [old, new] if old is not new else [old], "author")
    return render(
        request,
        "library/revision_compare.html",
        {
            "community": community,
            "article": article,
            "old": old,
            "new": new,
            "diffs": text_diffs(old, new),
        },
    )


@require_POST
@login_required
def revision_revert(request, community_slug, article_slug, number):
    community, article = article_or_404(request, community_slug, article_slug)
    revision = get_object_or_404(Revision, article=article, number=number)
    try:
        new = article_services.revert_to_revision(
            actor=request.user,
            article=article,
            revision=revision,
            base_revision_id=_number(request.POST.get("base_revision"), 0) or None,
        )
    except EditConflict:
        messages.warning(
            request,
            "Someone saved a new revision while you were looking. Check it before reverting.",
        )
        return redirect("library:history", community_slug=community.slug, article_slug=article.slug)
    if new is None:
        messages.info(
            request, f"The article already reads as revision {number}: nothing to revert."
        )
    else:
        messages.success(request, f"Reverted to revision {number} as revision {new.number}.")
    return redirect(article)


@require_POST
@login_required
def comment_add(request, community_slug, article_slug):
    community, article = article_or_404(request, community_slug, article_slug)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            article_services.add_comment(
                actor=request.user,
                article=article,
                body=form.cleaned_data["body"],
                confirm_guard=form.guard_confirmed,
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Comment added.")
            return redirect(f"{article.get_absolute_url()}#comments")
    # Back on the article with what was typed, its errors and any guard warning.
    return article_detail(request, community_slug, article_slug, comment_form=form)


@require_POST
@login_required
def article_review(request, community_slug, article_slug):
    community, article = article_or_404(request, community_slug, article_slug)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the next review date as a date.")
        return redirect(article)
    try:
        article_services.mark_reviewed(
            actor=request.user, article=article, next_review=form.cleaned_data["next_review"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Marked as reviewed.")
    return redirect(article)


@require_POST
@login_required
def article_status(request, community_slug, article_slug):
    community, article = article_or_404(request, community_slug, article_slug)
    form = StatusForm(request.POST)
    if form.is_valid():
        article_services.set_status(
            actor=request.user, article=article, status=form.cleaned_data["status"]
        )
        messages.success(request, f"The article is now {article.get_status_display().lower()}.")
    return redirect(article)


def library_url(community) -> str:
    return reverse("library:library", kwargs={"community_slug": community.slug})
