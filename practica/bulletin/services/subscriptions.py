"""Subscribing by email without an account: double opt-in, preferences, unsubscribe."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from practica.bulletin.models import Bulletin, Subscriber, SubscriberStatus, Topic

# A second confirmation email to the same address within this time is not sent: the
# form can't be used to flood someone's inbox.
RESEND_AFTER = datetime.timedelta(minutes=2)


def normalise_email(email: str) -> str:
    email = (email or "").strip()
    if not email:
        raise ValidationError("Enter your email address.")
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError(
            f"“{email[:80]}” doesn’t look like an email address. Check it, e.g. name@example.org."
        ) from error
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def subscribe(
    *, bulletin: Bulletin, email: str, all_topics: bool = True, topics: Sequence[Topic] = ()
) -> Subscriber:
    """Start (or restart) a subscription and email a confirmation link.

    The same happens for a new address, a pending one and one already confirmed, so the
    page never reveals who subscribes. A confirmed subscriber's preferences are not
    changed from here: only their own signed link may change them.
    """
    email = normalise_email(email)
    if not all_topics and not topics:
        raise ValidationError("Choose at least one topic, or subscribe to the whole bulletin.")
    now = timezone.now()
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update(of=("self",))
            .filter(bulletin=bulletin, email__iexact=email)
            .first()
        )
        if subscriber is None:
            subscriber = Subscriber(bulletin=bulletin, email=email)
        if subscriber.status != SubscriberStatus.CONFIRMED:
            subscriber.status = SubscriberStatus.PENDING
            subscriber.all_topics = all_topics
            subscriber.unsubscribed_at = None
        recently = (
            subscriber.confirmation_sent_at and now - subscriber.confirmation_sent_at < RESEND_AFTER
        )
        if not recently:
            subscriber.confirmation_sent_at = now
        subscriber.full_clean()
        subscriber.save()
        if subscriber.status == SubscriberStatus.PENDING:
            subscriber.topics.set([] if all_topics else topics)
        if not recently:
            pk = subscriber.pk
            transaction.on_commit(lambda: _enqueue_confirmation(pk))
    return subscriber


def _enqueue_confirmation(subscriber_id: int) -> None:
    from practica.bulletin.tasks import send_confirmation

    send_confirmation.enqueue(subscriber_id)


def confirm(*, subscriber: Subscriber) -> bool:
    """Confirm the subscription; True if this call confirmed it, False if it already was.

    An unsubscribed address needs a new subscription (and a new link) to come back.
    """
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        raise ValidationError(
            "This address unsubscribed after the link was sent. Subscribe again to restart."
        )
    with transaction.atomic():
        updated = Subscriber.objects.filter(
            pk=subscriber.pk, status=SubscriberStatus.PENDING
        ).update(status=SubscriberStatus.CONFIRMED, confirmed_at=timezone.now())
    subscriber.refresh_from_db()
    return bool(updated)


def update_preferences(
    *, subscriber: Subscriber, all_topics: bool, topics: Sequence[Topic] = ()
) -> Subscriber:
    if not all_topics and not topics:
        raise ValidationError("Choose at least one topic, or receive the whole bulletin.")
    with transaction.atomic():
        subscriber.all_topics = all_topics
        subscriber.full_clean()
        subscriber.save(update_fields=["all_topics"])
        subscriber.topics.set([] if all_topics else topics)
    return subscriber


def unsubscribe(*, subscriber: Subscriber) -> bool:
    """Stop every email to this address from this bulletin; True if it was subscribed.

    Deliveries already queued are skipped by the sender, which checks the status.
    """
    with transaction.atomic():
        updated = (
            Subscriber.objects.filter(pk=subscriber.pk)
            .exclude(status=SubscriberStatus.UNSUBSCRIBED)
            .update(status=SubscriberStatus.UNSUBSCRIBED, unsubscribed_at=timezone.now())
        )
    subscriber.refresh_from_db()
    return bool(updated)
