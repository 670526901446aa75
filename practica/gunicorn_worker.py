"""Gunicorn's sync worker, answering a too-long request line with Practica's own page.

Gunicorn refuses a request line longer than `LIMIT_REQUEST_LINE` before Django sees it,
with a bare "414 URI Too Long". The limit stays (it bounds what one request may make a
worker hold); only the answer changes: our styled page with a search box whose
maxlength is the server's query limit.
"""

from __future__ import annotations

import contextlib

from gunicorn.http.errors import LimitRequestLine
from gunicorn.workers.sync import SyncWorker

# Gunicorn's largest finite limit: room for a full advanced search at MAX_QUERY_CHARS.
LIMIT_REQUEST_LINE = 8190


def too_long_page() -> bytes:
    from django.template.loader import render_to_string

    from practica.search.query import MAX_QUERY_CHARS

    html = render_to_string("414.html", {"max_query_chars": MAX_QUERY_CHARS}).encode()
    head = (
        "HTTP/1.1 414 URI Too Long\r\n"
        "Connection: close\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(html)}\r\n\r\n"
    ).encode("latin-1")
    return head + html


class PracticaSyncWorker(SyncWorker):
    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, LimitRequestLine):
            return super().handle_error(req, client, addr, exc)
        self.log.warning("Request line too long from %s: %s", (addr or ("",))[0], exc)
        with contextlib.suppress(OSError):  # the client went away: nothing to answer
            client.sendall(too_long_page())
        return None
