"""Creating and reading notifications, and handing the ones members want by email to the
mail queue. Digests and delivery live in digests.py and mail.py."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from practica.notifications.models import Delivery, EmailDelivery, Notification
from practica.notifications.preferences import delivery_for


def notify(
    *,
    recipient,
    kind: str,
    text: str,
    url: str = "",
    community=None,
    actor=None,
    source: str = "",
    urgent: bool = False,
) -> Notification | None:
    """Record a notification for `recipient`, as their preferences for `kind` in `community`
    say; nobody is notified of their own actions, and nothing is recorded when they turned
    the kind off. Emails go out from the worker once the current transaction commits.

    `source` names what it is about ("post:42"); a recipient is told of one source once,
    so a background task that runs twice notifies nobody twice.

    `urgent` (a post held as possible patient data) goes in the app and by email at once,
    whatever the member chose for the kind: never held back for a digest, never off.
    """
    if actor is not None and recipient.pk == actor.pk:
        return None
    delivery = delivery_for(recipient, kind, community)
    if urgent:
        delivery = Delivery.IMMEDIATE
    if delivery == Delivery.OFF:
        return None
    notification = Notification(
        recipient=recipient,
        kind=kind,
        text=text[:300],
        url=url,
        community=community,
        actor=actor,
        delivery=delivery,
        source=source,
    )
    notification.full_clean(validate_constraints=False)
    if source:
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            return None  # told already, by an earlier run of the same task
    else:
        notification.save()
    if delivery == Delivery.IMMEDIATE:
        queue_email(notification)
    return notification


def queue_email(notification: Notification) -> EmailDelivery:
    """Log the email as queued now, and enqueue its sending once the transaction commits."""
    from practica.notifications.tasks import send_email

    email = EmailDelivery.objects.create(
        user=notification.recipient, category=notification.kind, notification=notification
    )
    transaction.on_commit(lambda: send_email.enqueue(email.pk))
    return email


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
