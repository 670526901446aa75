"""The signed-in home: what to do next, across every community the member belongs to.

Discourse's "latest" and Stack Overflow's home are the models: the newest activity in my
communities, questions that want someone of my profession, my next step on my trajectory
and my next event. Each part is a fixed number of queries, whatever the size of the
communities (the trajectory part reads at most TRAJECTORIES communities).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from practica.communities.capabilities import memberships_of
from practica.conversations.models import Post, Thread, ThreadKind, ThreadStatus
from practica.people.models import Profession

LATEST = 8
WAITING = 5
TRAJECTORIES = 3
EVENT_HORIZON = timedelta(days=90)
# "Questions waiting for …": each profession as a phrase (never "a allied health").
WAITING_FOR = {
    Profession.DOCTOR: "a doctor",
    Profession.NURSE: "a nurse",
    Profession.MIDWIFE: "a midwife",
    Profession.PHARMACIST: "a pharmacist",
    Profession.ALLIED_HEALTH: "an allied health professional",
    Profession.ADMINISTRATIVE: "administrative staff",
    Profession.LEARNER: "a learner",
}


def _active_communities(user) -> list[int]:
    return [cid for cid, m in memberships_of(user).items() if not m.suspended]


def _published(community_ids):
    return Thread.objects.filter(
        community_id__in=community_ids,
        status=ThreadStatus.PUBLISHED,
        hidden_at__isnull=True,
        deleted_at__isnull=True,
    )


def latest_activity(user, community_ids) -> list[Thread]:
    """The threads most recently active in the member's communities. One query."""
    return list(
        _published(community_ids)
        .select_related("community")
        .only(
            "pk",
            "title",
            "kind",
            "reply_count",
            "last_activity_at",
            "accepted_post_id",
            "community__slug",
            "community__name",
        )
        .order_by("-last_activity_at", "-pk")[:LATEST]
    )


def waiting_for_my_profession(user, community_ids) -> list[Thread]:
    """Open questions in the member's communities that nobody of their profession has
    answered yet, least answered first (then newest); never their own. One query."""
    answered_by_mine = Post.objects.filter(
        thread=OuterRef("pk"),
        is_opening=False,
        deleted_at__isnull=True,
        author__profession=user.profession,
    )
    return list(
        _published(community_ids)
        .filter(kind=ThreadKind.QUESTION, accepted_post__isnull=True)
        .exclude(author=user)
        .filter(~Exists(answered_by_mine))
        .select_related("community")
        .only("pk", "title", "reply_count", "created_at", "community__slug", "community__name")
        .order_by("reply_count", "-created_at", "-pk")[:WAITING]
    )


def next_steps(user) -> list[dict]:
    """The member's next step toward their next stage, in up to TRAJECTORIES communities."""
    from practica.communities.progression import trajectory_for

    memberships = sorted(
        (m for m in memberships_of(user).values() if not m.suspended),
        key=lambda m: (m.joined_at, m.pk),
    )
    found = []
    # Stewards have no next stage: look a little further, but never at every community.
    for membership in memberships[: TRAJECTORIES * 2]:
        if len(found) >= TRAJECTORIES:
            break
        trajectory = trajectory_for(membership)
        if trajectory.next_stage is None:
            continue
        steps = trajectory.next_steps()
        found.append(
            {
                "community": membership.community,
                "stage": trajectory.stage_label,
                "next": trajectory.next_label,
                "met": trajectory.met_count,
                "total": len(trajectory.criteria),
                "step": steps[0] if steps else "",
                "url": reverse(
                    "communities:trajectory",
                    kwargs={"community_slug": membership.community.slug},
                ),
            }
        )
    return found


def next_event(user):
    """The member's next event occurrence they haven't declined, or None."""
    from practica.events.querysets import upcoming_for_digest

    now = timezone.now()
    found = upcoming_for_digest(user, now=now, until=now + EVENT_HORIZON)
    return found[0] if found else None


def what_next(user) -> dict:
    """Everything the signed-in home shows above the list of communities."""
    if not user.is_authenticated:
        return {}
    community_ids = _active_communities(user)
    if not community_ids:
        return {"dashboard": False}
    profession = Profession(user.profession)
    return {
        "dashboard": True,
        "latest": latest_activity(user, community_ids),
        "waiting": waiting_for_my_profession(user, community_ids),
        "waiting_for": WAITING_FOR.get(profession, ""),
        "steps": next_steps(user),
        "next_event": next_event(user),
    }
