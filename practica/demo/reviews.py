"""Due for review: the owners of the demo's overdue articles, evidence summaries and adopted
practices are told, as the nightly job would (once per review date, so seeding again tells
nobody twice)."""

from __future__ import annotations

from practica.notifications.models import Notification
from practica.notifications.reviews import notify_reviews_due


def seed() -> str:
    told = notify_reviews_due()
    total = Notification.objects.filter(kind=Notification.Kind.REVIEW_DUE).count()
    return f"{told} owners told now, {total} due-for-review notices in all"
