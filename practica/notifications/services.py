"""Creating and reading notifications. Email delivery and digests build on these rows."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from practica.notifications.models import Notification


def notify(
    *, recipient, kind: str, text: str, url: str = "", community=None, actor=None
) -> Notification | None:
    """Record a notification for `recipient`; nobody is notified of their own actions."""
    if actor is not None and recipient.pk == actor.pk:
        return None
    notification = Notification(
        recipient=recipient, kind=kind, text=text[:300], url=url, community=community, actor=actor
    )
    notification.full_clean()
    notification.save()
    return notification


def mark_read(*, user, notification_id: int) -> int:
    return Notification.objects.filter(
        pk=notification_id, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
