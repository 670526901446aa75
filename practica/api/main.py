"""The REST API: one NinjaAPI at /api/v1/ with the conventions every endpoint shares.

- Authentication, size and rate limits: `practica.api.auth.ApiAuth`, on every operation.
- Errors: RFC 9457 problem details (`practica.api.problems`).
- Reads: an `ETag` on every 200 answer to a GET; `If-None-Match` gets a 304.
- Lists: cursor pagination with a `next` link (`practica.api.pagination`).
- Creating writes: an `Idempotency-Key` header makes a retried request happen once.
- Times: ISO 8601 with the offset (UTC).
"""

from __future__ import annotations

from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from ninja import NinjaAPI

from practica.api import problems
from practica.api.auth import ApiAuth
from practica.api.docs import ReadableDocs

DESCRIPTION = """\
Practica's REST API: communities, conversations, shared practice, learning and events,
through the same rules as the pages. Everything a member could do on a page, and nothing
more, a token acting as that member can do here.

**Authentication.** Make a personal access token at `/people/me/tokens/` and send it as
`Authorization: Bearer pat_…`. A read token only reads; a token may be limited to one
community. Without a token you read what an anonymous visitor may read. A signed-in browser
session works too; its writes need the `X-CSRFToken` header.

**Errors** are `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`,
and `errors` (one entry per field, e.g. `body.title`) for invalid input. A 403 names the
stage that unlocks the action in `detail` and `needed_stage`.

**Lists** return `{"results": [...], "next": url-or-null}`; follow `next` (a signed cursor).
**Reads** carry an `ETag`: send it back as `If-None-Match` to get `304 Not Modified`.
**Creating writes** take an `Idempotency-Key` header: a retry with the same key returns the
first result and never creates twice. **Rate limits** answer 429 with `Retry-After`.
**Times** are ISO 8601 with an offset.
"""

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "detail"],
                "properties": {"field": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
    },
}


class PracticaAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        return conditional(request, response)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        problem_ref = {"$ref": "#/components/schemas/Problem"}
        for methods in schema.get("paths", {}).values():
            for method, operation in methods.items():
                if method == "get":
                    # Reads work anonymously too: the token is optional.
                    operation["security"] = [{}, *operation.get("security", [])]
                    operation.setdefault("parameters", []).append(
                        {
                            "in": "header",
                            "name": "If-None-Match",
                            "required": False,
                            "schema": {"type": "string"},
                            "description": "An ETag from an earlier answer: 304 if unchanged.",
                        }
                    )
                    operation["responses"].setdefault("304", {"description": "Not modified."})
                operation["responses"]["default"] = {
                    "description": "A problem (RFC 9457).",
                    "content": {"application/problem+json": {"schema": problem_ref}},
                }
        return schema


def conditional(request, response):
    """An ETag on successful reads, 304 when the client has it; never shared caches."""
    patch_vary_headers(response, ("Authorization", "Cookie"))
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response["Cache-Control"] = "private, no-cache"
        set_response_etag(response)
        return get_conditional_response(request, etag=response["ETag"], response=response)
    return response


api = PracticaAPI(
    title="Practica API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=ApiAuth(),
    docs=ReadableDocs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
problems.install(api)


def _register() -> None:
    from practica.api.routers import (
        bulletin,
        communities,
        conversations,
        events,
        evidence,
        insights,
        learning,
        library,
        members,
        people,
        search,
    )

    api.add_router("/communities", communities.router)
    api.add_router("/communities", conversations.router)
    api.add_router("/communities", insights.router)
    api.add_router("/communities", library.router)
    api.add_router("/communities", events.router)
    api.add_router("/communities", evidence.router)
    api.add_router("/learning", learning.router)
    api.add_router("/bulletins", bulletin.router)
    api.add_router("/people", people.router)
    api.add_router("/me", members.router)
    api.add_router("/me", learning.me_router)
    api.add_router("", search.router)


_register()
