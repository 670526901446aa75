"""Every API error as RFC 9457 problem details (`application/problem+json`).

A problem has a `type` (a link to the explanation on /api/v1/problems), a `title` that
is the same for every problem of that type, the HTTP `status`, a `detail` sentence about
this occurrence, and where the request was at fault, `errors`: one entry per field,
named by its JSON path (`body.title`, `query.cursor`).
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse

from practica.communities.capabilities import CapabilityDenied
from practica.privacy.guard import PatientDataFound, keep_log

MEDIA_TYPE = "application/problem+json"

# slug: (status, title, explanation for the problems page)
TYPES: dict[str, tuple[int, str, str]] = {
    "malformed-request": (
        400,
        "The request could not be read",
        "The body is not valid JSON, or a parameter cannot be parsed.",
    ),
    "invalid-cursor": (
        400,
        "The cursor is not valid",
        "Pass back the `next` link exactly as a list answer gave it; cursors are signed.",
    ),
    "not-authenticated": (
        401,
        "Authentication is needed",
        "Send `Authorization: Bearer <token>` with a personal access token, or use a "
        "signed-in browser session.",
    ),
    "invalid-token": (
        401,
        "The access token cannot be used",
        "The token is unknown, revoked or expired, or its account is deactivated.",
    ),
    "forbidden": (
        403,
        "You may not do this",
        "The `detail` says why and, where a stage unlocks the action, `needed_stage` names it.",
    ),
    "insufficient-scope": (
        403,
        "The token's scope is too narrow",
        "A read token cannot write; a token limited to one community cannot act in another.",
    ),
    "csrf-failed": (
        403,
        "The CSRF check failed",
        "A browser session that writes must send the `X-CSRFToken` header with the "
        "`csrftoken` cookie's value. Scripts should use a token instead.",
    ),
    "not-found": (
        404,
        "Not found",
        "Nothing is here, or it is not something you may see: the API answers both alike.",
    ),
    "edit-conflict": (
        409,
        "Someone saved a newer version",
        "Nothing was written. `current_revision` names what is there now: merge your text "
        "into it and send it again with that as the base.",
    ),
    "payload-too-large": (
        413,
        "The request body is too large",
        "Bodies are limited in size; the `detail` states the limit.",
    ),
    "unsupported-media-type": (
        415,
        "Send JSON",
        "Write requests take `Content-Type: application/json`.",
    ),
    "validation": (
        422,
        "Some fields are not valid",
        "`errors` lists each field by its path with what is wrong with it.",
    ),
    "patient-data": (
        422,
        "This may contain patient-identifiable information",
        "The patient-data guard found something that looks like a patient's details. Edit it "
        "out, or (where the community allows) resend with `confirm_patient_data: true`.",
    ),
    "rate-limited": (
        429,
        "Too many requests",
        "Wait the number of seconds in the `Retry-After` header, then try again.",
    ),
    "server-error": (
        500,
        "Something went wrong on our side",
        "The error is logged. Retrying with the same `Idempotency-Key` is safe.",
    ),
}


class Problem(Exception):
    """Raise anywhere in an endpoint to answer with a problem of this type."""

    def __init__(
        self,
        kind: str,
        detail: str = "",
        *,
        errors: list[dict] | None = None,
        headers: dict[str, str] | None = None,
        **extra,
    ):
        super().__init__(detail or TYPES[kind][1])
        self.kind = kind
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra


def type_url(kind: str) -> str:
    return f"/api/v1/problems#{kind}"


def render(request, problem: Problem) -> HttpResponse:
    status, title, _ = TYPES[problem.kind]
    body = {
        "type": type_url(problem.kind),
        "title": title,
        "status": status,
        "detail": problem.detail or title,
        "instance": request.path,
    }
    if problem.errors:
        body["errors"] = problem.errors
    body.update(problem.extra)
    response = HttpResponse(json.dumps(body), status=status, content_type=MEDIA_TYPE)
    for name, value in problem.headers.items():
        response[name] = value
    return response


def _field_path(loc) -> str:
    # ninja puts the parameter's own name after "body" ("body", "payload", "title"):
    # clients know the field, not the Python argument, so that part is dropped.
    parts = [str(p) for p in loc]
    if len(parts) >= 3 and parts[0] == "body":
        parts = ["body", *parts[2:]]
    return ".".join(parts)


def from_ninja_validation(errors: list[dict]) -> Problem:
    if any(e.get("type") == "json_invalid" for e in errors):
        return Problem("malformed-request", "The request body is not valid JSON.")
    fields = []
    for error in errors:
        message = error.get("msg", "Invalid value.")
        if error.get("type") == "extra_forbidden":
            message = "This field is not known here."
        elif error.get("type") == "missing":
            message = "This field is required."
        fields.append({"field": _field_path(error.get("loc", ())), "detail": message})
    names = ", ".join(f["field"] for f in fields)
    return Problem("validation", f"Check these fields: {names}.", errors=fields)


def from_django_validation(error: ValidationError, *, prefix: str = "body") -> Problem:
    if isinstance(error, PatientDataFound):
        keep_log(error)
        return Problem(
            "patient-data",
            error.message,
            errors=[
                {"field": f"{prefix}.{name}", "detail": "; ".join(messages)}
                for name, messages in error.message_dict.items()
                if name != "__all__"
            ],
            blocked=error.blocked,
        )
    if hasattr(error, "error_dict"):
        fields = []
        general = []
        for name, messages in error.message_dict.items():
            if name == "__all__":
                general.extend(messages)
            else:
                fields.append({"field": f"{prefix}.{name}", "detail": " ".join(messages)})
        detail = " ".join(general) or " ".join(f["detail"] for f in fields)
        return Problem("validation", detail, errors=fields or None)
    return Problem("validation", " ".join(error.messages))


def from_denial(error: PermissionDenied) -> Problem:
    extra = {}
    if isinstance(error, CapabilityDenied):
        extra["capability"] = error.capability
        if error.needed_stage is not None:
            from practica.communities.stages import Stage

            extra["needed_stage"] = Stage(error.needed_stage).name.lower()
    return Problem("forbidden", str(error) or TYPES["forbidden"][1], **extra)


def install(api) -> None:
    """Route every exception the API can meet to a problem."""
    from ninja.errors import AuthenticationError, HttpError
    from ninja.errors import ValidationError as NinjaValidationError

    api.add_exception_handler(Problem, render)
    api.add_exception_handler(
        NinjaValidationError, lambda r, e: render(r, from_ninja_validation(e.errors))
    )
    api.add_exception_handler(ValidationError, lambda r, e: render(r, from_django_validation(e)))
    api.add_exception_handler(PermissionDenied, lambda r, e: render(r, from_denial(e)))
    api.add_exception_handler(
        Http404, lambda r, e: render(r, Problem("not-found", str(e) or "Not found."))
    )
    api.add_exception_handler(
        AuthenticationError, lambda r, e: render(r, Problem("not-authenticated"))
    )

    def http_error(request, error: HttpError):
        kinds = {400: "malformed-request", 404: "not-found", 413: "payload-too-large"}
        kind = kinds.get(error.status_code, "malformed-request")
        return render(request, Problem(kind, str(error)))

    api.add_exception_handler(HttpError, http_error)

    def server_error(request, error: Exception):
        import logging

        logging.getLogger("practica.api").exception("API error on %s", request.path)
        return render(request, Problem("server-error"))

    api.add_exception_handler(Exception, server_error)
