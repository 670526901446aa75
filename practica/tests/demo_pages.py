"""Every kind of page in the demo, as a visitor, a learner or a steward finds them.

The browser sweeps (320 px overflow, axe-core, CSP) need "every page of the demo" without a
list that goes stale as pages are added: `discover_pages` follows the links a person can see,
from the pages a person starts at, with Django's test client (fast, in-process), and keeps
the first few addresses of each kind of page (its URL name). `demo_paths` goes further and
finds a path for every route of the URL conf, borrowing the values of a crawled page with
the same URL arguments for routes no page links to (a POST-only action).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve, reverse

from practica.tests.urlconf import every_route

START = [
    "/",
    "/c/",
    "/c/ward-care/",
    "/c/ward-care/conversations/",
    "/c/ward-care/library/",
    "/c/ward-care/glossary/",
    "/c/ward-care/events/",
    "/c/ward-care/evidence/",
    "/c/ward-care/decisions/",
    "/c/ward-care/trajectory/",
    "/learning/",
    "/bulletin/",
    "/people/",
    "/search/?q=falls",
    "/notifications/",
    "/accounts/login/",
    "/accounts/signup/",
]
# Not pages, or pages that change something when merely opened.
SKIP_PATH = re.compile(
    r"\.(pdf|ics|xml|json|csv|txt|png|svg|jpg|zip|bib|ris)$|^/(static|media|admin|api)/"
    r"|/(logout|unsubscribe|confirm-email|download|export|feed)/?"
)
HREF = re.compile(r"""<a\b[^>]*?\bhref=["']([^"'#][^"']*)["']""", re.IGNORECASE)


@dataclass
class Found:
    """Addresses per kind of page, in the order they were found."""

    kinds: dict[str, list[str]] = field(default_factory=dict)

    def first(self, per_kind: int = 1) -> list[str]:
        return [url for urls in self.kinds.values() for url in urls[:per_kind]]


def kind_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def discover_pages(client: Client, *, per_kind: int = 2, limit: int = 600) -> Found:
    """Follow same-site links breadth first; fetch at most `per_kind` pages of each kind."""
    found = Found()
    queue = deque(START)
    seen = set(START)
    fetched = 0
    while queue and fetched < limit:
        url = queue.popleft()
        path = urlsplit(url).path
        kind = kind_of(path)
        if kind is None or len(found.kinds.get(kind, [])) >= per_kind:
            continue
        response = client.get(url)
        fetched += 1
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        found.kinds.setdefault(kind, []).append(url)
        for href in HREF.findall(response.content.decode()):
            link = urldefrag(unescape(href)).url
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not link.startswith("/"):
                continue
            if SKIP_PATH.search(parts.path) or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    return found


DEMO_PASSWORD = "practica-demo"
# Pages that change state on GET never exist; these only end the session or leave the site.
SKIP_PREFIXES = ("/accounts/logout", "/static/", "/media/", "/admin/")
_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "link"):
            for name, value in attrs:
                if name == "href" and value:
                    self.hrefs.append(value)


def links_in(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    paths = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIP_PREFIXES):
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def crawl(client, start: list[str], *, limit: int = 400) -> dict[str, str]:
    """One path for each route name reachable by links from `start`."""
    found: dict[str, str] = {}
    queue = list(start)
    seen: set[str] = set()
    while queue and len(seen) < limit:
        path = queue.pop(0)
        bare = path.split("?")[0]
        if bare in seen:
            continue
        try:
            match = resolve(bare)
        except Resolver404:
            continue
        if match.view_name in found and found[match.view_name] != path:
            continue  # one page per route is enough
        seen.add(bare)
        found.setdefault(match.view_name, bare)
        response = client.get(path)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            queue.extend(links_in(response.content.decode()))
    return found


def route_arguments(route: str) -> list[str]:
    return [name for _kind, name in _ARGUMENT.findall(route)]


def demo_paths(client) -> dict[str, str]:
    """Route name → a path of the seeded demo, for every route of the URL conf that has one.

    Logs `client` in as the steward (and leaves it so).
    """
    found = crawl(client, ["/", "/c/", "/bulletin/", "/learning/"])
    client.login(email="steward@example.com", password=DEMO_PASSWORD)
    steward = crawl(
        client,
        ["/", "/c/ward-care/", "/people/", "/notifications/", "/learning/", "/bulletin/"],
    )
    found.update(steward)
    known_values: dict[str, dict[str, str]] = {}
    for name, path in found.items():
        match = resolve(path)
        known_values[name] = {key: str(value) for key, value in match.kwargs.items()}
    paths = dict(found)
    for route in every_route():
        if not route.ours or route.name in paths:
            continue
        wanted = route_arguments(route.route)
        namespace = route.name.split(":")[0] + ":" if ":" in route.name else ""
        fitting = [
            (name, values) for name, values in known_values.items() if set(wanted) <= set(values)
        ]
        same_app = [values for name, values in fitting if namespace and name.startswith(namespace)]
        donor = (same_app or [values for _name, values in fitting] or [None])[0]
        if donor is None and wanted:
            continue
        try:
            paths[route.name] = reverse(route.name, kwargs={k: donor[k] for k in wanted})
        except Exception:  # noqa: BLE001 - a route whose values don't fit stays unswept here
            continue
    return paths
