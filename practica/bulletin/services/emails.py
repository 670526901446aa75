"""The confirmation email of a new subscription."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from practica.bulletin.models import Subscriber
from practica.bulletin.tokens import CONFIRM_MAX_AGE, confirm_token, manage_token
from practica.site import absolute_url, site_url


def send_confirmation_email(*, subscriber_id: int) -> str:
    subscriber = Subscriber.objects.select_related("bulletin").filter(pk=subscriber_id).first()
    if subscriber is None:
        return "subscriber gone"
    bulletin = subscriber.bulletin
    unsubscribe_url = absolute_url(
        reverse("bulletin:unsubscribe", kwargs={"token": manage_token(subscriber)})
    )
    context = {
        "bulletin": bulletin,
        "subscriber": subscriber,
        "confirm_url": absolute_url(
            reverse("bulletin:confirm", kwargs={"token": confirm_token(subscriber)})
        ),
        "unsubscribe_url": unsubscribe_url,
        "days": CONFIRM_MAX_AGE // 86400,
        "site_url": site_url(),
    }
    message = EmailMultiAlternatives(
        subject=f"Confirm your subscription to {bulletin.name}",
        body=render_to_string("bulletin/email/confirm.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("bulletin/email/confirm.html", context), "text/html"
    )
    message.send()
    return "sent"
