"""Conversation pages: thin views that fetch, authorise through services, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from practica.communities.capabilities import (
    Capability,
    can,
    can_map,
    require,
    visible,
)
from practica.communities.lanyards import attach_lanyards
from practica.communities.models import Community, Membership, Topic
from practica.communities.views.browse import community_for
from practica.conversations import querysets, services
from practica.conversations.diffs import revision_history
from practica.conversations.forms import (
    EditPostForm,
    FlagForm,
    HideForm,
    MoveForm,
    ReplyForm,
    SettingsForm,
    StagingCommentForm,
    ThreadForm,
)
from practica.conversations.models import (
    ConversationSettings,
    Flag,
    Post,
    ThreadKind,
)
from practica.conversations.permissions import decorate_posts, may_accept
from practica.conversations.related import related_questions
from practica.forms import form_status
from practica.library.glossary import link_glossary_terms
from practica.library.querysets import curated_collections, distilled_article
from practica.privacy.redaction import may_redact_object
from practica.redirects import redirect_next, safe_next
from practica.search.similar import similar_questions

LIST_CAPABILITIES = [
    Capability.ASK_QUESTION,
    Capability.START_DISCUSSION,
    Capability.MODERATE,
    Capability.REVIEW_STAGED,
]


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _clear_draft_later(request, key: str) -> None:
    """The next page tells the browser to forget the draft: the post is safely saved."""
    request.session["conversations_clear_drafts"] = [
        *request.session.get("conversations_clear_drafts", []),
        key,
    ][-5:]


def post_url(post: Post) -> str:
    """The thread page that shows `post`, anchored on it."""
    before = post.thread.posts.filter(
        Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, pk__lt=post.pk)
    ).count()
    page = before // querysets.POSTS_PER_PAGE + 1
    query = f"?page={page}" if page > 1 else ""
    return f"{post.thread.get_absolute_url()}{query}#post-{post.pk}"


# --- the list ---------------------------------------------------------------------------------


@vary_on_headers("HX-Request")
def thread_list(request, community_slug):
    community = community_for(request, community_slug)
    topics = list(community.topics.all())
    params = request.GET.copy()
    if params.get("topic") not in {"", None, *(t.slug for t in topics)}:
        del params["topic"]  # an unknown topic is ignored; the page links to the one it shows
    context = querysets.thread_list(request.user, community, params=params)
    query = {k: v for k, v in params.items() if k != "page" and v}
    context.update(
        community=community,
        topics=topics,
        filters=query,
        query=urlencode(query),
        kinds=ThreadKind.choices,
        **can_map(request.user, community, LIST_CAPABILITIES),
    )
    template = "conversations/thread_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


# --- starting a thread ------------------------------------------------------------------------


@login_required
def thread_start(request, community_slug, kind=ThreadKind.QUESTION):
    community = community_for(request, community_slug)
    capability = (
        Capability.ASK_QUESTION if kind == ThreadKind.QUESTION else Capability.START_DISCUSSION
    )
    require(request.user, capability, community=community)
    form = ThreadForm(request.POST or None, community=community)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            thread = services.start_thread(
                actor=request.user,
                community=community,
                kind=kind,
                title=data["title"],
                body=data["body"],
                topics=data["topics"],
                submission_key=data["submission_key"],
                confirm_guard=form.guard_confirmed,
            )
        except ValidationError as error:
            form.apply_service_error(error)
        else:
            _clear_draft_later(request, f"practica-draft:{community.slug}:{kind}")
            if thread.is_staged:
                messages.success(
                    request,
                    "Your question is in the staging area: a mentor or full member will look "
                    "at it and help you shape it before it is published.",
                )
            elif thread.posts.filter(is_first_contribution=True).exists():
                messages.success(
                    request,
                    f"Welcome to {community.name}! Your first post is up; members will be "
                    "along to help.",
                )
            else:
                messages.success(request, "Posted.")
            return redirect(thread.get_absolute_url())
    suggestions = []
    if request.method == "POST" and kind == ThreadKind.QUESTION:
        suggestions = similar_questions(
            community=community,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
        )
    return render(
        request,
        "conversations/thread_start.html",
        {
            "community": community,
            "form": form,
            "kind": kind,
            "is_question": kind == ThreadKind.QUESTION,
            "suggestions": suggestions,
            "draft_key": f"practica-draft:{community.slug}:{kind}",
        },
        status=422 if request.method == "POST" else 200,
    )


@require_GET
def similar_json(request, community_slug):
    """The contract: GET /c/<slug>/questions/similar.json?title=…&body=…&limit=N."""
    community = community_for(request, community_slug)
    try:
        limit = int(request.GET.get("limit", 5))
    except ValueError:
        limit = 5
    results = similar_questions(
        community=community,
        title=request.GET.get("title", ""),
        body=request.GET.get("body", ""),
        limit=limit,
    )
    return JsonResponse({"results": [r.as_dict() for r in results]})


@require_GET
def similar_fragment(request, community_slug):
    """The ask form's live suggestions (htmx), from the same function as the JSON."""
    community = community_for(request, community_slug)
    title = request.GET.get("title", "")
    suggestions = (
        similar_questions(community=community, title=title, body=request.GET.get("body", ""))
        if len(title.strip()) >= 4
        else []
    )
    return render(
        request,
        "conversations/thread_start.html#similar",
        {"community": community, "suggestions": suggestions, "is_question": True},
    )


