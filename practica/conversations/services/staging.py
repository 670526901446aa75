"""The staging area: a learner's first questions, shaped with a reviewer before publishing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from practica.communities.capabilities import Capability, CapabilityDenied, require
from practica.conversations.models import StagingComment, ThreadStatus
from practica.conversations.querysets import may_review_staged
from practica.conversations.services.common import (
    after_commit_index,
    after_commit_reevaluate,
    announce_thread,
    clean_body,
    screen,
)
from practica.markdown import render_markdown
from practica.notifications.models import Notification
from practica.notifications.services import notify
from practica.reliability.idempotency import once_per_key


def _require_reviewer_or_asker(actor, thread) -> None:
    require(actor, Capability.READ, community=thread.community)
    if actor.pk != thread.author_id and not may_review_staged(actor, thread):
        require(actor, Capability.REVIEW_STAGED, community=thread.community)


def _require_staged(thread) -> None:
    if not thread.is_staged:
        raise ValidationError("This question has already been published.")


@once_per_key("conversations.comment_on_staged")
def comment_on_staged(*, actor, thread, body: str, confirm_guard: bool = False) -> StagingComment:
    """A reviewer's or the asker's comment on a staged question. Raises PatientDataFound."""
    _require_reviewer_or_asker(actor, thread)
    _require_staged(thread)
    body = clean_body(body)
    if len(body) > 5000:
        raise ValidationError({"body": "Keep review comments to 5,000 characters."})
    screening = screen(
        actor=actor,
        community=thread.community,
        where="staging comment",
        texts={"body": body},
        confirmed=confirm_guard,
    )
    with transaction.atomic():
        comment = StagingComment(
            thread=thread, author=actor, body=body, body_html=render_markdown(body)
        )
        comment.stamp_lanyard(actor, thread.community)
        comment.full_clean()
        comment.save()
        screening.record(comment)
        recipient = thread.author if actor.pk != thread.author_id else None
        if recipient is not None:
            notify(
                recipient=recipient,
                kind=Notification.Kind.MENTORING,
                text=f"{actor.name} suggested improvements to your staged question “{thread.title}”.",
                url=thread.get_absolute_url(),
                community=thread.community,
                actor=actor,
            )
    return comment


def approve_staged(*, actor, thread) -> None:
    """A reviewer publishes a staged question."""
    if not may_review_staged(actor, thread):
        require(actor, Capability.REVIEW_STAGED, community=thread.community)
        raise CapabilityDenied("You cannot approve your own staged question.")
    _publish(actor=actor, thread=thread)


def publish_own_staged(*, actor, thread) -> None:
    """The asker publishes their staged question once a reviewer has commented on it."""
    if actor.pk != thread.author_id:
        raise CapabilityDenied("Only the asker can publish their own staged question.")
    require(actor, Capability.ASK_QUESTION, community=thread.community)
    _require_staged(thread)
    if not thread.staging_comments.exclude(author=actor).exists():
        raise ValidationError(
            "A reviewer looks at your question first: you can publish it once they have "
            "commented, or they will publish it for you."
        )
    _publish(actor=actor, thread=thread)


def _publish(*, actor, thread) -> None:
    from practica.conversations import tasks
    from practica.conversations.services.common import after_commit_notify

    _require_staged(thread)
    now = timezone.now()
    with transaction.atomic():
        thread.status = ThreadStatus.PUBLISHED
        thread.published_at = now
        thread.last_activity_at = now
        thread.save(update_fields=["status", "published_at", "last_activity_at"])
        opening = thread.posts.get(is_opening=True)
        after_commit_index(thread.pk)
        after_commit_notify(tasks.notify_new_post_task, opening.pk, [])
        announce_thread(thread)
        after_commit_reevaluate(user_ids=[thread.author_id], community_id=thread.community_id)
        if actor.pk != thread.author_id and thread.author_id:
            notify(
                recipient=thread.author,
                kind=Notification.Kind.APPROVAL,
                text=f"Your question “{thread.title}” is published.",
                url=thread.get_absolute_url(),
                community=thread.community,
                actor=actor,
            )
