"""Where a form sends the member afterwards: the `next` a page asked for, if it stays here.

Every view that honours a `next` parameter reads it through `safe_next` (the sweep in
practica/tests/test_redirects.py fails on any other reader), so an attacker's link cannot
turn one of our forms into a redirect to their site.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str = "") -> str:
    """The request's `next` (form field first, then query) if it is a path on this site.

    Only a path is accepted, never a URL with a scheme or host: `https://evil.example`,
    `//evil.example`, `/\\evil.example` and `javascript:…` all give `default`.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts=set(), require_https=False
    ):
        return candidate
    return default


def redirect_next(request: HttpRequest, default, *args, **kwargs) -> HttpResponseRedirect:
    """Redirect to the request's safe `next`, else to `default` (a URL, a name or a model)."""
    return HttpResponseRedirect(safe_next(request) or resolve_url(default, *args, **kwargs))
