"""Markdown for everything members write: CommonMark rendered, then sanitised with nh3.

The rendered HTML is the only HTML that templates mark safe; it never leaves this
module without passing through `nh3.clean`.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

MAX_SOURCE_CHARS = 100_000
# Deeply nested quotes or lists are how "Markdown bombs" blow up renderers.
MAX_NESTING = 20

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dfn", "div",
    "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li",
    "mark", "ol", "p", "pre", "s", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "dfn": {"title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "span": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_renderer = (
    MarkdownIt("commonmark", {"maxNesting": MAX_NESTING, "html": False, "linkify": False})
    .enable("table")
    .enable("strikethrough")
)


def sanitise(html: str) -> str:
    """Strip everything but a small, safe subset of HTML; links get rel=noopener."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(source: str) -> str:
    """Render member-written Markdown to sanitised HTML.

    Raw HTML in the source is shown as text, never interpreted; over-long sources are
    refused by the forms before they get here, and cut here as a last guard.
    """
    return sanitise(_renderer.render((source or "")[:MAX_SOURCE_CHARS]))