@require_GET
def mention_members(request, community_slug):
    """Members whose name or username starts with `q`, for @mention autocomplete.

    Only for members who may post here (the list is a way of finding people, not a
    directory for visitors), never listing those who asked to stay out of the directory,
    and only for a typed start of a name: an empty query lists nobody.
    """
    community = community_for(request, community_slug)
    require(request.user, Capability.REPLY, community=community)
    q = request.GET.get("q", "").strip().lstrip("@")[:60]
    if not q:
        return JsonResponse({"results": []})
    members = (
        Membership.objects.filter(
            community=community,
            suspended=False,
            user__is_active=True,
            user__show_in_directory=True,
        )
        .filter(Q(user__username__istartswith=q) | Q(user__display_name__icontains=q))
        .select_related("user")
    )
    people = [
        {
            "username": m.user.username,
            "name": m.user.name,
            "profession": m.user.get_profession_display(),
        }
        for m in members.order_by("user__display_name", "user__username")[:8]
    ]
    return JsonResponse({"results": people})


# --- the thread page --------------------------------------------------------------------------


def _link_glossary(posts, community) -> None:
    """Give each post `linked_html`: its body with glossary terms linked.

    The glossary is loaded once per community object, so pass the same `community` for
    every post on a page to keep it to one query.
    """
    for post in posts:
        post.linked_html = link_glossary_terms(post.body_html, community)


def _decorate_posts(request, thread, posts, caps) -> None:
    decorate_posts(request.user, thread, posts, caps)


def _shown_post(thread, raw_id: str) -> Post | None:
    """The post of `thread` with id `raw_id` if it is shown to everyone, else None."""
    if not str(raw_id).isdigit():
        return None
    return (
        thread.posts.filter(pk=int(raw_id), deleted_at__isnull=True, hidden_at__isnull=True)
        .select_related("author")
        .first()
    )


def quote_markdown(community, quoted: Post) -> str:
    """The Markdown that quotes `quoted`, signed with a link back to it."""
    lines = "\n".join(f"> {line}" for line in quoted.body.splitlines())
    who = f"@{quoted.author.username}" if quoted.author else "a former member"
    link = reverse(
        "conversations:post", kwargs={"community_slug": community.slug, "post_id": quoted.pk}
    )
    return f"{lines}\n>\n> — [{who}]({link})\n\n"


def post_permalink(request, community_slug, post_id):
    """A post's stable address: the page of its thread that shows it, anchored on it."""
    _community, post = _post(request, community_slug, post_id)
    return redirect(post_url(post))


