"""Short database outages are ridden out: retry the request once, then a friendly 503.

A request whose database connection fails (refused while PostgreSQL restarts, cut by a
failover, terminated by an operator) is run again once on a fresh connection. When that
fails too, the member gets 503 with `Retry-After` and a page that says Practica will be
back shortly; for a POST it says that nothing was saved and gives back what they typed,
in a form that sends it again. Never the generic 500.

A POST is run again only when that cannot save twice: nothing was written before the
failure, or the form carries a one-time submission key (its write happens once anyway).

Errors are noticed through `got_request_exception`, which Django sends for any exception
a view or an inner middleware raises, before it turns it into the 500 response.
"""

from __future__ import annotations

import logging
import sys
import time

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader

from practica.reliability.idempotency import FIELD_NAME, HEADER

log = logging.getLogger("practica.outage")

DATABASE_TROUBLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_TROUBLE = "_practica_database_trouble"
_HIDDEN = {"csrfmiddlewaretoken", FIELD_NAME}


def _note_trouble(sender, request=None, **kwargs) -> None:
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_TROUBLE):
        setattr(request, _TROUBLE, error)


got_request_exception.connect(_note_trouble, dispatch_uid="practica.outage")


class _WriteWatch:
    """Notes whether any statement other than a read succeeded during the request."""

    def __init__(self):
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not self.wrote:
            head = sql.lstrip()[:10].upper()
            self.wrote = not head.startswith(
                ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "PRAGMA", "SET ", "BEGIN")
            )
        return result


def _drop_connections() -> None:
    from practica.reliability.worker import reconnect

    reconnect()


class DatabaseOutageMiddleware:
    """Outermost: runs the rest of the stack again once, or answers 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        watch = _WriteWatch()
        response = self._attempt(request, watch)
        error = getattr(request, _TROUBLE, None)
        if error is None:
            return response
        _drop_connections()
        if self._may_retry(request, watch):
            delattr(request, _TROUBLE)
            time.sleep(0.2)
            for upload in request.FILES.values() if request.method not in SAFE_METHODS else ():
                upload.seek(0)
            response = self._attempt(request, _WriteWatch())
            error = getattr(request, _TROUBLE, None)
            if error is None:
                log.info("request retried after a database error", extra={"path": request.path})
                return response
            _drop_connections()
        log.warning("database unavailable", extra={"path": request.path, "error": str(error)[:300]})
        return outage_response(request)

    def _attempt(self, request, watch):
        try:
            with connections["default"].execute_wrapper(watch):
                return self.get_response(request)
        except Exception as error:
            # The database error itself, or the error page failing after it.
            if isinstance(error, DATABASE_TROUBLE):
                setattr(request, _TROUBLE, error)
            if getattr(request, _TROUBLE, None) is None:
                raise
            return None

    @staticmethod
    def _may_retry(request, watch) -> bool:
        if request.method in SAFE_METHODS or not watch.wrote:
            return True
        return bool(request.headers.get(HEADER) or request.POST.get(FIELD_NAME))


def _fields(request) -> list[dict]:
    fields = []
    for name, values in request.POST.lists():
        for value in values:
            fields.append(
                {
                    "name": name,
                    "value": value,
                    "hidden": name in _HIDDEN,
                    "long": "\n" in value or len(value) > 120 or name in ("body", "text"),
                    "label": f"What you typed ({name.replace('_', ' ')})",
                }
            )
    return fields


def _stylesheet() -> str:
    from django.conf import settings
    from django.templatetags.static import static

    try:
        return static("practica/practica.css")
    except ValueError:  # no manifest yet: the plain name still serves in most setups
        return f"{settings.STATIC_URL}practica/practica.css"


def outage_response(request) -> HttpResponse:
    """503 with Retry-After; rendered without the database."""
    if (
        request.path.startswith("/api/")
        or request.path.endswith(".json")
        or request.headers.get("Accept", "").startswith("application/json")
    ):
        response = JsonResponse(
            {
                "detail": "The database is briefly unavailable: nothing was saved. "
                "Try again in a few seconds."
            },
            status=503,
        )
    else:
        posted = request.method not in SAFE_METHODS
        context = {
            "stylesheet": _stylesheet(),
            "path": request.get_full_path(),
            "retry_after": RETRY_AFTER_SECONDS,
            "fields": _fields(request) if posted else None,
            "had_files": posted and bool(request.FILES),
        }
        html = loader.get_template("503.html").render(context)
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
