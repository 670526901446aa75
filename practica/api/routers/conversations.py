"""Threads and posts: list with the page's filters, read, ask, reply, edit, mark, accept.

Every write is the conversations service the pages call, so the same capability gate,
patient-data guard, rate limit and submission keys apply.
"""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from practica.api import pagination
from practica.api.auth import require_member
from practica.api.common import Input, LanyardOut, community_for, lanyard_out, submission_key
from practica.communities.capabilities import Capability, can
from practica.communities.lanyards import attach_lanyards
from practica.conversations import querysets, services
from practica.conversations.models import BODY_MAX_CHARS, TITLE_MAX_CHARS
from practica.conversations.permissions import decorate_posts, post_action_caps
from practica.site import absolute_url

router = Router(tags=["conversations"])


class ThreadOut(Schema):
    id: int
    kind: str
    title: str
    author: LanyardOut | None
    topics: list[str]
    reply_count: int
    helpful_count: int
    is_solved: bool
    accepted_post_id: int | None
    is_locked: bool
    is_pinned: bool
    status: str
    created_at: datetime.datetime
    last_activity_at: datetime.datetime
    url: str


class ThreadList(Schema):
    results: list[ThreadOut]
    next: str | None


class PostPermissions(Schema):
    """What the caller may do with this post: the thread page's buttons."""

    edit: bool
    delete: bool
    redact: bool
    mark_helpful: bool
    flag: bool
    accept: bool
    endorse: bool


class PostOut(Schema):
    id: int
    thread_id: int
    is_opening: bool
    author: LanyardOut | None
    reply_to_id: int | None
    body: str | None
    body_html: str | None
    helpful_count: int
    is_accepted: bool
    is_hidden: bool
    is_deleted: bool
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    url: str
    permissions: PostPermissions | None = Field(
        None, description="What the caller may do with it; null for an anonymous visitor"
    )


class ThreadDetail(ThreadOut):
    opening_post: PostOut | None


class PostList(Schema):
    results: list[PostOut]
    next: str | None


class ThreadIn(Input):
    kind: Literal["question", "discussion"] = "question"
    title: str = Field(..., max_length=TITLE_MAX_CHARS)
    body: str = Field(..., max_length=BODY_MAX_CHARS)
    topics: list[str] = Field(default_factory=list, max_length=20, description="Topic slugs")
    confirm_patient_data: bool = False


class ReplyIn(Input):
    body: str = Field(..., max_length=BODY_MAX_CHARS)
    reply_to: int | None = Field(None, description="The id of the post this one answers")
    confirm_patient_data: bool = False


class PostEditIn(Input):
    body: str = Field(..., max_length=BODY_MAX_CHARS)
    title: str | None = Field(None, max_length=TITLE_MAX_CHARS, description="Opening post only")
    topics: list[str] | None = Field(None, max_length=20, description="Opening post only")
    confirm_patient_data: bool = False


class AcceptIn(Input):
    post_id: int


class HelpfulOut(Schema):
    post_id: int
    helpful_count: int
    marked_by_me: bool


def _thread_out(thread) -> dict:
    return {
        "id": thread.pk,
        "kind": thread.kind,
        "title": thread.title,
        "author": lanyard_out(getattr(thread, "lanyard", None)),
        "topics": [t.slug for t in thread.topics.all()],
        "reply_count": thread.reply_count,
        "helpful_count": thread.helpful_count,
        "is_solved": thread.is_solved,
        "accepted_post_id": thread.accepted_post_id,
        "is_locked": thread.is_locked,
        "is_pinned": thread.is_pinned,
        "status": thread.status,
        "created_at": thread.created_at,
        "last_activity_at": thread.last_activity_at,
        "url": absolute_url(thread.get_absolute_url()),
    }


def _post_out(post, thread, *, moderator: bool) -> dict:
    shown = (not post.is_deleted and not post.is_hidden) or (moderator and not post.is_deleted)
    return {
        "id": post.pk,
        "thread_id": thread.pk,
        "is_opening": post.is_opening,
        "author": lanyard_out(getattr(post, "lanyard", None)),
        "reply_to_id": post.reply_to_id,
        "body": post.body if shown else None,
        "body_html": post.body_html if shown else None,
        "helpful_count": post.helpful_count,
        "is_accepted": thread.accepted_post_id == post.pk,
        "is_hidden": post.is_hidden,
        "is_deleted": post.is_deleted,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "url": absolute_url(f"{thread.get_absolute_url()}#post-{post.pk}"),
        "permissions": _permissions(post),
    }


