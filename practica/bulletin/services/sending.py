"""Sending a published issue to its subscribers, in batches, exactly once each.

Every Delivery row moves queued → sending → sent (or back to queued with a backoff after
an SMTP error, or failed after MAX_ATTEMPTS). A worker claims rows with one UPDATE that
only matches rows still queued, stamping its own claim token, so two workers never hold
the same row, and only the holder of the token marks it sent.

A worker killed after claiming leaves rows in sending. They are claimed again only after
CLAIM_TIMEOUT, and never once marked sent. The one window no database can close is a
kill between the mail server accepting a message and the row being marked sent; the
Message-ID is the same on every attempt so mail systems can drop such a duplicate.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from practica.bulletin import querysets
from practica.bulletin.models import Delivery, DeliveryStatus, Issue, SubscriberStatus
from practica.bulletin.permissions import require_editor
from practica.bulletin.tokens import manage_token
from practica.site import absolute_url, site_host

logger = logging.getLogger("practica.bulletin.sending")

BATCH_SIZE = 50
CLAIM_TIMEOUT = datetime.timedelta(minutes=10)
MAX_ATTEMPTS = 5
BACKOFF = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
]


def backoff(attempts: int) -> datetime.timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0


def build_message(issue: Issue, delivery: Delivery, contents: dict) -> EmailMultiAlternatives:
    """The issue as one email to one subscriber, with RFC 8058 one-click unsubscribe."""
    subscriber = delivery.subscriber
    token = manage_token(subscriber)
    unsubscribe_url = absolute_url(reverse("bulletin:unsubscribe", kwargs={"token": token}))
    context = {
        **contents,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": absolute_url(reverse("bulletin:preferences", kwargs={"token": token})),
    }
    bulletin = issue.bulletin
    host = site_host()
    message = EmailMultiAlternatives(
        subject=f"{bulletin.name}: {issue.citation}",
        body=render_to_string("bulletin/email/issue.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"{bulletin.name} <{bulletin.slug}.{host}>",
            # The same on every attempt: a duplicate after a crash is recognisably one.
            "Message-ID": f"<bulletin-{issue.pk}-{subscriber.pk}@{host}>",
        },
    )
    message.attach_alternative(render_to_string("bulletin/email/issue.html", context), "text/html")
    return message


def _deliver(connection, message: EmailMultiAlternatives) -> None:
    """Hand one message to the mail server (tests replace this to simulate crashes)."""
    connection.send_messages([message])


def _claim(issue_id: int, token: str, now: datetime.datetime, limit: int) -> list[Delivery]:
    stale = now - CLAIM_TIMEOUT
    claimable = Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=stale
    )
    ids = list(
        Delivery.objects.filter(claimable, issue_id=issue_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return []
    with transaction.atomic():
        # The condition is repeated in the UPDATE: a row another worker claimed between
        # the SELECT above and here no longer matches, so it is not claimed twice.
        Delivery.objects.filter(claimable, pk__in=ids).update(
            status=DeliveryStatus.SENDING, claim_token=token, claimed_at=now
        )
    return list(
        Delivery.objects.filter(claim_token=token, status=DeliveryStatus.SENDING)
        .select_related("subscriber")
        .order_by("pk")
    )


def _mine(delivery: Delivery, token: str):
    return Delivery.objects.filter(pk=delivery.pk, claim_token=token, status=DeliveryStatus.SENDING)


def send_batch(*, issue_id: int, now: datetime.datetime | None = None) -> BatchResult:
    """Claim and send up to BATCH_SIZE deliveries of one issue; queue what follows."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    result = BatchResult()
    issue = Issue.objects.select_related("bulletin").filter(pk=issue_id).first()
    if issue is None or not issue.is_published:
        return result
    claimed = _claim(issue_id, token, now, BATCH_SIZE)
    result.claimed = len(claimed)
    if claimed:
        _schedule_watchdog(issue_id, now)
        contents = querysets.issue_contents(issue)
        connection = get_connection(fail_silently=False)
        with connection:
            for delivery in claimed:
                _send_one(connection, issue, delivery, contents, token, now, result)
    _schedule_follow_up(issue_id, now)
    return result


