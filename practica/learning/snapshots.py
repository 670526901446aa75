"""A module version's snapshot is HTML and links frozen at publication: what is shown of it
must be safe however the snapshot arrived (published here, or read from an imported
community archive, which anyone could have edited)."""

from __future__ import annotations

from practica.markdown import sanitise, wrap_tables

_SAFE_SCHEMES = ("https://", "http://")


def _safe_url(url: str) -> str:
    """A link the page may show: http(s), or a path on this site (never //host)."""
    if url.startswith(_SAFE_SCHEMES) or (url.startswith("/") and not url.startswith("//")):
        return url
    return ""


def _clean(value, key: str = ""):
    if isinstance(value, dict):
        return {k: _clean(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, key) for v in value]
    if isinstance(value, str):
        if key == "html" or key.endswith("_html"):
            return wrap_tables(sanitise(value))
        if key == "url":
            return _safe_url(value.strip())
    return value


def sanitised_snapshot(snapshot):
    """`snapshot` with every HTML value sanitised as rendered Markdown is (idempotent on
    what render_markdown made) and every link http(s) or on this site."""
    return _clean(snapshot)
