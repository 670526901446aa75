"""What a member typed, parsed into a query no backend can misread.

The search box takes web-search syntax: words (all must match), "an exact phrase",
-excluded words or -"phrases", and word* for a prefix (as you type). The advanced form
adds "any of these words". Everything else — quotes left open, NEAR, ^, column:filters,
AND/OR/NOT, brackets, SQL — is read as plain words, because every term is rebuilt from
letters and digits only before it reaches FTS5 or to_tsquery.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from practica.search.text import STOP_WORDS

# The longest text the search box, every advanced field and the server take; the boxes
# carry it as maxlength, and a longer query (pasted into a URL) is cut at a word boundary.
MAX_QUERY_CHARS = 500
MAX_CLAUSES = 12
MAX_PHRASE_WORDS = 8
WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A quoted phrase (closing quote optional), or a run of non-space characters.
CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# The words FTS5 reads as operators, and which PostgreSQL's websearch syntax treats alike.
OPERATORS = {"and", "or", "not", "near"}


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of several; `prefix` matches words starting with the last one."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass
class ParsedQuery:
    required: list[Term] = field(default_factory=list)
    any_of: list[Term] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Nothing to match on: no word to find (exclusions alone cannot be searched)."""
        return not (self.required or self.any_of)

    def words(self) -> list[str]:
        """The positive words, for highlighting and for "who knows about"."""
        return [w for term in [*self.required, *self.any_of] for w in term.words]


def cut_on_word(text: str, limit: int = MAX_QUERY_CHARS) -> str:
    """`text` cut to at most `limit` characters without ending in part of a word.

    A cut through "handover" would leave "han", which matches nothing the member meant.
    """
    if len(text) <= limit:
        return text
    head = text[:limit]
    if WORD.fullmatch(text[limit - 1 : limit + 1] or ""):
        # The cut falls inside a word: drop that word's beginning.
        start = len(head)
        while start > 0 and WORD.fullmatch(head[start - 1]):
            start -= 1
        head = head[:start] if start > 0 else head
    return head.rstrip()


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def _add_words(target: list[Term], text: str, *, drop_stop_words: bool, prefix_last=False):
    words = _words(text)
    for index, word in enumerate(words):
        if drop_stop_words and (word in STOP_WORDS or word in OPERATORS):
            continue
        is_last = index == len(words) - 1
        target.append(Term((word,), prefix=prefix_last and is_last and len(word) >= 2))


def _add_phrase(target: list[Term], text: str) -> None:
    words = _words(text)[:MAX_PHRASE_WORDS]
    if len(words) == 1:
        target.append(Term((words[0],)))
    elif words:
        target.append(Term(tuple(words)))


def parse(
    q: str = "",
    *,
    all_words: str = "",
    exact_phrase: str = "",
    any_words: str = "",
    none_words: str = "",
) -> ParsedQuery:
    """Parse the search box (`q`) and the advanced form's fields into one query."""
    parsed = ParsedQuery()
    for match in CHUNK.finditer(cut_on_word(q or "")):
        negated, phrase, token = match.group(1), match.group(2), match.group(3)
        if phrase is not None:
            _add_phrase(parsed.excluded if negated else parsed.required, phrase)
            continue
        if token.startswith("-") and len(token) > 1:
            _add_words(parsed.excluded, token[1:], drop_stop_words=False)
            continue
        # Only a star right after a word means "starts with"; a star anywhere else is noise.
        prefix = bool(re.search(r"[^\W_]\*+$", token))
        _add_words(parsed.required, token, drop_stop_words=True, prefix_last=prefix)
    _add_words(parsed.required, cut_on_word(all_words or ""), drop_stop_words=True)
    _add_phrase(parsed.required, cut_on_word(exact_phrase or ""))
    _add_words(parsed.any_of, cut_on_word(any_words or ""), drop_stop_words=True)
    _add_words(parsed.excluded, cut_on_word(none_words or ""), drop_stop_words=False)
    # A query of nothing but stop words ("what is the") still searches for them.
    if parsed.is_empty and not parsed.excluded:
        words = _words(cut_on_word(q or ""))
        parsed.required = [Term((w,)) for w in words if w not in OPERATORS]
    parsed.required = _distinct(parsed.required)[:MAX_CLAUSES]
    parsed.any_of = _distinct(parsed.any_of)[:MAX_CLAUSES]
    parsed.excluded = _distinct(parsed.excluded)[:MAX_CLAUSES]
    return parsed


def _distinct(terms: list[Term]) -> list[Term]:
    seen: dict[tuple, Term] = {}
    for term in terms:
        seen.setdefault(term.words, term)
    return list(seen.values())


# --- rendering for each backend ----------------------------------------------------------------


def _fts5_term(term: Term) -> str:
    # Words are letters and digits only, so wrapping them in quotes makes them literal.
    text = '"' + " ".join(term.words) + '"'
    return text + "*" if term.prefix else text


def to_fts5(parsed: ParsedQuery) -> str:
    """An FTS5 MATCH expression. Precondition: `parsed` is not empty."""
    parts = [_fts5_term(t) for t in parsed.required]
    if parsed.any_of:
        parts.append("(" + " OR ".join(_fts5_term(t) for t in parsed.any_of) + ")")
    expression = " AND ".join(parts)
    for term in parsed.excluded:
        expression = f"({expression}) NOT {_fts5_term(term)}"
    return expression


def _tsquery_term(term: Term) -> str:
    # Each word is quoted as a lexeme; to_tsquery still stems it with the english config.
    words = [f"'{w}'" for w in term.words]
    if term.prefix:
        words[-1] += ":*"
    text = " <-> ".join(words)
    return f"({text})" if len(words) > 1 else text


def to_tsquery(parsed: ParsedQuery) -> str:
    """A to_tsquery('english', …) expression. Precondition: `parsed` is not empty."""
    parts = [_tsquery_term(t) for t in parsed.required]
    if parsed.any_of:
        parts.append("(" + " | ".join(_tsquery_term(t) for t in parsed.any_of) + ")")
    parts += [f"!{_tsquery_term(t)}" for t in parsed.excluded]
    return " & ".join(parts)