def _send_one(connection, issue, delivery, contents, token, now, result) -> None:
    attempts = delivery.attempts + 1
    if delivery.subscriber.status != SubscriberStatus.CONFIRMED:
        _mine(delivery, token).update(status=DeliveryStatus.SKIPPED)
        result.skipped += 1
        return
    try:
        _deliver(connection, build_message(issue, delivery, contents))
    except smtplib.SMTPRecipientsRefused as error:
        logger.warning(
            "bulletin recipient refused",
            extra={"delivery": delivery.pk, "issue": issue.pk, "error": str(error)},
        )
        _mine(delivery, token).update(
            status=DeliveryStatus.FAILED, attempts=attempts, last_error=_describe(error)
        )
        result.failed += 1
        return
    except Exception as error:  # noqa: BLE001 - any failure is logged and retried, never lost
        logger.warning(
            "bulletin delivery failed",
            extra={
                "delivery": delivery.pk,
                "issue": issue.pk,
                "attempt": attempts,
                "error": str(error),
            },
        )
        if attempts >= MAX_ATTEMPTS:
            _mine(delivery, token).update(
                status=DeliveryStatus.FAILED, attempts=attempts, last_error=_describe(error)
            )
            result.failed += 1
        else:
            _mine(delivery, token).update(
                status=DeliveryStatus.QUEUED,
                attempts=attempts,
                last_error=_describe(error),
                claim_token="",
                next_attempt_at=now + backoff(attempts),
            )
            result.retrying += 1
        return
    _mine(delivery, token).update(
        status=DeliveryStatus.SENT, attempts=attempts, sent_at=timezone.now(), last_error=""
    )
    result.sent += 1


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


def _supports_defer() -> bool:
    from practica.bulletin.tasks import send_issue_batch

    return send_issue_batch.get_backend().supports_defer


def _schedule_watchdog(issue_id: int, now: datetime.datetime) -> None:
    """If this worker dies holding claims, a later batch picks them up after the timeout."""
    from practica.bulletin.tasks import send_issue_batch

    if _supports_defer():
        send_issue_batch.using(
            run_after=now + CLAIM_TIMEOUT + datetime.timedelta(seconds=30)
        ).enqueue(issue_id)


def _schedule_follow_up(issue_id: int, now: datetime.datetime) -> None:
    from practica.bulletin.tasks import send_issue_batch

    pending = Delivery.objects.filter(issue_id=issue_id, status=DeliveryStatus.QUEUED)
    if pending.filter(next_attempt_at__lte=now).exists():
        send_issue_batch.enqueue(issue_id)
        return
    retry_at = pending.aggregate(at=Min("next_attempt_at"))["at"]
    if retry_at is not None and _supports_defer():
        send_issue_batch.using(run_after=retry_at).enqueue(issue_id)


def sweep(*, now: datetime.datetime | None = None) -> int:
    """Publish due scheduled issues and send every delivery that is ready or abandoned.

    Safe to run at any time and any number of times (the claim makes it so). Returns the
    number of batches run.
    """
    from practica.bulletin.services.publication import publish_due_issues

    now = now or timezone.now()
    publish_due_issues(now=now)
    stale = now - CLAIM_TIMEOUT
    ready = Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=stale
    )
    batches = 0
    for issue_id in Delivery.objects.filter(ready).values_list("issue_id", flat=True).distinct():
        while send_batch(issue_id=issue_id, now=now).claimed:
            batches += 1
    return batches


def retry_failed(*, actor, issue: Issue) -> int:
    """Queue the failed deliveries of `issue` again (an editor's "retry" button)."""
    require_editor(actor, issue.bulletin)
    with transaction.atomic():
        count = Delivery.objects.filter(issue=issue, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.QUEUED, next_attempt_at=timezone.now(), claim_token=""
        )
        if count:
            transaction.on_commit(lambda: _enqueue(issue.pk))
    return count


def _enqueue(issue_id: int) -> None:
    from practica.bulletin.tasks import send_issue_batch

    send_issue_batch.enqueue(issue_id)


def progress(issue: Issue) -> dict:
    """Counts of deliveries by status for the editor's progress view, in one query."""
    counts = Delivery.objects.filter(issue=issue).aggregate(
        total=Count("pk"),
        **{status: Count("pk", filter=Q(status=status)) for status in DeliveryStatus.values},
    )
    counts["done"] = counts["sent"] + counts["failed"] + counts["skipped"]
    counts["percent"] = round(100 * counts["done"] / counts["total"]) if counts["total"] else 100
    counts["finished"] = counts["queued"] == 0 and counts["sending"] == 0
    return counts
