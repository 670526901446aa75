"""Telling the people who look after something that it is due for review.

Library articles, evidence summaries and adopted practices carry a review date. Once a
date has passed, a nightly job tells everyone who looks after the item, once for that
date, on their usual channel for "due for review" (in the app, by email or in a digest).
The notification's source names the item and the date, so a job run twice, or run every
night while the item stays overdue, tells nobody twice; a new review date is a new source.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from practica.communities.models import Community, Membership
from practica.notifications.models import Notification
from practica.notifications.services import notify
from practica.people.models import User


@dataclass(frozen=True)
class ReviewDue:
    """One item past its review date and who looks after it."""

    key: str  # "article:12": unique among all kinds of item
    kind: str  # "library article"
    title: str
    community: Community
    review_by: datetime.date
    url: str
    owner_ids: set[int]

    def source(self) -> str:
        return f"review:{self.key}:{self.review_by.isoformat()}"

    def text(self) -> str:
        when = f"{self.review_by.day} {self.review_by:%B %Y}"
        return f"Due for review: the {self.kind} “{self.title}” (review by {when})."[:300]


def everything_due(today: datetime.date) -> list[ReviewDue]:
    from practica.evidence.querysets import reviews_due as evidence_due
    from practica.library.querysets import reviews_due as library_due

    return library_due(today=today) + evidence_due(today=today)


def notify_reviews_due(*, today: datetime.date | None = None) -> int:
    """Tell each owner of each overdue item, once per review date; returns how many were told.

    Only active members of the item's community are told: someone who left, or was
    suspended, no longer looks after it there.
    """
    today = today or datetime.date.today()
    due = everything_due(today)
    owner_ids = {pk for item in due for pk in item.owner_ids}
    members = set(
        Membership.objects.filter(
            user_id__in=owner_ids,
            community_id__in={item.community.pk for item in due},
            suspended=False,
            user__is_active=True,
        ).values_list("community_id", "user_id")
    )
    people = User.objects.in_bulk(owner_ids)
    told = 0
    for item in due:
        for owner_id in sorted(item.owner_ids):
            if (item.community.pk, owner_id) not in members:
                continue
            made = notify(
                recipient=people[owner_id],
                kind=Notification.Kind.REVIEW_DUE,
                text=item.text(),
                url=item.url,
                community=item.community,
                source=item.source(),
            )
            told += made is not None
    return told
