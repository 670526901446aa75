"""Markdown for bulletin articles: the site's renderer plus numbered footnote references.

Every piece of member-written HTML still passes through `practica.markdown.sanitise`.
The sanitiser drops `id` attributes, so the anchors that join a citation to its
reference are added afterwards, and only as `fn<digits>` / `fnref<digits>`: nothing a
writer types can reach them.
"""

from __future__ import annotations

import re

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from practica.markdown import MAX_NESTING, MAX_SOURCE_CHARS, render_markdown, sanitise, wrap_tables

_renderer = (
    MarkdownIt("commonmark", {"maxNesting": MAX_NESTING, "html": False, "linkify": False})
    .enable("table")
    .enable("strikethrough")
    .use(footnote_plugin)
)


def _footnote_ref(self, tokens, idx, options, env) -> str:
    number = tokens[idx].meta["id"] + 1
    return f'<sup><a href="#fn{number}">{number}</a></sup>'


_renderer.add_render_rule("footnote_ref", _footnote_ref)

_CITATION = re.compile(r'<sup><a href="#fn(\d+)"')


def _anchor_citations(html: str) -> str:
    """Give the first citation of each reference the id its back-link points to."""
    seen: set[str] = set()

    def add_id(match: re.Match) -> str:
        number = match.group(1)
        if number in seen:
            return match.group(0)
        seen.add(number)
        return f'<sup id="fnref{number}"><a href="#fn{number}"'

    return _CITATION.sub(add_id, html)


def render_article(source: str) -> SafeString:
    """Article Markdown → sanitised HTML, with its footnotes as a numbered reference list."""
    env: dict = {}
    tokens = _renderer.parse((source or "")[:MAX_SOURCE_CHARS], env)
    try:
        split = next(i for i, t in enumerate(tokens) if t.type == "footnote_block_open")
    except StopIteration:
        split = len(tokens)
    body = wrap_tables(
        _anchor_citations(
            sanitise(_renderer.renderer.render(tokens[:split], _renderer.options, env))
        )
    )

    references: list[str] = []
    current: list | None = None
    for token in tokens[split:]:
        if token.type == "footnote_open":
            current = []
        elif token.type == "footnote_close" and current is not None:
            html = sanitise(_renderer.renderer.render(current, _renderer.options, env))
            # A one-paragraph reference reads better without its <p>.
            html = re.sub(r"^\s*<p>(.*)</p>\s*$", r"\1", html, flags=re.S)
            references.append(html)
            current = None
        elif current is not None and token.type != "footnote_anchor":
            current.append(token)
    if not references:
        return mark_safe(body)  # noqa: S308 - sanitised above
    items = "".join(
        format_html(
            '<li id="fn{}">{} <a class="backref" href="#fnref{}" aria-label="Back to citation {}">↩</a></li>',
            n,
            mark_safe(html),  # noqa: S308 - sanitised above
            n,
            n,
        )
        for n, html in enumerate(references, start=1)
    )
    return mark_safe(  # noqa: S308 - sanitised parts joined with fixed markup
        f'{body}<section class="references" aria-labelledby="references-heading">'
        f'<h2 id="references-heading">References</h2><ol>{items}</ol></section>'
    )


def render_block(source: str) -> str:
    """Short Markdown (editorial, contact block): the site's renderer as it is."""
    return render_markdown(source)
