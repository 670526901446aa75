"""Every kind of page in the demo, as a visitor, a learner or a steward finds them.

The browser sweeps (320 px overflow, axe-core, CSP) need "every page of the demo" without a
list that goes stale as pages are added: `discover_pages` follows the links a person can see,
from the pages a person starts at, with Django's test client (fast, in-process), and keeps
the first few addresses of each kind of page (its URL name); `discover_admin_pages` does
the same inside the admin for a staff member.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urldefrag, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

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


ADMIN_SKIP = re.compile(r"/(logout|delete|password)/|/history/\d|/r/\d")


def discover_admin_pages(client: Client, *, per_kind: int = 1, limit: int = 300) -> Found:
    """The admin's pages a staff member can reach from /admin/, one of each kind."""
    found = Found()
    queue = deque(["/admin/"])
    seen = {"/admin/"}
    fetched = 0
    while queue and fetched < limit:
        url = queue.popleft()
        kind = kind_of(urlsplit(url).path)
        if kind is None or len(found.kinds.get(kind, [])) >= per_kind:
            continue
        response = client.get(url)
        fetched += 1
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        found.kinds.setdefault(kind, []).append(url)
        for href in HREF.findall(response.content.decode()):
            link = urldefrag(unescape(href)).url
            if not link.startswith("/admin/") or ADMIN_SKIP.search(link) or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    return found


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
