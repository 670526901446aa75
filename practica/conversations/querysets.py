"""Reads shaped for conversation pages: who sees which threads, and the list and thread pages."""

from __future__ import annotations

import html

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from practica.communities.capabilities import Capability, can
from practica.communities.lanyards import attach_lanyards
from practica.communities.models import Mentorship
from practica.conversations.models import (
    HelpfulMark,
    Post,
    ProfessionEndorsement,
    Thread,
    ThreadKind,
    ThreadStatus,
    Watch,
)

THREADS_PER_PAGE = 25
POSTS_PER_PAGE = 20

SORTS = {
    "activity": ("-is_pinned", "-last_activity_at", "-pk"),
    "newest": ("-is_pinned", "-created_at", "-pk"),
    "helpful": ("-is_pinned", "-helpful_count", "-last_activity_at", "-pk"),
}


def public_threads(community) -> QuerySet[Thread]:
    return Thread.objects.filter(
        community=community,
        status=ThreadStatus.PUBLISHED,
        hidden_at__isnull=True,
        deleted_at__isnull=True,
    )


def threads_visible_to(user, community) -> QuerySet[Thread]:
    """Threads `user` may open: public ones, their own, and hidden ones for moderators.

    Staged questions are seen by their asker and by those who may review them.
    Precondition: the caller checked that `user` may read `community`.
    """
    visible = Q(status=ThreadStatus.PUBLISHED, hidden_at__isnull=True)
    if user.is_authenticated:
        visible |= Q(author=user)
        if can(user, Capability.MODERATE, community=community):
            visible |= Q(status=ThreadStatus.PUBLISHED)
        if may_review_any_staged(user, community):
            visible |= Q(status=ThreadStatus.STAGED, hidden_at__isnull=True)
    return Thread.objects.filter(visible, community=community, deleted_at__isnull=True)


def may_review_any_staged(user, community) -> bool:
    return can(user, Capability.REVIEW_STAGED, community=community)


def is_mentor_of(user, mentee_id, community) -> bool:
    if not user.is_authenticated or not mentee_id:
        return False
    return Mentorship.objects.filter(
        community=community, mentor=user, mentee_id=mentee_id, status=Mentorship.Status.ACTIVE
    ).exists()


def may_review_staged(user, thread) -> bool:
    """Full members (REVIEW_STAGED) and the asker's own mentor review a staged question."""
    if not user.is_authenticated or user.pk == thread.author_id:
        return False
    return can(user, Capability.REVIEW_STAGED, community=thread.community) or is_mentor_of(
        user, thread.author_id, thread.community
    )


def thread_for(user, community, thread_id: int) -> Thread:
    """The thread if `user` may open it; 404 otherwise, whether it is missing or not theirs."""
    thread = (
        Thread.objects.filter(community=community, pk=thread_id, deleted_at__isnull=True)
        .select_related("author", "accepted_post", "accepted_by", "community")
        .first()
    )
    if thread is None:
        raise Http404("No such thread.")
    thread.community = community
    if thread.is_public or (user.is_authenticated and thread.author_id == user.pk):
        return thread
    if thread.is_hidden and can(user, Capability.MODERATE, community=community):
        return thread
    if thread.is_staged and not thread.is_hidden and may_review_staged(user, thread):
        return thread
    raise Http404("No such thread.")


def moved_thread_url(user, community, thread_id: int) -> str | None:
    """Where thread `thread_id` lives now, if it is not in `community` and `user` may read it.

    Thread ids are global, so an address naming the community a thread was moved out of
    still names the thread. Anything `user` may not open there answers None (a 404),
    exactly as a missing thread would.
    """
    thread = (
        Thread.objects.filter(pk=thread_id, deleted_at__isnull=True)
        .exclude(community=community)
        .select_related("community")
        .first()
    )
    if thread is None or not can(user, Capability.READ, community=thread.community):
        return None
    try:
        thread = thread_for(user, thread.community, thread_id)
    except Http404:
        return None
    return thread.get_absolute_url()


