"""Markdown for everything members write: CommonMark rendered, then sanitised with nh3.

The rendered HTML is the only HTML that templates mark safe; it never leaves this
module without passing through `nh3.clean`.

Bulk work (an import of thousands of threads) renders with `render_markdown_fast`:
markdown-it.rs through `markdown_it_pyrs`, the same rules about fifteen times faster, and
the same HTML for what members write (`practica/tests/test_markdown.py` compares the two).
It is not the renderer of pages and forms, because it is less hardened: it has no nesting
limit (a line of tens of thousands of ">" overflows its stack) and panics on some
punctuation soup. So a source it might get wrong (`_fast_is_safe`) is rendered by
markdown-it-py instead.
"""

from __future__ import annotations

import re
from html import unescape

import markdown_it_pyrs
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
# markdown-it.rs's "commonmark" preset includes raw HTML; this is the same without it.
_fast = markdown_it_pyrs.MarkdownIt("zero").enable_many(
    [
        *("blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph"),
        *("reference", "autolink", "backticks", "emphasis", "entity", "escape", "image"),
        *("link", "newline", "table", "strikethrough"),
    ]
)
# A line opening more than MAX_NESTING quotes or list items (counted generously: any
# marker character before its text). Nesting by indentation alone needs two more spaces
# a level, so it stays in the hundreds within MAX_SOURCE_CHARS, which the fast one takes.
_DEEP_LINE = re.compile(r"^(?:[ \t\d]*[>*+\-.)]){" + str(MAX_NESTING + 1) + "}", re.MULTILINE)


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


_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")
_EMPTY_HEAD_CELL = re.compile(r'<th( align="(?:left|center|right)")?></th>')


def _even_headings(html: str) -> str:
    """Headings that never skip a level, under whatever heading the page puts the text.

    A text is always shown below the page's own heading (an h1, or an h2 in a list), so
    its headings start at h2 and go down one level at a time: the levels the writer used
    keep their order ("###" alone becomes h2; "#", "###" become h2, h3). Screen-reader
    users move by heading level; a skipped level reads as a missing section.
    """
    levels = sorted({int(level) for slash, level in _HEADING_TAG.findall(html) if not slash})
    shown = {level: min(6, 2 + rank) for rank, level in enumerate(levels)}
    if all(level == shown[level] for level in levels):
        return html
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{shown[int(m.group(2))]}>", html)


def _no_empty_header_cells(html: str) -> str:
    """An empty header cell (the corner of a two-way table) is an ordinary, empty cell.

    A `<th>` heads its row or column for a screen reader; an empty one heads nothing.
    """
    return _EMPTY_HEAD_CELL.sub(r"<td\1></td>", html) if "<th" in html else html


def _shaped(html: str) -> str:
    """Sanitised HTML with even headings, no empty header cell and tables in scroll boxes.

    Runs on sanitised HTML only: a tag there can only be one the renderer made (text is
    escaped), so these patterns never meet what a member typed.
    """
    return wrap_tables(_no_empty_header_cells(_even_headings(html)))


def render_markdown(source: str) -> str:
    """Render member-written Markdown to sanitised HTML.

    Raw HTML in the source is shown as text, never interpreted; over-long sources are
    refused by the forms before they get here, and cut here as a last guard.
    """
    return _shaped(sanitise(_renderer.render((source or "")[:MAX_SOURCE_CHARS])))


def _fast_is_safe(source: str) -> bool:
    """Whether markdown-it.rs renders `source` as markdown-it-py would, without failing.

    It overflows its stack past some ten thousand nested levels (markdown-it-py stops at
    MAX_NESTING), panics on a backtick after an unclosed "[" (a backtick anywhere after
    the first "[" is taken as a sign of one), pairs runs of four or more "~" as
    strikethrough where markdown-it-py does not, and leaves an entity out of an image's
    alt text (any "&" with an image is taken as a sign of one).
    """
    if "~~~" in source or ("![" in source and "&" in source) or _DEEP_LINE.search(source):
        return False
    bracket = source.find("[")
    return bracket < 0 or "`" not in source[bracket:]


def render_markdown_fast(source: str) -> str:
    """`render_markdown`'s HTML, about fifteen times faster, for bulk work (see the module
    notes); sources it might get wrong go to `render_markdown`."""
    source = (source or "")[:MAX_SOURCE_CHARS]
    if not _fast_is_safe(source):
        return render_markdown(source)
    try:
        html = _fast.render(source)
    except BaseException as error:  # pyo3's PanicException derives from BaseException
        if type(error).__name__ != "PanicException":
            raise
        return render_markdown(source)
    return _shaped(sanitise(html))


# Tags that begin or end a block of text, and those that separate words inside one.
_BLOCK_TAG = re.compile(
    r"</?(?:p|h[1-6]|ul|ol|li|blockquote|pre|table|thead|tbody|tr|hr|div|dl|dt|dd|details"
    r"|summary)\b[^>]*>"
)
_SPACE_TAG = re.compile(r"</?(?:td|th|br)\b[^>]*>")
_IMAGE = re.compile(r'<img\b[^>]*?\balt="([^"]*)"[^>]*>')
_ANY_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
_BLOCK = "\x00"


def html_to_text(html: str) -> str:
    """The words of HTML `render_markdown` made, one block a line: `markdown_to_text` of
    what is stored rendered (a post's `body_html`) without parsing the Markdown again.

    No tags, entities decoded, an image's alt text in its place, each paragraph, heading,
    list item, quote, code block or table row on its own line.
    """
    if not html:
        return ""
    html = _IMAGE.sub(lambda m: m.group(1), html) if "<img" in html else html
    html = _SPACE_TAG.sub(" ", _BLOCK_TAG.sub(_BLOCK, html))
    # CommonMark turns a NUL in the source into U+FFFD, so the marker is never text.
    text = unescape(_ANY_TAG.sub("", html))
    blocks = (" ".join(block.split()) for block in text.split(_BLOCK))
    return "\n".join(block for block in blocks if block)


def markdown_to_text(source: str) -> str:
    """The words of member-written Markdown without its markup, for search and snippets.

    "**Outcomes**" becomes "Outcomes" and "[the policy](/c/x/)" becomes "the policy": what
    a reader sees on the page, one block a line, with no HTML to escape or sanitise.
    """
    return html_to_text(_renderer.render((source or "")[:MAX_SOURCE_CHARS]))
