"""Account adapter: allauth's hooks into the people model, and its wording."""

from __future__ import annotations

import hashlib
import math
import time
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from allauth.core.internal.ratelimit import parse_rate
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.forms import BaseForm
from django.http import HttpRequest
from django.urls import reverse

from practica.people.models import User
from practica.people.services import join_organisation_by_email
from practica.site import absolute_url
from practica.words import counted

DEFAULT_LOCKOUT_SECONDS = 300


def login_lockout_minutes() -> int:
    """How long, at most, a lock-out after failed logins lasts, from ACCOUNT_RATE_LIMITS.

    The message shown on lock-out names this period, so it must follow the setting
    rather than repeat it.
    """
    rates = getattr(settings, "ACCOUNT_RATE_LIMITS", {}).get("login_failed") or ""
    seconds = []
    for rate in str(rates).split(","):
        try:
            seconds.append(parse_rate(rate.strip()).duration)
        except ValueError:
            continue
    longest = max(seconds, default=DEFAULT_LOCKOUT_SECONDS)
    return max(1, round(longest / 60))


# How long a slowed login's wait stays valid: come back within it and the password is checked.
SLOW_LOGIN_WINDOW_SECONDS = 600


class _Usages:
    """The failure counts one login attempt used, given back together if it succeeds."""

    def __init__(self, *usages):
        self.usages = [usage for usage in usages if usage]

    def rollback(self) -> None:
        for usage in self.usages:
            usage.rollback()


class AccountAdapter(DefaultAccountAdapter):
    """Signs people up with their profile filled in and explains refusals in plain words."""

    @property
    def error_messages(self) -> dict[str, str]:  # type: ignore[override]
        minutes = login_lockout_minutes()
        return {
            **DefaultAccountAdapter.error_messages,
            "too_many_login_attempts": (
                "Too many failed attempts to log in, so logging in to this account is "
                f"paused for {counted(minutes, 'minute')} to keep it safe. "
                "Wait and try again, or reset your password if you have forgotten it."
            ),
            "email_password_mismatch": (
                "That email address and password don’t match an account. Check both and try again."
            ),
            "email_taken": (
                "An account already uses this email address. Log in, or reset your "
                "password if you have forgotten it."
            ),
            "invalid_or_expired_key": (
                "This link has expired or was already used. Ask for a new one below."
            ),
            "rate_limited": "Too many requests in a short time. Wait a minute and try again.",
        }

    # --- failed logins: per account, and separately per address --------------------------

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        """Count this attempt against its account and its address before the password is
        checked; `authenticate` gives both back when the password is right.

        Past the account's limit the account is paused (the lock-out message). Past the
        address's limit nothing is locked: each account's login from that address waits
        `LOGIN_SLOW_DOWN_SECONDS` once, and is then checked like any other, so a
        colleague's typos behind the same NAT never keep anyone out.
        """
        account_key = self._get_login_attempts_cache_key(request, **credentials)
        account = ratelimit.consume(
            request, app="allauth.account", action="login_failed", key=account_key
        )
        if not account:
            raise self.validation_error("too_many_login_attempts")
        address = ratelimit.consume(request, app="allauth.account", action="login_failed_address")
        if not address:
            try:
                self._wait_for_slowed_login(request, account_key)
            except forms.ValidationError:
                account.rollback()  # a login told to wait is not a failed password
                raise
        self._login_failed_rl_usage = _Usages(account, address)

    def _wait_for_slowed_login(self, request: HttpRequest, account_key: str) -> None:
        """Let a login from a throttled address through once it has waited its delay."""
        delay = getattr(settings, "LOGIN_SLOW_DOWN_SECONDS", 10)
        digest = hashlib.sha256(f"{ratelimit.get_ip(request)}|{account_key}".encode()).hexdigest()
        marker = f"practica:slowed-login:{digest}"
        now = time.time()
        asked_at = cache.get(marker)
        if asked_at is not None and now - asked_at >= delay:
            cache.delete(marker)  # one checked attempt per wait
            return
        if asked_at is None:
            cache.set(marker, now, SLOW_LOGIN_WINDOW_SECONDS)
            asked_at = now
        seconds = max(1, math.ceil(delay - (now - asked_at)))
        raise forms.ValidationError(
            "Many failed logins came from your network in the last few minutes, so "
            f"logins from it are slowed down. Wait {counted(seconds, 'second')}, "
            "then log in again: your password will be checked then.",
            code="login_slowed",
        )

    def save_user(
        self, request: HttpRequest, user: User, form: BaseForm, commit: bool = True
    ) -> User:
        """Create the account with the profile fields asked at sign-up, in one save.

        The extra sign-up fields are set before `populate_username` so that the
        generated handle comes from the member's name, never from their email address.
        """
        data = form.cleaned_data
        for field in ("display_name", "profession", "timezone"):
            if data.get(field):
                setattr(user, field, data[field])
        user = super().save_user(request, user, form, commit=False)
        if not user.display_name:
            user.display_name = user.email.split("@")[0].replace(".", " ").title()
        if commit:
            user.full_clean(exclude=["password", "username"])
            user.save()
        return user

    def populate_username(self, request: HttpRequest, user: User) -> None:
        """Give new members a readable handle, e.g. `ada.lovelace`, for their profile URL."""
        if not user.username:
            name = (user.display_name or "").replace(" ", ".")
            user.username = self.generate_unique_username([name, "member"])

    # Account emails link to the public address like every other email (practica.site),
    # not to whatever host the request that triggered them came through.
    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation) -> str:
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return absolute_url(path.replace("UID-KEY", quote(key)))

    def confirm_email(self, request: HttpRequest, email_address) -> bool:
        confirmed = super().confirm_email(request, email_address)
        join_organisation_by_email(user=email_address.user, email=email_address.email)
        invitation = _invitation_path(email_address.email)
        if invitation and request is not None and hasattr(request, "session"):
            # Read by get_login_redirect_url when confirming also logs the person in.
            request.session[INVITATION_SESSION_KEY] = invitation
        return confirmed

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        invitation = request.session.pop(INVITATION_SESSION_KEY, None)
        return invitation or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # Confirming the address finishes the sign-up's log-in in the same browser.
        invitation = request.session.pop(INVITATION_SESSION_KEY, None)
        return invitation or super().get_signup_redirect_url(request)

    def get_email_verification_redirect_url(self, email_address) -> str:
        """After confirming, back to the invitation the person came from, if one is open."""
        invitation = _invitation_path(email_address.email)
        if invitation is None:
            return super().get_email_verification_redirect_url(email_address)
        if self.request.user.is_authenticated:
            self.request.session.pop(INVITATION_SESSION_KEY, None)
            return invitation
        return f"{reverse('account_login')}?next={quote(invitation)}"


INVITATION_SESSION_KEY = "practica_invitation_after_confirm"


def _invitation_path(email: str) -> str | None:
    from practica.communities.services.membership import open_invitation_path

    return open_invitation_path(email)