def post_for(user, community, post_id: int) -> Post:
    post = (
        Post.objects.filter(pk=post_id, thread__community=community)
        .select_related("author")
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    post.thread = thread_for(user, community, post.thread_id)
    return post


def listed_threads(user, community, *, params) -> tuple[QuerySet[Thread], str]:
    """Published threads `user` may see, filtered by kind/topic/solved/unanswered/mine and
    in the chosen sort (list page and API alike); returns the queryset and the sort's name."""
    threads = threads_visible_to(user, community).filter(status=ThreadStatus.PUBLISHED)
    kind = params.get("kind", "")
    if kind in ThreadKind.values:
        threads = threads.filter(kind=kind)
    topic = params.get("topic", "")
    if topic:
        threads = threads.filter(topics__slug=topic)
    solved = params.get("solved", "")
    if solved == "yes":
        threads = threads.filter(kind=ThreadKind.QUESTION, accepted_post__isnull=False)
    elif solved == "no":
        threads = threads.filter(kind=ThreadKind.QUESTION, accepted_post__isnull=True)
    if params.get("unanswered"):
        threads = threads.filter(kind=ThreadKind.QUESTION, reply_count=0)
    if params.get("mine") and user.is_authenticated:
        threads = threads.filter(author=user)
    sort = params.get("sort", "activity")
    if sort not in SORTS:
        sort = "activity"
    threads = threads.order_by(*SORTS[sort]).select_related("author").prefetch_related("topics")
    return threads, sort


def thread_list(user, community, *, params: dict) -> dict:
    """The list page: filters kind/topic/solved/unanswered/mine, a sort, one page of threads."""
    threads, sort = listed_threads(user, community, params=params)
    paginator = Paginator(threads, THREADS_PER_PAGE)
    page = paginator.get_page(params.get("page"))
    for thread in page.object_list:
        thread.community = community  # links need the slug; no query per row
    attach_lanyards(community, page.object_list)
    return {"page_obj": page, "threads": page.object_list, "sort": sort}


def thread_page(user, thread, *, page_number) -> dict:
    """One page of a thread's posts with lanyards, endorsements and the reader's own marks."""
    posts = (
        thread.posts.select_related("author", "hidden_by", "reply_to__author")
        .prefetch_related(
            Prefetch(
                "endorsements",
                queryset=ProfessionEndorsement.objects.select_related("user"),
            )
        )
        .order_by("created_at", "pk")
    )
    paginator = Paginator(posts, POSTS_PER_PAGE)
    page = paginator.get_page(page_number)
    page_posts = attach_lanyards(thread.community, page.object_list)
    marked: set[int] = set()
    if user.is_authenticated:
        marked = set(
            HelpfulMark.objects.filter(user=user, post__in=[p.pk for p in page_posts]).values_list(
                "post_id", flat=True
            )
        )
    on_page = {p.pk for p in page_posts}
    for post in page_posts:
        if post.reply_to_id:
            _describe_reply_to(post, thread, on_page)
        post.marked_by_me = post.pk in marked
        post.endorsed_by_me = any(e.user_id == user.pk for e in post.endorsements.all())
        post.professions = sorted(
            {e.user.get_profession_display().lower() for e in post.endorsements.all()}
        )
    return {"page_obj": page, "posts": page_posts}


REPLY_EXCERPT_WORDS = 40


def _describe_reply_to(post, thread, on_page: set[int]) -> None:
    """Give a reply `in_reply_to`: who it answers, a link back and a short plain excerpt.

    The link stays on the page when the answered post is on it, and otherwise goes through
    the post's permalink, which finds its page. Hidden and deleted posts give no excerpt.
    """
    parent = post.reply_to
    if parent is None:  # the answered post was removed entirely
        post.in_reply_to = None
        return
    if parent.pk in on_page:
        url = f"#post-{parent.pk}"
    else:
        url = reverse(
            "conversations:post",
            kwargs={"community_slug": thread.community.slug, "post_id": parent.pk},
        )
    if parent.is_deleted:
        excerpt = "This post was deleted by its author."
    elif parent.is_hidden:
        excerpt = "This post is hidden by a steward."
    else:
        text = html.unescape(strip_tags(parent.body_html))
        excerpt = Truncator(" ".join(text.split())).words(REPLY_EXCERPT_WORDS)
    post.in_reply_to = {
        "name": parent.author.name if parent.author else "a former member",
        "url": url,
        "excerpt": excerpt,
        "is_opening": parent.is_opening,
    }


def accepted_page_number(thread) -> int | None:
    """Which page of the thread shows its accepted answer."""
    if not thread.accepted_post_id:
        return None
    before = thread.posts.filter(
        Q(created_at__lt=thread.accepted_post.created_at)
        | Q(created_at=thread.accepted_post.created_at, pk__lt=thread.accepted_post_id)
    ).count()
    return before // POSTS_PER_PAGE + 1


def is_watching(user, thread) -> bool:
    return user.is_authenticated and Watch.objects.filter(user=user, thread=thread).exists()


def watched_topic_ids(user, community) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Watch.objects.filter(user=user, topic__community=community).values_list(
            "topic_id", flat=True
        )
    )


def staged_threads(user, community) -> QuerySet[Thread]:
    """The staging area: every staged question for reviewers, otherwise the asker's own."""
    threads = Thread.objects.filter(
        community=community, status=ThreadStatus.STAGED, deleted_at__isnull=True
    )
    if not may_review_any_staged(user, community):
        mentees = Mentorship.objects.filter(
            community=community, mentor=user, status=Mentorship.Status.ACTIVE
        ).values("mentee_id")
        threads = threads.filter(Q(author=user) | Q(author_id__in=mentees))
    return threads.select_related("author").prefetch_related("topics").order_by("created_at")


def staging_stats(community) -> dict:
    once_staged = Thread.objects.filter(
        community=community, staged_at__isnull=False, deleted_at__isnull=True
    )
    published = once_staged.filter(status=ThreadStatus.PUBLISHED)
    return {
        "staged_total": once_staged.count(),
        "staged_published": published.count(),
        "staged_answered": published.filter(reply_count__gt=0).count(),
    }
