"""Making, checking and revoking access tokens. Every write to tokens goes through here."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from practica.api.models import AccessToken, TokenKind, TokenScope
from practica.communities.capabilities import Capability, can

PERSONAL_PREFIX = "pat_"
SERVICE_PREFIX = "pst_"
EXPIRY_CHOICES_DAYS = (7, 30, 90, 365)
MAX_TOKENS_PER_MEMBER = 50
# Refreshing last_used_at on every request would write on every read; once a minute is
# enough to tell a member which tokens are in use.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just made: `secret` is shown once and never stored."""

    token: AccessToken
    secret: str


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, such as the script that uses it."})
    if len(name) > 100:
        raise ValidationError({"name": "Keep the name to 100 characters."})
    return name


def _expiry(expires_in_days: int | None, *, allow_never: bool) -> datetime.datetime | None:
    if expires_in_days in (None, 0, ""):
        if allow_never:
            return None
        raise ValidationError({"expires_in_days": "Choose when the token expires."})
    try:
        days = int(expires_in_days)
    except (TypeError, ValueError):
        raise ValidationError({"expires_in_days": "Choose when the token expires."}) from None
    if days not in EXPIRY_CHOICES_DAYS:
        choices = ", ".join(str(d) for d in EXPIRY_CHOICES_DAYS)
        raise ValidationError({"expires_in_days": f"Choose {choices} days."})
    return timezone.now() + datetime.timedelta(days=days)


def _make(*, user, kind, name, scope, community, expires_at, created_by) -> NewToken:
    if scope not in TokenScope.values:
        raise ValidationError({"scope": "Choose read, or read and write."})
    if community is not None and not can(user, Capability.READ, community=community):
        raise ValidationError({"community": "Choose a community you can read."})
    if AccessToken.objects.filter(user=user, revoked_at__isnull=True).count() >= (
        MAX_TOKENS_PER_MEMBER
    ):
        raise ValidationError(
            f"You have {MAX_TOKENS_PER_MEMBER} tokens already: revoke one you no longer use."
        )
    prefix = SERVICE_PREFIX if kind == TokenKind.SERVICE else PERSONAL_PREFIX
    secret = prefix + secrets.token_urlsafe(32)
    token = AccessToken(
        user=user,
        kind=kind,
        name=name,
        prefix=secret[:10],
        digest=digest_of(secret),
        scope=scope,
        community=community,
        expires_at=expires_at,
        created_by=created_by,
    )
    token.full_clean()
    token.save()
    return NewToken(token, secret)


def create_personal_token(
    *, actor, name: str, scope: str, expires_in_days: int | None, community=None
) -> NewToken:
    """A token that acts as `actor`, with at most their rights, for a limited time."""
    if not actor.is_authenticated:
        raise PermissionDenied("Log in to make an access token.")
    return _make(
        user=actor,
        kind=TokenKind.PERSONAL,
        name=_clean_name(name),
        scope=scope,
        community=community,
        expires_at=_expiry(expires_in_days, allow_never=False),
        created_by=actor,
    )


def create_service_token(
    *, actor, service_name: str, scope: str, expires_in_days: int | None = None
) -> NewToken:
    """Staff only: a token for a service account (a member of its own, made here).

    The service account is an ordinary member without a password: stewards add it to
    the communities it should read, so the same gate decides what it sees.
    """
    if not (actor.is_authenticated and actor.is_staff):
        raise PermissionDenied("Only staff can make service tokens.")
    name = _clean_name(service_name)
    username = "service-" + (slugify(name)[:40] or "account")
    User = get_user_model()
    with transaction.atomic():
        account = User.objects.filter(username=username).first()
        if account is None:
            account = User(
                username=username,
                email=f"{username}@service.invalid",
                display_name=f"{name} (service)",
            )
            account.set_unusable_password()
            account.save()
        elif account.has_usable_password():
            raise ValidationError(
                {"service_name": f"“{username}” is a person's account: choose another name."}
            )
        return _make(
            user=account,
            kind=TokenKind.SERVICE,
            name=name,
            scope=scope,
            community=None,
            expires_at=_expiry(expires_in_days, allow_never=True),
            created_by=actor,
        )


def revoke_token(*, actor, token: AccessToken) -> None:
    """The owner (or, for service tokens, staff) ends a token at once."""
    allowed = token.user_id == actor.pk or (actor.is_staff and token.kind == TokenKind.SERVICE)
    if not allowed:
        raise PermissionDenied("Only the token's owner can revoke it.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


class TokenRefused(Exception):
    """The token given cannot be used; the message says why."""


def authenticate(secret: str) -> AccessToken:
    """The active token with this secret, its user loaded; TokenRefused otherwise."""
    token = (
        AccessToken.objects.select_related("user", "community")
        .filter(digest=digest_of(secret.strip()))
        .first()
    )
    if token is None:
        raise TokenRefused("This access token is not known. Check it was copied whole.")
    if token.is_revoked:
        raise TokenRefused("This access token was revoked. Make a new one on your settings page.")
    now = timezone.now()
    if token.is_expired(now):
        raise TokenRefused(
            f"This access token expired on {token.expires_at:%Y-%m-%d}. Make a new one."
        )
    if not token.user.is_active:
        raise TokenRefused("The account this token belongs to is deactivated.")
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user):
    return AccessToken.objects.filter(user=user, kind=TokenKind.PERSONAL).select_related(
        "community"
    )


def service_tokens():
    return AccessToken.objects.filter(kind=TokenKind.SERVICE).select_related("user", "created_by")
