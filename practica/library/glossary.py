"""Glossary auto-linking: mark up glossary terms in rendered, sanitised HTML.

Other apps call `link_glossary_terms(html, community)` on HTML that came out of
`practica.markdown.render_markdown`; the result is sanitised again before it is returned,
so it stays safe to mark safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from practica.markdown import sanitise, wrap_tables

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Text inside these is never linked: code is literal, links can't nest, headings and
# existing definitions are left as written.
SKIPPED = HEADINGS | {"a", "code", "pre", "kbd", "dfn", "abbr", "script", "style"}
# Bits of running text that are addresses rather than words: a term inside them must not
# become a link (that would break the address a reader copies).
_ADDRESS = re.compile(
    r"(?:[a-z][a-z0-9+.\-]*://|www\.)\S+"
    r"|[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
    r"|\b[\w\-]+(?:\.[\w\-]+)*\.(?:com|org|net|edu|gov|nhs|uk|au|ca|nz|ie|io)\b\S*",
    re.IGNORECASE,
)
_CACHE_ATTR = "_library_glossary"


@dataclass(frozen=True)
class Entry:
    slug: str
    term: str
    url: str
    title: str


@dataclass(frozen=True)
class Glossary:
    pattern: re.Pattern | None
    entries: dict[str, Entry]  # casefolded term or synonym → entry


def build_glossary(community, terms) -> Glossary:
    """A matcher for `terms` (GlossaryTerm rows) of `community`; longest names win."""
    base = reverse("library:glossary", kwargs={"community_slug": community.slug})
    entries: dict[str, Entry] = {}
    for term in terms:
        title = Truncator(" ".join(strip_tags(term.definition_html).split())).chars(200)
        entry = Entry(term.slug, term.term, f"{base}#{term.anchor}", title)
        for name in [term.term, *term.synonyms]:
            name = " ".join(str(name).split())
            if name and name.casefold() not in entries:
                entries[name.casefold()] = entry
    if not entries:
        return Glossary(None, {})
    names = sorted(entries, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, n.split(" "))) for n in names)
    # An optional plural ending, so "handovers" links to "handover".
    pattern = re.compile(rf"(?<![\w\-])({alternatives})(?:e?s)?(?![\w\-])", re.IGNORECASE)
    return Glossary(pattern, entries)


def glossary_for(community) -> Glossary:
    """The community's glossary matcher, loaded once per community object (one query)."""
    cached = getattr(community, _CACHE_ATTR, None)
    if cached is None:
        from practica.library.models import GlossaryTerm

        terms = GlossaryTerm.objects.filter(community=community).only(
            "slug", "term", "synonyms", "definition_html"
        )
        cached = build_glossary(community, terms)
        setattr(community, _CACHE_ATTR, cached)
    return cached


def forget_glossary(community) -> None:
    if hasattr(community, _CACHE_ATTR):
        delattr(community, _CACHE_ATTR)


class _Linker(HTMLParser):
    """Rebuilds the HTML as it reads it, changing only text nodes outside SKIPPED tags."""

    def __init__(self, glossary: Glossary):
        super().__init__(convert_charrefs=True)
        self.glossary = glossary
        self.out: list[str] = []
        self.skip_depth = 0
        self.used: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag in HEADINGS:
            self.used = set()  # a new section: each term may be linked once more
        if tag in SKIPPED:
            self.skip_depth += 1
        self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag in SKIPPED and self.skip_depth:
            self.skip_depth -= 1
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self.skip_depth or self.glossary.pattern is None:
            self.out.append(escape(data, quote=False))
            return
        self.out.append(self._link(data))

    def _link(self, text: str) -> str:
        addresses = [m.span() for m in _ADDRESS.finditer(text)]
        pieces: list[str] = []
        position = 0
        for match in self.glossary.pattern.finditer(text):
            start, end = match.span()
            entry = self.glossary.entries.get(" ".join(match.group(1).split()).casefold())
            if entry is None or entry.slug in self.used:
                continue
            if any(s < end and start < e for s, e in addresses):
                continue
            self.used.add(entry.slug)
            pieces.append(escape(text[position:start], quote=False))
            pieces.append(
                f'<a class="glossary-term" href="{escape(entry.url)}" title="{escape(entry.title)}">'
                f"{escape(match.group(0), quote=False)}</a>"
            )
            position = end
        pieces.append(escape(text[position:], quote=False))
        return "".join(pieces)


def link_glossary_terms(html: str, community) -> str:
    """`html` with the first mention per section of each glossary term linked to its definition.

    Precondition: `html` is already sanitised (from `render_markdown`). Terms inside code,
    pre, links and headings, inside attributes and inside written-out addresses are left
    alone. The result is sanitised again.
    """
    glossary = glossary_for(community)
    if glossary.pattern is None or not html:
        return html
    linker = _Linker(glossary)
    linker.feed(html)
    linker.close()
    return wrap_tables(sanitise("".join(linker.out)))