def _permissions(post) -> dict | None:
    if not hasattr(post, "can_edit"):
        return None
    return {
        "edit": post.can_edit,
        "delete": post.can_delete,
        "redact": post.can_redact,
        "mark_helpful": post.can_mark,
        "flag": post.can_flag,
        "accept": post.can_accept,
        "endorse": post.can_endorse,
    }


def _decorate(user, thread, posts) -> None:
    """The thread page's per-post flags (conversations.permissions.decorate_posts)."""
    if user.is_authenticated and posts:
        decorate_posts(user, thread, posts, post_action_caps(user, thread))


def _topics_by_slug(community, slugs):
    if slugs is None:
        return None
    from practica.api.problems import Problem

    topics = {t.slug: t for t in community.topics.filter(slug__in=slugs)}
    unknown = [s for s in slugs if s not in topics]
    if unknown:
        raise Problem(
            "validation",
            f"These are not topics of {community.name}: {', '.join(unknown)}.",
            errors=[{"field": "body.topics", "detail": "Unknown topic: " + ", ".join(unknown)}],
        )
    return [topics[s] for s in slugs]


@router.get("/{slug}/threads", response=ThreadList, url_name="thread-list", summary="Threads")
def thread_list(
    request,
    slug: str,
    kind: Literal["question", "discussion"] | None = None,
    topic: str | None = Query(None, description="A topic slug"),
    solved: Literal["yes", "no"] | None = None,
    unanswered: bool = Query(False, description="Questions nobody has replied to yet"),
    mine: bool = False,
    sort: Literal["activity", "newest", "helpful"] = "activity",
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    """Published threads, pinned first, with the list page's filters and sorts."""
    community = community_for(request, slug)
    params = {
        "kind": kind or "",
        "topic": topic or "",
        "solved": solved or "",
        "unanswered": unanswered,
        "mine": mine,
        "sort": sort,
    }
    threads, sort = querysets.listed_threads(request.user, community, params=params)

    def serialize(rows):
        for thread in rows:
            thread.community = community
        attach_lanyards(community, rows)
        return [_thread_out(t) for t in rows]

    return pagination.page(
        request,
        threads,
        order=querysets.SORTS[sort],
        cursor=cursor,
        limit=limit,
        serialize=serialize,
    )


def _opening(thread):
    post = thread.posts.filter(is_opening=True).select_related("author").first()
    if post is not None:
        attach_lanyards(thread.community, [post])
    return post


@router.get(
    "/{slug}/threads/{thread_id}",
    response=ThreadDetail,
    url_name="thread-detail",
    summary="A thread with its opening post",
)
def thread_detail(request, slug: str, thread_id: int):
    community = community_for(request, slug)
    thread = querysets.thread_for(request.user, community, thread_id)
    thread.community = community
    attach_lanyards(community, [thread])
    moderator = can(request.user, Capability.MODERATE, community=community)
    opening = _opening(thread)
    _decorate(request.user, thread, [opening] if opening else [])
    return {
        **_thread_out(thread),
        "opening_post": _post_out(opening, thread, moderator=moderator) if opening else None,
    }


@router.get(
    "/{slug}/threads/{thread_id}/posts",
    response=PostList,
    url_name="post-list",
    summary="A thread's posts, oldest first",
)
def post_list(
    request,
    slug: str,
    thread_id: int,
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    community = community_for(request, slug)
    thread = querysets.thread_for(request.user, community, thread_id)
    thread.community = community
    moderator = can(request.user, Capability.MODERATE, community=community)

    def serialize(rows):
        attach_lanyards(community, rows)
        _decorate(request.user, thread, rows)
        return [_post_out(p, thread, moderator=moderator) for p in rows]

    return pagination.page(
        request,
        thread.posts.select_related("author"),
        order=("created_at", "pk"),
        cursor=cursor,
        limit=limit,
        serialize=serialize,
    )


@router.post(
    "/{slug}/threads",
    response={201: ThreadDetail},
    url_name="thread-create",
    summary="Ask a question or start a discussion",
)
def thread_create(request, slug: str, payload: ThreadIn):
    """Learners' first questions may go to the staging area (`status: staged`)."""
    actor = require_member(request)
    community = community_for(request, slug)
    thread = services.start_thread(
        actor=actor,
        community=community,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        topics=_topics_by_slug(community, payload.topics),
        confirm_guard=payload.confirm_patient_data,
        submission_key=submission_key(request),
    )
    thread.community = community
    attach_lanyards(community, [thread])
    opening = _opening(thread)
    _decorate(actor, thread, [opening])
    return Status(
        201, {**_thread_out(thread), "opening_post": _post_out(opening, thread, moderator=False)}
    )


@router.post(
    "/{slug}/threads/{thread_id}/posts",
    response={201: PostOut},
    url_name="post-create",
    summary="Reply to a thread",
)
def post_create(request, slug: str, thread_id: int, payload: ReplyIn):
    actor = require_member(request)
    community = community_for(request, slug)
    thread = querysets.thread_for(actor, community, thread_id)
    post = services.reply(
        actor=actor,
        thread=thread,
        body=payload.body,
        reply_to=payload.reply_to,
        confirm_guard=payload.confirm_patient_data,
        submission_key=submission_key(request),
    )
    attach_lanyards(community, [post])
    thread.community = community
    _decorate(actor, thread, [post])
    return Status(201, _post_out(post, thread, moderator=False))


def _post(request, slug, post_id):
    community = community_for(request, slug)
    post = querysets.post_for(request.user, community, post_id)
    return community, post


@router.patch(
    "/{slug}/posts/{post_id}", response=PostOut, url_name="post-edit", summary="Edit a post"
)
def post_edit(request, slug: str, post_id: int, payload: PostEditIn):
    """The author (or a steward) edits; the edit history keeps every version."""
    actor = require_member(request)
    community, post = _post(request, slug, post_id)
    post = services.edit_post(
        actor=actor,
        post=post,
        body=payload.body,
        title=payload.title,
        topics=_topics_by_slug(community, payload.topics),
        confirm_guard=payload.confirm_patient_data,
    )
    attach_lanyards(community, [post])
    moderator = can(actor, Capability.MODERATE, community=community)
    post.thread.community = community
    _decorate(actor, post.thread, [post])
    return _post_out(post, post.thread, moderator=moderator)


@router.put(
    "/{slug}/posts/{post_id}/helpful",
    response=HelpfulOut,
    url_name="post-helpful",
    summary="Mark a post helpful",
)
def helpful_mark(request, slug: str, post_id: int):
    actor = require_member(request)
    _community, post = _post(request, slug, post_id)
    services.mark_helpful(actor=actor, post=post)
    return {"post_id": post.pk, "helpful_count": post.helpful_count, "marked_by_me": True}


@router.delete(
    "/{slug}/posts/{post_id}/helpful",
    response=HelpfulOut,
    url_name="post-unhelpful",
    summary="Take back a helpful mark",
)
def helpful_unmark(request, slug: str, post_id: int):
    actor = require_member(request)
    _community, post = _post(request, slug, post_id)
    services.unmark_helpful(actor=actor, post=post)
    return {"post_id": post.pk, "helpful_count": post.helpful_count, "marked_by_me": False}


@router.put(
    "/{slug}/threads/{thread_id}/accepted",
    response=ThreadOut,
    url_name="thread-accept",
    summary="Accept an answer",
)
def answer_accept(request, slug: str, thread_id: int, payload: AcceptIn):
    """The asker, or members at the stage that may accept answers, choose the answer."""
    actor = require_member(request)
    community = community_for(request, slug)
    thread = querysets.thread_for(actor, community, thread_id)
    post = querysets.post_for(actor, community, payload.post_id)
    if post.thread_id != thread.pk:
        from practica.api.problems import Problem

        raise Problem(
            "validation",
            "That post belongs to another thread.",
            errors=[{"field": "body.post_id", "detail": "Not a reply in this thread."}],
        )
    post.thread = thread
    thread = services.accept_answer(actor=actor, post=post)
    attach_lanyards(community, [thread])
    return _thread_out(thread)


@router.delete(
    "/{slug}/threads/{thread_id}/accepted",
    response=ThreadOut,
    url_name="thread-unaccept",
    summary="Withdraw the accepted answer",
)
def answer_unaccept(request, slug: str, thread_id: int):
    actor = require_member(request)
    community = community_for(request, slug)
    thread = querysets.thread_for(actor, community, thread_id)
    thread = services.unaccept_answer(actor=actor, thread=thread)
    attach_lanyards(community, [thread])
    return _thread_out(thread)
