"""Asking members for a value-creation story at natural moments.

Nightly, the worker looks for three moments: a week after an answer to a member's question
was accepted, the day after they attended an event, the day after a decision they took part
in was adopted. Each member is asked at most once a month (across communities), and never
when they switched "Invitations to tell what a community gave me" off in their
notification preferences.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import Membership
from practica.insights.models import StoryPrompt
from practica.notifications.models import Notification
from practica.notifications.services import notify

ONCE_EVERY = timedelta(days=30)


def moments(now) -> list[tuple[int, int, str, str, str]]:
    """(user_id, community_id, moment, about, what) candidates, in order of preference."""
    from practica.conversations.models import Thread
    from practica.events.models import Attendance
    from practica.evidence.models import Decision, ProposalTransition

    found = []
    week_ago = now - timedelta(days=7)
    for thread_id, community_id, author_id, title in Thread.objects.filter(
        accepted_at__gte=week_ago - timedelta(days=1),
        accepted_at__lt=week_ago,
        author__isnull=False,
    ).values_list("pk", "community_id", "author_id", "title"):
        found.append(
            (
                author_id,
                community_id,
                StoryPrompt.Moment.ACCEPTED,
                f"thread:{thread_id}",
                f"the answer to “{title}”",
            )
        )
    for user_id, event_id, community_id, title in Attendance.objects.filter(
        recorded_at__gte=now - timedelta(days=1)
    ).values_list("user_id", "event_id", "event__community_id", "event__title"):
        found.append(
            (user_id, community_id, StoryPrompt.Moment.ATTENDED, f"event:{event_id}", f"“{title}”")
        )
    for proposal_id, community_id, proposer_id, title in Decision.objects.filter(
        outcome="adopted", decided_at__gte=now - timedelta(days=1)
    ).values_list("proposal_id", "community_id", "proposal__proposed_by_id", "proposal__title"):
        people = {proposer_id} | set(
            ProposalTransition.objects.filter(proposal_id=proposal_id).values_list(
                "actor_id", flat=True
            )
        )
        for user_id in people - {None}:
            found.append(
                (
                    user_id,
                    community_id,
                    StoryPrompt.Moment.ADOPTED,
                    f"decision:{proposal_id}",
                    f"the decision to adopt “{title}”",
                )
            )
    return found


def send_prompts(now=None) -> int:
    """Ask each member with a natural moment, at most once a month; returns how many were asked."""
    from practica.communities.models import Community
    from practica.people.models import User

    now = now or timezone.now()
    candidates = moments(now)
    if not candidates:
        return 0
    users = {c[0] for c in candidates}
    recently = set(
        StoryPrompt.objects.filter(user_id__in=users, created_at__gte=now - ONCE_EVERY).values_list(
            "user_id", flat=True
        )
    )
    members = set(
        Membership.objects.filter(user_id__in=users, suspended=False).values_list(
            "user_id", "community_id"
        )
    )
    people = User.objects.in_bulk(users)
    communities = Community.objects.in_bulk({c[1] for c in candidates})
    asked = 0
    for user_id, community_id, moment, about, what in candidates:
        if user_id in recently or (user_id, community_id) not in members or user_id not in people:
            continue
        community = communities[community_id]
        url = reverse("insights:story-new", args=[community.slug]) + f"?about={about}"
        with transaction.atomic():
            notification = notify(
                recipient=people[user_id],
                kind=Notification.Kind.STORY,
                community=community,
                text=f"What did {what} give you? Tell {community.name} in a few lines.",
                url=url,
            )
            # Switched off: nothing was recorded, and nothing is asked for a month either way.
            StoryPrompt.objects.create(
                user_id=user_id, community=community, moment=moment, about=about, created_at=now
            )
        recently.add(user_id)
        asked += notification is not None
    return asked
