"""Who is calling: a bearer token, a browser session, or an anonymous visitor.

Every API request passes through `ApiAuth` before its body is parsed. It also applies
the request-size limit and the rate limits, so no endpoint can forget them. With a
token, `request.user` becomes the token's member: the capability gate, the services
and the request log all see that member, exactly as for a page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from practica.api import tokens
from practica.api.models import AccessToken
from practica.api.problems import Problem
from practica.reliability import ratelimit

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Caller:
    """What `request.auth` holds: the member (or anonymous) and the token used, if any."""

    user: object
    token: AccessToken | None = None

    def __bool__(self) -> bool:  # ninja treats a falsy result as "not authenticated"
        return True


def _limit_size(request: HttpRequest) -> None:
    limit = settings.API_MAX_BODY_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length and request.method not in SAFE_METHODS:
        media_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise Problem(
                "unsupported-media-type",
                f"Send the body as application/json, not {media_type or 'without a type'}.",
            )
    if length > limit:
        raise Problem(
            "payload-too-large",
            f"The body is {length:,} bytes; the limit is {limit:,} bytes ({limit // 1024} KiB).",
            limit_bytes=limit,
        )


def _limit_rate(request: HttpRequest, who: str) -> None:
    writing = request.method not in SAFE_METHODS
    limit = settings.API_RATE_LIMITS["write" if writing else "read"]
    wait = ratelimit.hit(f"api:{'w' if writing else 'r'}:{who}", limit=limit, window=60)
    if wait is not None:
        what = "writes" if writing else "reads"
        raise Problem(
            "rate-limited",
            f"More than {limit} {what} a minute came from this {who.split(':')[0]}. "
            f"Try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
            retry_after=wait,
        )


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class ApiAuth(HttpBearer):
    """Bearer token first; else the session (CSRF-checked for writes); else anonymous."""

    openapi_description = (
        "A personal access token (made at /people/me/tokens/) as `Authorization: Bearer "
        "pat_…`. Reads also work without it, as an anonymous visitor, and from a signed-in "
        "browser session (writes then need the `X-CSRFToken` header)."
    )

    def __call__(self, request: HttpRequest):
        _limit_size(request)
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, secret = header.partition(" ")
            if scheme.lower() != "bearer" or not secret.strip():
                raise Problem("invalid-token", "Send the token as `Authorization: Bearer <token>`.")
            try:
                token = tokens.authenticate(secret)
            except tokens.TokenRefused as refused:
                _limit_rate(request, f"address:{_client_address(request)}")
                raise Problem("invalid-token", str(refused)) from None
            _limit_rate(request, f"token:{token.pk}")
            if request.method not in SAFE_METHODS and not token.can_write:
                raise Problem(
                    "insufficient-scope",
                    "This token may only read. Make a token with the read and write scope "
                    "to post or change anything.",
                    needed_scope="write",
                )
            request.user = token.user
            request.api_token = token
            return Caller(token.user, token)
        request.api_token = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            _limit_rate(request, f"member:{user.pk}")
            if request.method not in SAFE_METHODS and check_csrf(request) is not None:
                raise Problem(
                    "csrf-failed",
                    "CSRF check failed: send the X-CSRFToken header with the csrftoken "
                    "cookie's value, or use an access token.",
                )
            return Caller(user)
        request.user = AnonymousUser()
        _limit_rate(request, f"address:{_client_address(request)}")
        return Caller(request.user)

    def authenticate(self, request, token):
        """Ninja's abstract hook: the caller is worked out by __call__ from the whole request."""
        return self(request)


def require_member(request: HttpRequest):
    """The signed-in member, or a 401 problem for an anonymous caller."""
    if not request.user.is_authenticated:
        raise Problem(
            "not-authenticated",
            "Log in, or send a personal access token, to do this.",
        )
    return request.user


def require_token_community(request: HttpRequest, community) -> None:
    """A token limited to one community refuses every other community."""
    token = getattr(request, "api_token", None)
    if token is not None and token.community_id and token.community_id != community.pk:
        raise Problem(
            "insufficient-scope",
            f"This token is limited to {token.community.name}; it cannot be used in "
            f"{community.name}.",
        )


def token_community_id(request: HttpRequest) -> int | None:
    token = getattr(request, "api_token", None)
    return token.community_id if token is not None else None
