"""Signed links for subscribers, who have no account: confirm, manage and unsubscribe.

Each token names the subscriber and their address, so a link stops working if the row
is deleted or re-used for another address. Confirmation links expire; unsubscribe and
preferences links do not, because an old issue's "unsubscribe" must always work.
"""

from __future__ import annotations

from django.core import signing

from practica.bulletin.models import Subscriber

CONFIRM_MAX_AGE = 60 * 60 * 24 * 7  # a week
_CONFIRM_SALT = "practica.bulletin.confirm"
_MANAGE_SALT = "practica.bulletin.manage"


class LinkError(Exception):
    """A link that can't be used, with the sentence to show the visitor."""


def confirm_token(subscriber: Subscriber) -> str:
    return signing.TimestampSigner(salt=_CONFIRM_SALT).sign_object(
        {"s": subscriber.pk, "e": subscriber.email}
    )


def manage_token(subscriber: Subscriber) -> str:
    return signing.Signer(salt=_MANAGE_SALT).sign_object(
        {"s": subscriber.pk, "e": subscriber.email}
    )


def _subscriber(payload) -> Subscriber:
    if not isinstance(payload, dict):
        raise LinkError("This link is not valid. Check it was copied in full.")
    subscriber = (
        Subscriber.objects.select_related("bulletin")
        .filter(pk=payload.get("s"), email=payload.get("e"))
        .first()
    )
    if subscriber is None:
        raise LinkError("This link belongs to a subscription that no longer exists.")
    return subscriber


def read_confirm_token(token: str) -> Subscriber:
    try:
        payload = signing.TimestampSigner(salt=_CONFIRM_SALT).unsign_object(
            token, max_age=CONFIRM_MAX_AGE
        )
    except signing.SignatureExpired as error:
        raise LinkError(
            "This confirmation link has expired (links last a week). "
            "Subscribe again and we will email you a fresh one."
        ) from error
    except signing.BadSignature as error:
        raise LinkError(
            "This confirmation link is not valid. Check it was copied in full, "
            "or subscribe again for a fresh one."
        ) from error
    return _subscriber(payload)


def read_manage_token(token: str) -> Subscriber:
    try:
        payload = signing.Signer(salt=_MANAGE_SALT).unsign_object(token)
    except signing.BadSignature as error:
        raise LinkError(
            "This subscription link is not valid. Use the link at the foot of any issue "
            "we sent you, and check it was copied in full."
        ) from error
    return _subscriber(payload)
