"""Request-wide concerns: structured request logs and the member's time zone."""

import logging
import time
import zoneinfo

from django.utils import timezone

request_log = logging.getLogger("practica.request")


class RequestLogMiddleware:
    """Log one structured line per request: method, path, status, duration, user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        request_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "htmx": request.headers.get("HX-Request") == "true",
            },
        )
        return response


class QueryStringCleaningMiddleware:
    """Clean every query-string value of control characters, once for the whole project.

    Forms clean their fields already (practica.forms), but many views read a filter, a
    search term or an id straight from request.GET, and a NUL in it is a server error on
    PostgreSQL (text cannot hold it) while a CR/LF breaks headers and feeds built from it.
    A query-string value is one line by nature, so it is cleaned as a single-line field is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from practica.forms import clean_single_line, has_control_characters

        query = request.GET
        if any(
            has_control_characters(k) or any(map(has_control_characters, v))
            for k, v in query.lists()
        ):
            cleaned = query.copy()  # keeps the class (and encoding) of the original
            cleaned.clear()
            for key, values in query.lists():
                cleaned.setlist(clean_single_line(key), [clean_single_line(v) for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)


class TimezoneMiddleware:
    """Show every date in the signed-in member's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone_name = getattr(request.user, "timezone", "") if request.user.is_authenticated else ""
        if zone_name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(zone_name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class AnonymousPageCacheMiddleware:
    """Serve repeated anonymous GETs from the cache for a few seconds.

    Visitors without a session read the same public pages; caching them briefly is what
    lets one machine carry a crowd. A request counts as anonymous when it carries no
    session cookie, so the check needs no database. Responses that set cookies, vary by
    user or are not plain 200s are never stored.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.seconds = getattr(settings, "ANONYMOUS_CACHE_SECONDS", 0)
        self.session_cookie = settings.SESSION_COOKIE_NAME

    def _key(self, request) -> str:
        from django.core.cache import cache

        variant = "htmx" if request.headers.get("HX-Request") == "true" else "page"
        from practica.cachekeys import hashed_key

        generation = cache.get(PAGE_GENERATION_KEY, 0)
        return hashed_key(f"anon-page:{generation}:{variant}", request.get_full_path())

    def _cacheable_request(self, request) -> bool:
        return (
            self.seconds > 0
            and request.method in ("GET", "HEAD")
            and self.session_cookie not in request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META
            # The API counts every request against its rate limits and answers privately.
            and not request.path.startswith(("/admin/", "/accounts/", "/healthz", "/api/"))
        )

    def __call__(self, request):
        from django.core.cache import cache

        if not self._cacheable_request(request):
            return self.get_response(request)
        key = self._key(request)
        cached = cache.get(key)
        if cached is not None:
            cached["X-Practica-Cache"] = "hit"
            return cached
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.cookies
            and not response.streaming
            and "private" not in response.get("Cache-Control", "")
            and not getattr(request, "_practica_no_anon_cache", False)
        ):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            cache.set(key, response, self.seconds)
            response["X-Practica-Cache"] = "miss"
        return response


PAGE_GENERATION_KEY = "anon-page:generation"


def forget_cached_pages() -> None:
    """Drop every cached anonymous page at once (a redaction must not live on in one).

    The key of each cached page carries a generation number; moving it on makes every
    page cached before unreachable, and each expires from the cache on its own.
    """
    from django.core.cache import cache

    try:
        cache.incr(PAGE_GENERATION_KEY)
    except ValueError:
        cache.set(PAGE_GENERATION_KEY, 1, None)


# Everything a page loads comes from this site: no inline script or style (not even style
# attributes), no plugins, no <base> tricks, no framing, forms post only here. A view that
# must send a form elsewhere sets `response.csp_form_action` (e.g. "'self' https:").
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def content_security_policy(**overrides: str) -> str:
    policy = {**CONTENT_SECURITY_POLICY, **overrides}
    return "; ".join(f"{directive} {value}" for directive, value in policy.items())


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy on every HTML page (downloads set their own).

    With CSP_REPORT_ONLY the same policy is sent as Content-Security-Policy-Report-Only,
    to try it on an instance before enforcing it.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "CSP_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" in response or self.header in response:
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        overrides = {}
        form_action = getattr(response, "csp_form_action", None)
        if form_action:
            overrides["form-action"] = form_action
        response[self.header] = content_security_policy(**overrides)
        return response
