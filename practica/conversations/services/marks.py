"""Helpful marks, accepted answers and profession endorsements."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from practica.communities.capabilities import Capability, require
from practica.conversations.models import HelpfulMark, ProfessionEndorsement, Thread
from practica.conversations.permissions import require_accept
from practica.conversations.services.common import (
    after_commit_notify,
    after_commit_reevaluate,
    settings_for,
)
from practica.people.models import Profession

# Professions that can speak for their discipline in an endorsement.
ENDORSING_PROFESSIONS = {
    Profession.DOCTOR,
    Profession.NURSE,
    Profession.MIDWIFE,
    Profession.PHARMACIST,
    Profession.ALLIED_HEALTH,
}


def _check_markable(post) -> None:
    if post.is_deleted or post.is_hidden:
        raise ValidationError("This post is no longer shown, so it cannot be marked.")
    if not post.thread.is_public:
        raise ValidationError("Posts can be marked once their thread is published.")


def mark_helpful(*, actor, post) -> bool:
    """Mark `post` helpful; True if a new mark was made (marking twice changes nothing)."""
    require(actor, Capability.MARK_HELPFUL, community=post.thread.community)
    if post.author_id == actor.pk:
        raise ValidationError("You cannot mark your own post as helpful.")
    _check_markable(post)
    with transaction.atomic():
        _mark, created = HelpfulMark.objects.get_or_create(post=post, user=actor)
        if created:
            type(post).objects.filter(pk=post.pk).update(helpful_count=F("helpful_count") + 1)
            Thread.objects.filter(pk=post.thread_id).update(helpful_count=F("helpful_count") + 1)
            post.helpful_count += 1
            after_commit_reevaluate(
                user_ids=[post.author_id], community_id=post.thread.community_id
            )
    return created


def unmark_helpful(*, actor, post) -> bool:
    require(actor, Capability.MARK_HELPFUL, community=post.thread.community)
    with transaction.atomic():
        deleted, _ = HelpfulMark.objects.filter(post=post, user=actor).delete()
        if deleted:
            type(post).objects.filter(pk=post.pk).update(
                helpful_count=Greatest(F("helpful_count") - 1, 0)
            )
            Thread.objects.filter(pk=post.thread_id).update(
                helpful_count=Greatest(F("helpful_count") - 1, 0)
            )
            post.helpful_count = max(0, post.helpful_count - 1)
            after_commit_reevaluate(
                user_ids=[post.author_id], community_id=post.thread.community_id
            )
    return bool(deleted)


def accept_answer(*, actor, post) -> Thread:
    """Make `post` the accepted answer of its question.

    The asker may always; others only as `permissions.accept_refusal` allows (their stage
    holds ACCEPT_ANSWER, the asker has had their days, and the asker has not chosen).
    """
    from practica.api.webhooks.services import emit
    from practica.conversations import tasks
    from practica.site import absolute_url

    thread = post.thread
    require_accept(actor, thread)
    if not thread.is_question:
        raise ValidationError("Only questions have accepted answers.")
    if post.is_opening or post.thread_id != thread.pk:
        raise ValidationError("Choose a reply to the question as its answer.")
    _check_markable(post)
    previous_author = thread.accepted_post.author_id if thread.accepted_post_id else None
    with transaction.atomic():
        thread.accepted_post = post
        thread.accepted_by = actor
        thread.accepted_at = timezone.now()
        thread.save(update_fields=["accepted_post", "accepted_by", "accepted_at"])
        after_commit_reevaluate(
            user_ids=[post.author_id, previous_author], community_id=thread.community_id
        )
        after_commit_notify(tasks.notify_accepted_task, post.pk, actor.pk)
        emit(
            "answer.accepted",
            community=thread.community,
            data={
                "thread_id": thread.pk,
                "post_id": post.pk,
                "answer_author": post.author.username if post.author else None,
                "accepted_by": actor.username,
                "url": absolute_url(f"{thread.get_absolute_url()}#post-{post.pk}"),
            },
        )
    return thread


def unaccept_answer(*, actor, thread) -> Thread:
    """Clear the accepted answer; the same people as `accept_answer` may."""
    require_accept(actor, thread)
    if not thread.accepted_post_id:
        return thread
    previous_author = thread.accepted_post.author_id
    with transaction.atomic():
        thread.accepted_post = None
        thread.accepted_by = None
        thread.accepted_at = None
        thread.save(update_fields=["accepted_post", "accepted_by", "accepted_at"])
        after_commit_reevaluate(user_ids=[previous_author], community_id=thread.community_id)
    return thread


def may_endorse(actor, post) -> bool:
    community = post.thread.community
    return (
        actor.is_authenticated
        and settings_for(community).profession_endorsements
        and actor.profession in ENDORSING_PROFESSIONS
        and post.author_id != actor.pk
        and not post.is_opening
    )


def endorse_answer(*, actor, post) -> ProfessionEndorsement:
    """“Endorsed by a pharmacist”: a full member vouches for a reply in their profession's name."""
    community = post.thread.community
    require(actor, Capability.ENDORSE_MEMBER, community=community)
    if not settings_for(community).profession_endorsements:
        raise ValidationError(f"{community.name} has not turned on profession endorsements.")
    if actor.profession not in ENDORSING_PROFESSIONS:
        raise ValidationError(
            "Endorsements speak for a clinical profession; set your profession on your profile."
        )
    if post.author_id == actor.pk:
        raise ValidationError("You cannot endorse your own answer.")
    if post.is_opening:
        raise ValidationError("Endorse a reply, not the question itself.")
    _check_markable(post)
    with transaction.atomic():
        endorsement, _ = ProfessionEndorsement.objects.get_or_create(
            post=post, user=actor, defaults={"profession": actor.profession}
        )
    return endorsement
