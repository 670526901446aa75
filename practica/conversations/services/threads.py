"""Starting threads, replying, editing and deleting posts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from practica.communities.capabilities import Capability, can, require, standing
from practica.communities.stages import Stage
from practica.conversations.models import (
    Post,
    PostRevision,
    Thread,
    ThreadKind,
    ThreadStatus,
    Watch,
)
from practica.conversations.services.common import (
    after_commit_index,
    after_commit_notify,
    after_commit_reevaluate,
    announce_post,
    announce_thread,
    check_rate,
    clean_body,
    clean_title,
    count_post,
    render_body,
    screen,
    settings_for,
)
from practica.reliability.idempotency import once_per_key

KIND_CAPABILITY = {
    ThreadKind.QUESTION: Capability.ASK_QUESTION,
    ThreadKind.DISCUSSION: Capability.START_DISCUSSION,
}


def _clean_topics(community, topics) -> list:
    """The topics, checked to belong to `community`; accepts Topic objects or ids."""
    from practica.communities.models import Topic

    ids = {getattr(t, "pk", t) for t in topics or []}
    try:
        ids = {int(pk) for pk in ids}
    except (TypeError, ValueError):
        raise ValidationError({"topics": "Choose topics from the list."}) from None
    found = list(Topic.objects.filter(community=community, pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError(
            {"topics": f"Choose topics from {community.name}'s own list; one of these is unknown."}
        )
    return found


def _is_first_contribution(actor, community) -> bool:
    return (
        standing(actor, community).stage == Stage.PERIPHERAL
        and not Post.objects.filter(author=actor, thread__community=community).exists()
    )


def _goes_to_staging(actor, community, kind: str) -> bool:
    options = settings_for(community)
    if kind != ThreadKind.QUESTION or not options.staging_enabled:
        return False
    if standing(actor, community).stage != Stage.PERIPHERAL:
        return False
    asked = Thread.objects.filter(
        community=community, author=actor, kind=ThreadKind.QUESTION, deleted_at__isnull=True
    ).count()
    return asked < options.staging_question_count


@once_per_key("conversations.start_thread")
def start_thread(
    *,
    actor,
    community,
    kind: str,
    title: str,
    body: str,
    topics=(),
    confirm_guard: bool = False,
) -> Thread:
    """Ask a question or start a discussion. Learners' first questions may go to staging.

    Raises CapabilityDenied, ValidationError (bad input, rate limit) or PatientDataFound.
    """
    if kind not in KIND_CAPABILITY:
        raise ValidationError({"kind": "Choose a question or a discussion."})
    require(actor, KIND_CAPABILITY[kind], community=community)
    title = clean_title(title)
    body = clean_body(body)
    topic_list = _clean_topics(community, topics)
    check_rate(actor, community)
    screening = screen(
        actor=actor,
        community=community,
        where="question" if kind == ThreadKind.QUESTION else "discussion",
        texts={"title": title, "body": body},
        confirmed=confirm_guard,
    )
    staged = _goes_to_staging(actor, community, kind)
    first = _is_first_contribution(actor, community)
    now = timezone.now()
    with transaction.atomic():
        body_html, mentioned = render_body(body, community=community)
        thread = Thread(
            community=community,
            kind=kind,
            title=title,
            author=actor,
            status=ThreadStatus.STAGED if staged else ThreadStatus.PUBLISHED,
            staged_at=now if staged else None,
            published_at=None if staged else now,
            created_at=now,
            last_activity_at=now,
        )
        thread.full_clean()
        thread.save()
        thread.topics.set(topic_list)
        post = Post(
            thread=thread,
            author=actor,
            is_opening=True,
            is_first_contribution=first,
            body=body,
            body_html=body_html,
            created_at=now,
        )
        post.stamp_lanyard(actor, community)
        post.full_clean()
        post.save()
        _record_revision(post, editor=actor, title=title, body=body, now=now)
        Watch.objects.get_or_create(user=actor, thread=thread)
        screening.record(post)
        after_commit_index(thread.pk)
        transaction.on_commit(lambda: count_post(actor, community))
        if not staged:
            _announce(thread, post, mentioned)
            announce_thread(thread)
            after_commit_reevaluate(user_ids=[actor.pk], community_id=community.pk)
    return thread


def _record_revision(post, *, editor, body: str, now, title: str = "") -> PostRevision:
    """The post's text as it now stands, with the editor's lanyard at this moment."""
    revision = PostRevision(post=post, editor=editor, title=title, body=body, created_at=now)
    revision.stamp_lanyard(editor, post.thread.community)
    revision.save()
    return revision


def _announce(thread, post, mentioned) -> None:
    from practica.conversations import tasks

    after_commit_notify(tasks.notify_new_post_task, post.pk, [u.pk for u in mentioned])


def check_open_for_replies(thread) -> None:
    if thread.is_deleted:
        raise ValidationError("This thread was deleted by its author, so it takes no replies.")
    if thread.is_hidden:
        raise ValidationError("This thread is hidden by a steward, so it takes no replies.")
    if thread.is_staged:
        raise ValidationError(
            "This question is still in the staging area: leave a review comment instead."
        )
    if thread.is_locked:
        raise ValidationError("This thread is locked by a steward: it takes no new replies.")


def _clean_reply_to(thread, reply_to) -> Post | None:
    """The post being answered (a Post or an id), checked to be shown in this thread."""
    if reply_to in (None, ""):
        return None
    pk = getattr(reply_to, "pk", reply_to)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise ValidationError({"reply_to": "Choose a post of this thread to reply to."}) from None
    post = (
        Post.objects.filter(pk=pk, thread=thread, deleted_at__isnull=True, hidden_at__isnull=True)
        .select_related("author")
        .first()
    )
    if post is None:
        raise ValidationError(
            {
                "reply_to": "The post you were replying to is no longer shown in this thread; "
                "your reply can still go to the thread as a whole."
            }
        )
    return post


@once_per_key("conversations.reply")
def reply(*, actor, thread, body: str, reply_to=None, confirm_guard: bool = False) -> Post:
    """Reply to a published thread, optionally answering one earlier post of it.

    Raises as start_thread, and ValidationError if closed or `reply_to` is not a shown
    post of this thread.
    """
    community = thread.community
    require(actor, Capability.REPLY, community=community)
    check_open_for_replies(thread)
    body = clean_body(body)
    parent = _clean_reply_to(thread, reply_to)
    check_rate(actor, community)
    screening = screen(
        actor=actor,
        community=community,
        where="reply",
        texts={"body": body},
        confirmed=confirm_guard,
    )
    first = _is_first_contribution(actor, community)
    now = timezone.now()
    with transaction.atomic():
        locked = Thread.objects.select_for_update(of=("self",)).get(pk=thread.pk)
        check_open_for_replies(locked)
        body_html, mentioned = render_body(body, community=community)
        post = Post(
            thread=thread,
            author=actor,
            reply_to=parent,
            body=body,
            body_html=body_html,
            is_first_contribution=first,
            created_at=now,
        )
        post.stamp_lanyard(actor, community)
        post.full_clean()
        post.save()
        _record_revision(post, editor=actor, body=body, now=now)
        Thread.objects.filter(pk=thread.pk).update(
            reply_count=F("reply_count") + 1, last_activity_at=now
        )
        Watch.objects.get_or_create(user=actor, thread=thread)
        screening.record(post)
        transaction.on_commit(lambda: count_post(actor, community))
        _announce(thread, post, mentioned)
        announce_post(post, thread)
        after_commit_reevaluate(user_ids=[actor.pk], community_id=community.pk)
    thread.reply_count += 1
    thread.last_activity_at = now
    return post


def _require_may_edit(actor, post) -> None:
    community = post.thread.community
    if actor.is_authenticated and post.author_id == actor.pk:
        require(actor, Capability.REPLY, community=community)
    else:
        require(actor, Capability.MODERATE, community=community)
    if post.is_deleted:
        raise ValidationError("This post was deleted, so it cannot be edited.")


def edit_post(
    *,
    actor,
    post,
    body: str,
    title: str | None = None,
    topics=None,
    confirm_guard: bool = False,
) -> Post:
    """Change a post (and, for an opening post, the thread's title and topics); keeps history."""
    thread = post.thread
    community = thread.community
    _require_may_edit(actor, post)
    body = clean_body(body)
    if post.is_opening and title is not None:
        title = clean_title(title)
    topic_list = (
        _clean_topics(community, topics) if post.is_opening and topics is not None else None
    )
    screening = screen(
        actor=actor,
        community=community,
        where="post edit",
        texts={"title": title or "", "body": body},
        confirmed=confirm_guard,
    )
    title_changed = post.is_opening and title is not None and title != thread.title
    if body == post.body and not title_changed and topic_list is None:
        return post
    now = timezone.now()
    with transaction.atomic():
        post.body = body
        post.body_html, _mentioned = render_body(body, community=community)
        post.edited_at = now
        post.full_clean()
        post.save(update_fields=["body", "body_html", "edited_at"])
        if post.is_opening:
            if title is not None:
                thread.title = title
                thread.full_clean(exclude=["accepted_post"])
                thread.save(update_fields=["title"])
            if topic_list is not None:
                thread.topics.set(topic_list)
        _record_revision(
            post, editor=actor, title=thread.title if post.is_opening else "", body=body, now=now
        )
        screening.record(post)
        if post.is_opening:
            after_commit_index(thread.pk)
    return post


def delete_post(*, actor, post) -> None:
    """Soft-delete the author's own post; a thread goes with its opening post.

    The accepted answer, and a thread others have replied to, stay: deleting them would
    take others' work or the community's answer with them.
    """
    thread = post.thread
    community = thread.community
    if not (actor.is_authenticated and post.author_id == actor.pk):
        raise ValidationError("Only the author can delete a post; stewards hide posts instead.")
    require(actor, Capability.READ, community=community)
    if post.is_deleted:
        return
    if thread.accepted_post_id == post.pk:
        raise ValidationError(
            "This reply is the accepted answer, so it stays. You can edit it instead."
        )
    if post.is_opening and (
        thread.posts.filter(deleted_at__isnull=True).exclude(author=actor).exists()
    ):
        raise ValidationError(
            "Others have replied to this thread, so it stays. You can edit your post instead."
        )
    now = timezone.now()
    with transaction.atomic():
        post.deleted_at = now
        post.save(update_fields=["deleted_at"])
        if post.is_opening:
            thread.deleted_at = now
            thread.save(update_fields=["deleted_at"])
            after_commit_index(thread.pk)
        else:
            Thread.objects.filter(pk=thread.pk, reply_count__gt=0).update(
                reply_count=F("reply_count") - 1
            )
        after_commit_reevaluate(user_ids=[actor.pk], community_id=community.pk)


def may_delete(actor, post) -> bool:
    return bool(actor.is_authenticated and post.author_id == actor.pk and not post.is_deleted) and (
        can(actor, Capability.READ, community=post.thread.community)
    )
