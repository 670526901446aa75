"""What conversations count toward the trajectory, and asking for re-evaluation."""

from __future__ import annotations

from django.db.models import Q

from practica.communities.models import CriterionKind, Membership
from practica.communities.progression_sources import register_source
from practica.conversations.models import HelpfulMark, Post, Thread, ThreadStatus

_SHOWN_POST = Q(
    deleted_at__isnull=True,
    hidden_at__isnull=True,
    thread__deleted_at__isnull=True,
    thread__hidden_at__isnull=True,
    thread__status=ThreadStatus.PUBLISHED,
)


def contributions(membership, criterion=None) -> int:
    """Threads started and replies written in the community, still shown."""
    return Post.objects.filter(
        _SHOWN_POST, author_id=membership.user_id, thread__community_id=membership.community_id
    ).count()


def helpful_marks_received(membership, criterion=None) -> int:
    return HelpfulMark.objects.filter(
        post__author_id=membership.user_id,
        post__thread__community_id=membership.community_id,
        post__deleted_at__isnull=True,
        post__hidden_at__isnull=True,
    ).count()


def accepted_answers(membership, criterion=None) -> int:
    return Thread.objects.filter(
        community_id=membership.community_id,
        accepted_post__author_id=membership.user_id,
        deleted_at__isnull=True,
        hidden_at__isnull=True,
    ).count()


def helpful_or_accepted(membership, criterion=None) -> int:
    return helpful_marks_received(membership) + accepted_answers(membership)


def register() -> None:
    register_source(CriterionKind.CONTRIBUTIONS, contributions)
    register_source(CriterionKind.HELPFUL_MARKS, helpful_marks_received)
    register_source(CriterionKind.ACCEPTED_ANSWERS, accepted_answers)
    register_source(CriterionKind.HELPFUL_OR_ACCEPTED, helpful_or_accepted)


def request_reevaluation(*, user_ids: list[int], community_id: int) -> None:
    """Hand each member to the trajectory engine, which evaluates after the commit."""
    from practica.communities.services.progression import request_evaluation

    memberships = Membership.objects.filter(
        community_id=community_id, user_id__in=user_ids
    ).values_list("pk", flat=True)
    for membership_id in memberships:
        request_evaluation(membership_id)  # coalesced: one row per member at commit
