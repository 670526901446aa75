"""Markdown for everything members write: CommonMark rendered, then sanitised with nh3.

The rendered HTML is the only HTML that templates mark safe; it never leaves this
module without passing through `nh3.clean`.
"""

from __future__ import annotations

import re
from html import unescape

import nh3
from django.utils.html import escape
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


# A bare <div> around a table is this wrapper after a second sanitise stripped its attributes.
_TABLE = re.compile(
    r'(?:<div>|<div class="table-scroll"[^>]*>)?<table>(.*?)</table>(?:</div>)?', re.DOTALL
)
_HEAD_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _scroll_box(match: re.Match) -> str:
    """A table in its own sideways-scrolling box, reachable and named for the keyboard.

    Runs on sanitised HTML: `<table>` there can only be a table the renderer made.
    """
    heads = [unescape(_TAG.sub("", cell)).strip() for cell in _HEAD_CELL.findall(match.group(1))]
    label = "Table: " + ", ".join(head for head in heads if head) if any(heads) else "Table"
    return (
        f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(label[:200])}">'
        f"<table>{match.group(1)}</table></div>"
    )


def wrap_tables(html: str) -> str:
    """Put each table of sanitised HTML in its scroll box (idempotent after `sanitise`)."""
    return _TABLE.sub(_scroll_box, html) if "<table>" in html else html


def render_markdown(source: str) -> str:
    """Render member-written Markdown to sanitised HTML.

    Raw HTML in the source is shown as text, never interpreted; over-long sources are
    refused by the forms before they get here, and cut here as a last guard.
    """
    html = sanitise(_renderer.render((source or "")[:MAX_SOURCE_CHARS]))
    return wrap_tables(html)


_BLOCK_ENDS = {
    "paragraph_close", "heading_close", "bullet_list_close", "ordered_list_close",
    "list_item_close", "blockquote_close", "table_close", "tr_close", "hr",
}  # fmt: skip


def markdown_to_text(source: str) -> str:
    """The words of member-written Markdown without its markup, for search and snippets.

    "**Outcomes**" becomes "Outcomes" and "[the policy](/c/x/)" becomes "the policy": what
    a reader sees on the page, one block a line, with no HTML to escape or sanitise.
    """
    lines: list[str] = []
    current: list[str] = []

    def end_block() -> None:
        text = " ".join("".join(current).split())
        if text:
            lines.append(text)
        current.clear()

    for token in _renderer.parse((source or "")[:MAX_SOURCE_CHARS]):
        if token.type == "inline":
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    current.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    current.append(" ")
                elif child.type == "image":
                    current.append(child.content)
        elif token.type in ("fence", "code_block"):
            current.append(token.content)
            end_block()
        elif token.type in ("th_close", "td_close"):
            current.append(" ")
        elif token.type in _BLOCK_ENDS:
            end_block()
    end_block()
    return "\n".join(lines)
