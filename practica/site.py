"""The site's public address: the one source for every absolute link Practica writes.

Emails, feeds, calendar files, badges, PDFs and `List-Unsubscribe` headers are read away
from the page that made them, so their links can't be relative and can't come from
whichever request happened to trigger them (a task worker has none). They all use
`absolute_url`, which builds on `settings.SITE_URL`: the `SITE_URL` variable, or for a
local server `http://127.0.0.1:$PORT` (see settings and `practica serve`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def site_url() -> str:
    """The public address with no trailing slash, e.g. https://cop.example.org."""
    return settings.SITE_URL.rstrip("/")


def site_host() -> str:
    return urlsplit(site_url()).hostname or "localhost"


def absolute_url(path: str) -> str:
    """`path` (e.g. /c/ward-care/) on the public address; a full URL is returned as is."""
    if path.startswith(("http://", "https://")):
        return path
    return site_url() + (path if path.startswith("/") else "/" + path)


def is_on_site(url: str) -> bool:
    """Whether `url` is an absolute address on this site."""
    return url.startswith(site_url() + "/")
