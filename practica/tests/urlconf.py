"""Walk the project's URL conf: the sweeps (redirects, hostile input, CSP) start from here."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route itself when the pattern has no name
    route: str  # the joined route, e.g. "c/<slug:community_slug>/conversations/"
    callback: object

    @property
    def source(self) -> str:
        """The view's own source (decorators unwrapped); "" for views defined elsewhere."""
        view = getattr(self.callback, "view_class", None) or inspect.unwrap(self.callback)
        try:
            return inspect.getsource(view)
        except (OSError, TypeError):
            return ""

    @property
    def ours(self) -> bool:
        module = getattr(self.callback, "__module__", "") or ""
        return module.startswith("practica.")


def every_route(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """Every pattern of the URL conf, with its full route and namespaced name."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from every_route(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else route
            yield Route(name=name, route=route, callback=pattern.callback)
