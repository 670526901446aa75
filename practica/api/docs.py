"""The API's documentation page, server-rendered from the OpenAPI description.

It reads without JavaScript: every operation with its parameters and answers is listed
here. With JavaScript, the Swagger UI that django-ninja ships in its own static files
(nothing from a CDN) is offered below it to try requests.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from ninja.openapi.docs import DocsBase

from practica.api import problems

METHODS = ("get", "post", "put", "patch", "delete")


def _operations(schema: dict) -> list[dict]:
    groups: dict[str, list] = {}
    for path, methods in schema.get("paths", {}).items():
        for method in METHODS:
            operation = methods.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["other"])[0]
            parameters = [
                {
                    "name": p["name"],
                    "where": p["in"],
                    "required": p.get("required", False),
                    "description": p.get("description", ""),
                }
                for p in operation.get("parameters", [])
            ]
            groups.setdefault(tag, []).append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": parameters,
                    "has_body": "requestBody" in operation,
                    "statuses": sorted(
                        str(k) for k in operation.get("responses", {}) if str(k).isdigit()
                    ),
                }
            )
    return [{"tag": tag, "operations": ops} for tag, ops in sorted(groups.items())]


class ReadableDocs(DocsBase):
    def render_page(self, request, api, **kwargs):
        schema = api.get_openapi_schema(path_params=kwargs)
        openapi_url = self.get_openapi_url(api, kwargs)
        swagger_settings = {
            "url": openapi_url,
            "layout": "BaseLayout",
            "deepLinking": True,
            # Swagger UI would otherwise load a badge from a third-party validator.
            "validatorUrl": None,
        }
        return render(
            request,
            "api/docs.html",
            {
                "api": api,
                "info": schema.get("info", {}),
                "groups": _operations(schema),
                "openapi_url": openapi_url,
                # json_script escapes <, > and &, so nothing in it can close the <script>.
                "swagger_settings": swagger_settings,
                "tokens_url": reverse("api-tokens:list"),
            },
        )


def problems_page(request):
    """What each problem `type` means; the problems' `type` links point here."""
    return render(
        request,
        "api/problems.html",
        {
            "types": [
                {"slug": slug, "status": status, "title": title, "text": text}
                for slug, (status, title, text) in problems.TYPES.items()
            ]
        },
    )