@vary_on_headers("HX-Request")
def thread_detail(request, community_slug, thread_id, *, staging_form=None):
    """The thread page; `staging_form` is a staging comment sent back with its errors."""
    community = community_for(request, community_slug)
    try:
        thread = querysets.thread_for(request.user, community, thread_id)
    except Http404:
        moved_to = querysets.moved_thread_url(request.user, community, thread_id)
        if moved_to is None:
            raise
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{moved_to}?{query}" if query else moved_to)
    caps = can_map(
        request.user,
        community,
        [
            Capability.REPLY,
            Capability.MARK_HELPFUL,
            Capability.FLAG,
            Capability.MODERATE,
            Capability.ENDORSE_MEMBER,
            Capability.EDIT_ARTICLE,
        ],
    )
    caps["can_accept_answer"] = may_accept(request.user, thread)
    context = querysets.thread_page(request.user, thread, page_number=request.GET.get("page"))
    _decorate_posts(request, thread, context["posts"], caps)
    _link_glossary(context["posts"], community)
    distilled = distilled_article(request.user, thread) if thread.is_question else None
    can_distil = (
        thread.is_solved and thread.is_public and distilled is None and caps["can_edit_article"]
    )
    # Curators may put a public thread in a collection, as a step on a learner's path.
    collections = (
        curated_collections(community) if caps["can_edit_article"] and thread.is_public else []
    )
    reply_form = None
    replying_to = None
    if caps["can_reply"] and thread.is_public and not thread.is_locked:
        initial = {}
        quoted = _shown_post(thread, request.GET.get("quote", ""))
        replying_to = quoted or _shown_post(thread, request.GET.get("reply_to", ""))
        if quoted:
            initial["body"] = quote_markdown(community, quoted)
        if replying_to:
            initial["reply_to"] = replying_to.pk
        reply_form = ReplyForm(initial=initial)
    staging = {}
    if thread.is_staged:
        staging = {
            "comments": attach_lanyards(
                community, thread.staging_comments.select_related("author")
            ),
            "may_review": querysets.may_review_staged(request.user, thread),
            "is_asker": request.user.pk == thread.author_id,
            "form": staging_form or StagingCommentForm(),
        }
        for comment in staging["comments"]:
            # privacy.redaction.may_redact's rule: stewards, or the author.
            comment.can_redact = caps["can_moderate"] or comment.author_id == request.user.pk
    context.update(
        community=community,
        thread=thread,
        topics=list(thread.topics.all()),
        reply_form=reply_form,
        replying_to=replying_to,
        is_watching=querysets.is_watching(request.user, thread),
        related=related_questions(
            community=community,
            thread=thread,
            opening_body=context["posts"][0].body if context["posts"] else "",
        )
        if thread.is_question and thread.is_public
        else [],
        accepted_page=querysets.accepted_page_number(thread),
        staging=staging,
        distilled=distilled,
        can_distil=can_distil,
        can_add_to_collection=bool(collections),
        collections=collections,
        draft_key=f"practica-draft:{community.slug}:reply:{thread.pk}",
        clear_drafts=" ".join(request.session.pop("conversations_clear_drafts", []))
        if request.user.is_authenticated
        else "",
        **caps,
    )
    return render(
        request,
        "conversations/thread_detail.html",
        context,
        status=422 if staging_form is not None else 200,
    )


