"""Flags, the review queue's decisions, hiding, locking, pinning and moving threads."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from practica.communities.capabilities import Capability, require
from practica.conversations.models import Flag, FlagReason, Thread
from practica.conversations.services.common import after_commit_index, after_commit_reevaluate
from practica.notifications.models import Notification
from practica.notifications.services import notify


def flag_post(*, actor, post, reason: str, note: str = "") -> Flag:
    require(actor, Capability.FLAG, community=post.thread.community)
    if reason not in FlagReason.values:
        raise ValidationError({"reason": "Choose why you are flagging this post."})
    if post.author_id == actor.pk:
        raise ValidationError("You cannot flag your own post; edit or delete it instead.")
    note = (note or "").strip()
    if reason == FlagReason.OTHER and not note:
        raise ValidationError({"note": "Tell the stewards what is wrong."})
    if Flag.objects.filter(post=post, flagged_by=actor, status=Flag.Status.OPEN).exists():
        raise ValidationError("You have already flagged this post; a steward will look at it.")
    with transaction.atomic():
        flag = Flag(post=post, flagged_by=actor, reason=reason, note=note[:500])
        flag.full_clean()
        flag.save()
        if reason == FlagReason.PATIENT_DATA and not (post.is_hidden or post.is_deleted):
            _hold(post, flag)
    return flag


HELD_REASON = "Flagged as possible patient data: hidden until a steward reviews it."


def _hold(post, flag) -> None:
    """Hide a post flagged as patient data at once, and tell every steward now.

    Only its author and the stewards see it while held. The notification is urgent: by
    email straight away, never in a digest, whatever the steward chose.
    """
    from practica.communities.services.membership import stewards_of

    thread = post.thread
    now = timezone.now()
    post.hidden_at = now
    post.hidden_by = None
    post.hidden_reason = HELD_REASON
    post.held_for_review = True
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "held_for_review"])
    if post.is_opening:
        thread.hidden_at = now
        thread.save(update_fields=["hidden_at"])
    after_commit_index(thread.pk)
    queue = reverse("conversations:moderation", kwargs={"community_slug": thread.community.slug})
    for steward in stewards_of(thread.community):
        if steward.pk == post.author_id:
            continue  # the author sees their own post anyway; another steward reviews it
        notify(
            recipient=steward,
            kind=Notification.Kind.STEWARD,
            text=f"A post in “{thread.title}” was flagged as patient data and is hidden "
            "until you review it.",
            url=f"{queue}#flag-{flag.pk}",
            community=thread.community,
            actor=flag.flagged_by,
            urgent=True,
        )


def hide_post(*, actor, post, reason: str) -> None:
    """Hide a post (a thread, if it is the opening post); its author is told why."""
    thread = post.thread
    require(actor, Capability.MODERATE, community=thread.community)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Give the author a reason for hiding their post."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason to 500 characters."})
    now = timezone.now()
    with transaction.atomic():
        post.hidden_at = now
        post.hidden_by = actor
        post.hidden_reason = reason
        post.held_for_review = False
        post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "held_for_review"])
        if post.is_opening:
            thread.hidden_at = now
            thread.save(update_fields=["hidden_at"])
        after_commit_index(thread.pk)  # a hidden reply leaves search too
        if thread.accepted_post_id == post.pk:
            thread.accepted_post = None
            thread.save(update_fields=["accepted_post"])
        post.flags.filter(status=Flag.Status.OPEN).update(
            status=Flag.Status.ACTIONED, resolved_by=actor, resolved_at=now
        )
        if post.author_id:
            what = "thread" if post.is_opening else "reply"
            notify(
                recipient=post.author,
                kind=Notification.Kind.MODERATION,
                text=f"A steward hid your {what} in “{thread.title}”: {reason}",
                url=thread.get_absolute_url(),
                community=thread.community,
                actor=actor,
            )
        after_commit_reevaluate(user_ids=[post.author_id], community_id=thread.community_id)


def unhide_post(*, actor, post) -> None:
    thread = post.thread
    require(actor, Capability.MODERATE, community=thread.community)
    with transaction.atomic():
        post.hidden_at = None
        post.hidden_by = None
        post.hidden_reason = ""
        post.held_for_review = False
        post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "held_for_review"])
        # Restoring a post held for review settles its flags: it was looked at and is fine.
        post.flags.filter(status=Flag.Status.OPEN).update(
            status=Flag.Status.DISMISSED, resolved_by=actor, resolved_at=timezone.now()
        )
        if post.is_opening:
            thread.hidden_at = None
            thread.save(update_fields=["hidden_at"])
        after_commit_index(thread.pk)  # a reply's entry too: the thread indexes its replies
        if post.author_id:
            notify(
                recipient=post.author,
                kind=Notification.Kind.MODERATION,
                text=f"A steward has shown your post in “{thread.title}” again.",
                url=thread.get_absolute_url(),
                community=thread.community,
                actor=actor,
            )
        after_commit_reevaluate(user_ids=[post.author_id], community_id=thread.community_id)


def dismiss_flag(*, actor, flag) -> None:
    require(actor, Capability.MODERATE, community=flag.post.thread.community)
    if flag.post.held_for_review:
        unhide_post(actor=actor, post=flag.post)  # nothing wrong: the held post comes back
        return
    with transaction.atomic():
        Flag.objects.filter(post=flag.post, status=Flag.Status.OPEN).update(
            status=Flag.Status.DISMISSED, resolved_by=actor, resolved_at=timezone.now()
        )


def set_locked(*, actor, thread, locked: bool) -> None:
    require(actor, Capability.MODERATE, community=thread.community)
    Thread.objects.filter(pk=thread.pk).update(is_locked=locked)
    thread.is_locked = locked


def set_pinned(*, actor, thread, pinned: bool) -> None:
    require(actor, Capability.MODERATE, community=thread.community)
    Thread.objects.filter(pk=thread.pk).update(is_pinned=pinned)
    thread.is_pinned = pinned


def move_thread(*, actor, thread, to_community) -> Thread:
    """Move a thread to another community the steward also moderates; topics do not travel."""
    source = thread.community
    require(actor, Capability.MODERATE, community=source)
    require(actor, Capability.MODERATE, community=to_community)
    if to_community.pk == source.pk:
        raise ValidationError({"community": "Choose a different community."})
    if (
        thread.external_id
        and Thread.objects.filter(community=to_community, external_id=thread.external_id).exists()
    ):
        raise ValidationError({"community": "That community already has this imported thread."})
    with transaction.atomic():
        thread.community = to_community
        thread.save(update_fields=["community"])
        thread.topics.clear()
        after_commit_index(thread.pk)
        authors = list(thread.posts.values_list("author_id", flat=True).distinct())
        after_commit_reevaluate(user_ids=authors, community_id=source.pk)
        after_commit_reevaluate(user_ids=authors, community_id=to_community.pk)
    return thread
