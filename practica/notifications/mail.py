"""Email for notifications: composing, the one-click unsubscribe, sending, retrying, logging.

Every email passes through `deliver`, which claims the logged row, checks the recipient may
still see what it is about, sends it as text and HTML with RFC 8058 unsubscribe headers, and
records the outcome. Failures are retried with growing delays by the scheduler's
`retry-email` job (see docs/scheduling.md) until MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from practica.communities.capabilities import Capability, can, forget_memberships
from practica.notifications.models import EmailDelivery, Notification
from practica.site import absolute_url

log = logging.getLogger("practica.notifications.mail")

MAX_ATTEMPTS = 5
# A row left "sending" this long belongs to a worker that died mid-send.
STALE_SENDING = timedelta(minutes=15)
UNSUBSCRIBE_SALT = "practica.notifications.unsubscribe"
FINISHED = (EmailDelivery.Status.SENT, EmailDelivery.Status.GAVE_UP, EmailDelivery.Status.SKIPPED)


def retry_delay(attempts: int) -> timedelta:
    """2, 4, 8, 16… minutes after each failed attempt."""
    return timedelta(minutes=2**attempts)


# --- unsubscribe ----------------------------------------------------------------------------


def unsubscribe_token(user, category: str) -> str:
    """A signed, non-expiring token: "stop emailing `user` about `category`"."""
    return signing.dumps({"u": user.pk, "c": category}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, category) from a token; signing.BadSignature if forged or damaged."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(data["u"]), str(data["c"])


def unsubscribe_url(user, category: str) -> str:
    return absolute_url(
        reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user, category)})
    )


# --- composing --------------------------------------------------------------------------------


def compose_notification(email: EmailDelivery) -> None:
    """Fill in subject and bodies for a single notification's email."""
    notification = email.notification
    category_label = Notification.Kind(notification.kind).label
    email.unsubscribe_url = unsubscribe_url(email.user, notification.kind)
    context = {
        "user": email.user,
        "notification": notification,
        "link": absolute_url(notification.url) if notification.url else "",
        "category_label": category_label,
        "unsubscribe_url": email.unsubscribe_url,
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        "site_name": "Practica",
    }
    prefix = f"[{notification.community.name}] " if notification.community_id else ""
    email.subject = f"{prefix}{notification.text}"[:300]
    email.text_body = render_to_string("notifications/email/notification.txt", context)
    email.html_body = render_to_string("notifications/email/notification.html", context)


def _may_still_see(email: EmailDelivery) -> str:
    """Why the email must not go out now ("" when it may)."""
    user = email.user
    if not user.is_active:
        return "The account is inactive."
    if not user.email:
        return "The member has no email address."
    notification = email.notification
    if notification is not None and notification.community_id:
        forget_memberships(user)
        if not can(user, Capability.READ, community=notification.community):
            return "The member can no longer see the community this is about."
    return ""


def message_for(email: EmailDelivery) -> EmailMultiAlternatives:
    headers = {}
    if email.unsubscribe_url:
        # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to the https URL.
        headers["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_address],
        headers=headers,
    )
    message.attach_alternative(email.html_body, "text/html")
    return message


# --- sending ----------------------------------------------------------------------------------


def _claim(email_id: int, *, retaken: bool = False) -> EmailDelivery | None:
    with transaction.atomic():
        email = (
            EmailDelivery.objects.select_for_update(of=("self",))
            .select_related("user", "notification__community")
            .filter(pk=email_id)
            .first()
        )
        if email is None or email.status in FINISHED:
            return None
        now = timezone.now()
        if (
            email.status == EmailDelivery.Status.SENDING
            and email.updated_at > now - STALE_SENDING
            and not retaken
        ):
            return None  # another worker is on it
        email.status = EmailDelivery.Status.SENDING
        email.attempts += 1
        email.updated_at = now
        email.save(update_fields=["status", "attempts", "updated_at"])
        return email


def _finish(email: EmailDelivery, status: str, *, error: str = "") -> None:
    now = timezone.now()
    email.status = status
    email.last_error = error[:2000]
    email.updated_at = now
    email.next_attempt_at = None
    if status == EmailDelivery.Status.SENT:
        email.sent_at = now
    elif status == EmailDelivery.Status.FAILED:
        email.next_attempt_at = now + retry_delay(email.attempts)
    email.save()


def deliver(email_id: int, *, retaken: bool = False) -> str:
    """Send one logged email if it is still due; returns its status afterwards.

    `retaken` says the task sending it was taken over from a worker that died or lost it
    (its lease expired): a row that worker left "sending" is sent now, not in 15 minutes.
    """
    email = _claim(email_id, retaken=retaken)
    if email is None:
        return "not due"
    reason = _may_still_see(email)
    if reason:
        _finish(email, EmailDelivery.Status.SKIPPED, error=reason)
        log.info("email skipped", extra={"email_id": email.pk, "reason": reason})
        return email.status
    email.to_address = email.user.email
    if email.notification_id and not email.subject:
        compose_notification(email)
    try:
        message_for(email).send(fail_silently=False)
    except Exception as error:  # noqa: BLE001 - any transport error is retried, then logged
        gave_up = email.attempts >= MAX_ATTEMPTS
        _finish(
            email,
            EmailDelivery.Status.GAVE_UP if gave_up else EmailDelivery.Status.FAILED,
            error=f"{type(error).__name__}: {error}",
        )
        log.warning(
            "email failed",
            extra={"email_id": email.pk, "attempts": email.attempts, "gave_up": gave_up},
        )
        return email.status
    _finish(email, EmailDelivery.Status.SENT)
    if email.notification_id:
        Notification.objects.filter(pk=email.notification_id, emailed_at__isnull=True).update(
            emailed_at=email.sent_at
        )
    log.info("email sent", extra={"email_id": email.pk, "category": email.category})
    return email.status


def due_retries(now=None) -> list[int]:
    """Emails whose retry time has come, and ones a dead worker left half-sent."""
    now = now or timezone.now()
    failed = EmailDelivery.objects.filter(
        status=EmailDelivery.Status.FAILED, next_attempt_at__lte=now
    )
    stuck = EmailDelivery.objects.filter(
        status__in=[EmailDelivery.Status.SENDING, EmailDelivery.Status.QUEUED],
        updated_at__lte=now - STALE_SENDING,
    )
    return list(failed.values_list("pk", flat=True)) + list(stuck.values_list("pk", flat=True))