@login_required
@require_POST
def thread_reply(request, community_slug, thread_id):
    community = community_for(request, community_slug)
    thread = querysets.thread_for(request.user, community, thread_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            post = services.reply(
                actor=request.user,
                thread=thread,
                body=form.cleaned_data["body"],
                reply_to=form.cleaned_data["reply_to"],
                submission_key=form.cleaned_data["submission_key"],
                confirm_guard=form.guard_confirmed,
            )
        except ValidationError as error:
            form.apply_service_error(error)
        else:
            _clear_draft_later(request, f"practica-draft:{community.slug}:reply:{thread.pk}")
            if post.is_first_contribution:
                messages.success(request, f"Welcome to {community.name}! Your first reply is up.")
            return redirect(post_url(post))
    return render(
        request,
        "conversations/reply_form.html",
        {
            "community": community,
            "thread": thread,
            "form": form,
            "replying_to": _shown_post(thread, request.POST.get("reply_to", "")),
            "draft_key": f"practica-draft:{community.slug}:reply:{thread.pk}",
        },
        status=422,
    )


# --- a post's own actions -----------------------------------------------------------------------


def _post(request, community_slug, post_id):
    community = community_for(request, community_slug)
    return community, querysets.post_for(request.user, community, post_id)


@login_required
def post_edit(request, community_slug, post_id):
    community, post = _post(request, community_slug, post_id)
    thread = post.thread
    opening = post.is_opening
    initial = {"body": post.body}
    if opening:
        initial.update(title=thread.title, topics=list(thread.topics.all()))
    form = EditPostForm(request.POST or None, initial=initial, community=community, opening=opening)
    if request.method == "GET" and not (
        (
            request.user.pk == post.author_id
            and can(request.user, Capability.REPLY, community=community)
        )
        or can(request.user, Capability.MODERATE, community=community)
    ):
        require(request.user, Capability.MODERATE, community=community)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.edit_post(
                actor=request.user,
                post=post,
                body=data["body"],
                title=data.get("title") if opening else None,
                topics=data.get("topics") if opening else None,
                confirm_guard=form.guard_confirmed,
            )
        except ValidationError as error:
            form.apply_service_error(error)
        else:
            _clear_draft_later(request, f"practica-draft:{community.slug}:edit:{post.pk}")
            messages.success(request, "Your changes are saved; the history shows what changed.")
            return redirect(post_url(post))
    return render(
        request,
        "conversations/post_edit.html",
        {
            "community": community,
            "thread": thread,
            "post": post,
            "form": form,
        },
        status=422 if request.method == "POST" else 200,
    )


def post_history(request, community_slug, post_id):
    community, post = _post(request, community_slug, post_id)
    if (post.is_hidden or post.is_deleted) and not can(
        request.user, Capability.MODERATE, community=community
    ):
        require(request.user, Capability.MODERATE, community=community)
    return render(
        request,
        "conversations/post_history.html",
        {
            "community": community,
            "thread": post.thread,
            "post": post,
            "revisions": revision_history(post, community),
            "can_redact": may_redact_object(request.user, post),
        },
    )


@login_required
@require_POST
def post_delete(request, community_slug, post_id):
    community, post = _post(request, community_slug, post_id)
    try:
        services.delete_post(actor=request.user, post=post)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(post_url(post))
    if post.is_opening:
        messages.success(request, "Your thread is deleted.")
        return redirect("conversations:list", community_slug=community.slug)
    messages.success(request, "Your reply is deleted.")
    return redirect(post.thread.get_absolute_url())


def _after_post_action(request, community, post, *, message: str = "", announce: str = ""):
    """htmx gets the post's action bar back; a plain POST goes back to the post."""
    if request.htmx:
        thread = post.thread
        caps = can_map(
            request.user,
            community,
            [
                Capability.REPLY,
                Capability.MARK_HELPFUL,
                Capability.FLAG,
                Capability.MODERATE,
                Capability.ENDORSE_MEMBER,
            ],
        )
        caps["can_accept_answer"] = may_accept(request.user, thread)
        post = _reload_post(request, thread, post)
        _decorate_posts(request, thread, [post], caps)
        return render(
            request,
            "conversations/thread_detail.html#helpful",
            {
                "community": community,
                "thread": thread,
                "post": post,
                "flash": message,
                "announce": announce.format(count=post.helpful_count) if announce else "",
                **caps,
            },
        )
    if message:
        messages.info(request, message)
    return redirect(post_url(post))


def _reload_post(request, thread, post):
    from practica.conversations.models import HelpfulMark

    fresh = Post.objects.get(pk=post.pk)
    fresh.thread = thread
    fresh.marked_by_me = HelpfulMark.objects.filter(post=fresh, user=request.user).exists()
    return fresh


@login_required
@require_POST
def post_helpful(request, community_slug, post_id):
    community, post = _post(request, community_slug, post_id)
    message = ""
    try:
        if request.POST.get("undo"):
            services.unmark_helpful(actor=request.user, post=post)
            announce = "You took back your helpful mark. {count} helpful now."
        else:
            services.mark_helpful(actor=request.user, post=post)
            announce = "Marked helpful. {count} helpful now."
    except ValidationError as error:
        message = " ".join(error.messages)
        if not request.htmx:
            messages.error(request, message)
            return redirect(post_url(post))
        announce = ""
    return _after_post_action(request, community, post, message=message, announce=announce)


@login_required
@require_POST
def post_accept(request, community_slug, post_id):
    community, post = _post(request, community_slug, post_id)
    try:
        if request.POST.get("undo"):
            services.unaccept_answer(actor=request.user, thread=post.thread)
            messages.success(request, "The answer is no longer marked as accepted.")
        else:
            services.accept_answer(actor=request.user, post=post)
            messages.success(request, "Accepted: the question is marked solved.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(post_url(post))


@login_required
@require_POST
def post_endorse(request, community_slug, post_id):
    community, post = _post(request, community_slug, post_id)
    try:
        services.endorse_answer(actor=request.user, post=post)
        messages.success(request, "You endorsed this answer for your profession.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(post_url(post))


@login_required
def post_flag(request, community_slug, post_id):
    community, post = _post(request, community_slug, post_id)
    require(request.user, Capability.FLAG, community=community)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_post(
                actor=request.user,
                post=post,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if post.held_for_review:
                messages.success(
                    request, "Thank you: the post is hidden until a steward reviews it."
                )
                if post.is_opening:  # the thread is hidden with it
                    return redirect("conversations:list", community_slug=community.slug)
                return redirect(post.thread.get_absolute_url())
            messages.success(request, "Thank you: a steward will review the post.")
            return redirect(post_url(post))
    _link_glossary([post], community)
    return render(
        request,
        "conversations/post_flag.html",
        {"community": community, "thread": post.thread, "post": post, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@login_required
def post_hide(request, community_slug, post_id):
    community, post = _post(request, community_slug, post_id)
    require(request.user, Capability.MODERATE, community=community)
    if request.method == "POST" and request.POST.get("unhide"):
        services.unhide_post(actor=request.user, post=post)
        messages.success(request, "The post is shown again; its author has been told.")
        return redirect_next(request, post_url(post))
    form = HideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hide_post(actor=request.user, post=post, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The post is hidden; its author has been told why.")
            return redirect_next(request, post_url(post))
    _link_glossary([post], community)
    return render(
        request,
        "conversations/post_hide.html",
        {
            "community": community,
            "thread": post.thread,
            "post": post,
            "form": form,
            "next": safe_next(request),
        },
        status=422 if request.method == "POST" else 200,
    )


# --- thread-level actions -----------------------------------------------------------------------


@login_required
@require_POST
def thread_watch(request, community_slug, thread_id):
    community = community_for(request, community_slug)
    thread = querysets.thread_for(request.user, community, thread_id)
    watching = not request.POST.get("stop")
    services.set_watching_thread(actor=request.user, thread=thread, watching=watching)
    messages.success(
        request,
        "You will be notified of replies." if watching else "You will no longer be notified.",
    )
    return redirect(thread.get_absolute_url())


@login_required
@require_POST
def topic_watch(request, community_slug, topic_slug):
    community = community_for(request, community_slug)
    topic = get_object_or_404(Topic, community=community, slug=topic_slug)
    watching = not request.POST.get("stop")
    services.set_watching_topic(actor=request.user, topic=topic, watching=watching)
    messages.success(
        request,
        f"You will hear about new threads in {topic.name}."
        if watching
        else f"You stopped watching {topic.name}.",
    )
    return redirect(f"{reverse('conversations:list', args=[community.slug])}?topic={topic.slug}")


@login_required
def thread_moderate(request, community_slug, thread_id):
    community = community_for(request, community_slug)
    require(request.user, Capability.MODERATE, community=community)
    thread = querysets.thread_for(request.user, community, thread_id)
    targets = visible(request.user, Community.objects.exclude(pk=community.pk), community_field="")
    targets = [c for c in targets if can(request.user, Capability.MODERATE, community=c)]
    move_form = MoveForm(
        request.POST if request.POST.get("action") == "move" else None,
        communities=Community.objects.filter(pk__in=[c.pk for c in targets]),
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("lock", "unlock"):
                services.set_locked(actor=request.user, thread=thread, locked=action == "lock")
                messages.success(request, "Locked." if action == "lock" else "Unlocked.")
            elif action in ("pin", "unpin"):
                services.set_pinned(actor=request.user, thread=thread, pinned=action == "pin")
                messages.success(request, "Pinned." if action == "pin" else "Unpinned.")
            elif action == "move" and move_form.is_valid():
                target = move_form.cleaned_data["community"]
                services.move_thread(actor=request.user, thread=thread, to_community=target)
                messages.success(request, f"Moved to {target.name}.")
                return redirect(thread.get_absolute_url())
            if action != "move":
                return redirect(thread.get_absolute_url())
        except ValidationError as error:
            _apply_errors(move_form, error)
    return render(
        request,
        "conversations/thread_moderate.html",
        {
            "community": community,
            "thread": thread,
            "move_form": move_form,
            "has_targets": bool(targets),
        },
    )


# --- staging ----------------------------------------------------------------------------------


@login_required
def staging_list(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.READ, community=community)
    threads = list(querysets.staged_threads(request.user, community))
    return render(
        request,
        "conversations/staging_list.html",
        {
            "community": community,
            "threads": threads,
            "stats": querysets.staging_stats(community)
            if can(request.user, Capability.MODERATE, community=community)
            else None,
        },
    )


@login_required
@require_POST
def staging_action(request, community_slug, thread_id):
    community = community_for(request, community_slug)
    thread = querysets.thread_for(request.user, community, thread_id)
    action = request.POST.get("action")
    if action == "comment":
        form = StagingCommentForm(request.POST)
        if form.is_valid():
            try:
                services.comment_on_staged(
                    actor=request.user,
                    thread=thread,
                    body=form.cleaned_data["body"],
                    confirm_guard=form.guard_confirmed,
                    submission_key=form.cleaned_data["submission_key"],
                )
            except ValidationError as error:
                form.apply_service_error(error)
        if form.errors:
            # Back on the thread page with what was typed, its errors and any guard warning.
            return thread_detail(request, community_slug, thread_id, staging_form=form)
        messages.success(request, "Comment added; the asker has been told.")
        return redirect(thread.get_absolute_url())
    try:
        if action == "approve":
            services.approve_staged(actor=request.user, thread=thread)
            messages.success(request, "Published: the question is now public.")
        elif action == "publish":
            services.publish_own_staged(actor=request.user, thread=thread)
            messages.success(request, "Your question is published.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(thread.get_absolute_url())


# --- moderation ---------------------------------------------------------------------------------


@login_required
def moderation_queue(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.MODERATE, community=community)
    flags = list(
        Flag.objects.filter(post__thread__community=community, status=Flag.Status.OPEN)
        .select_related("post__thread", "post__author", "flagged_by")
        .order_by("created_at")
    )
    # Posts held as possible patient data come first: they wait, hidden, for a steward.
    flags.sort(key=lambda flag: not flag.post.held_for_review)
    attach_lanyards(community, [f.post for f in flags])
    _link_glossary([f.post for f in flags], community)
    hidden = list(
        Post.objects.filter(thread__community=community, hidden_at__isnull=False)
        .select_related("thread", "author", "hidden_by")
        .order_by("-hidden_at")[:20]
    )
    from practica.privacy.querysets import guard_logs_for, redactions_for

    guard_logs = guard_logs_for(community)
    return render(
        request,
        "conversations/moderation_queue.html",
        {
            "community": community,
            "flags": flags,
            "hidden_posts": hidden,
            "guard_logs": guard_logs,
            "redactions": redactions_for(community),
            "stats": querysets.staging_stats(community),
            "can_configure": can(request.user, Capability.CONFIGURE, community=community),
        },
    )


@login_required
@require_POST
def flag_dismiss(request, community_slug, flag_id):
    community = community_for(request, community_slug)
    flag = get_object_or_404(
        Flag.objects.select_related("post__thread__community"),
        pk=flag_id,
        post__thread__community=community,
    )
    services.dismiss_flag(actor=request.user, flag=flag)
    messages.success(request, "Flag dismissed; the post stays as it is.")
    return redirect("conversations:moderation", community_slug=community.slug)


@login_required
def conversation_settings(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.CONFIGURE, community=community)
    instance = ConversationSettings.objects.filter(community=community).first() or (
        ConversationSettings(community=community)
    )
    form = SettingsForm(
        request.POST or None, instance=instance, initial={"guard_mode": community.guard_mode}
    )
    if request.method == "POST" and form.is_valid():
        from practica.privacy.guard import set_guard_mode

        with transaction.atomic():
            set_guard_mode(
                actor=request.user, community=community, mode=form.cleaned_data["guard_mode"]
            )
            form.save()
        messages.success(request, "Conversation settings saved.")
        return redirect("conversations:settings", community_slug=community.slug)
    return render(
        request,
        "conversations/settings.html",
        {"community": community, "form": form},
        status=form_status(form),
    )
