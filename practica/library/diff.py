"""Word-level differences between two texts, as HTML built only from escaped text."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape

# Words, runs of whitespace and single punctuation marks: whitespace is kept as tokens so
# the diff shows the text exactly as written, line breaks included.
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


@dataclass(frozen=True)
class WordDiff:
    html: str
    added: int
    removed: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


# Unchanged stretches longer than this are shortened to their ends, so a one-word change
# in a long article doesn't bury itself in the whole text.
CONTEXT_CHARS = 160


def _shorten(text: str, *, first: bool, last: bool, context: int | None) -> str:
    if context is None or len(text) <= 2 * context + 40:
        return escape(text)
    head = "" if first else text[:context]
    tail = "" if last else text[-context:]
    # Cut at whitespace so no word is shown half.
    if head and " " in head.strip():
        head = head[: head.rstrip().rfind(" ") + 1] or head
    if tail and " " in tail.strip():
        tail = tail[tail.lstrip().find(" ") + (len(tail) - len(tail.lstrip())) :] or tail
    return f'{escape(head)}<span class="diff-gap"> … </span>{escape(tail)}'


def word_diff(old: str, new: str, *, context: int | None = CONTEXT_CHARS) -> WordDiff:
    """`old` → `new` as escaped text with <del> and <ins> around the changed words.

    The result is safe to mark safe: every piece of member text in it went through
    `escape`, and the only tags are the ones written here.
    """
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    parts: list[str] = []
    added = removed = 0
    opcodes = matcher.get_opcodes()
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            text = "".join(a[i1:i2])
            if len(opcodes) == 1:
                parts.append(escape(text))
            else:
                parts.append(
                    _shorten(
                        text, first=index == 0, last=index == len(opcodes) - 1, context=context
                    )
                )
            continue
        if op in ("delete", "replace"):
            removed += sum(1 for t in a[i1:i2] if not t.isspace())
            parts.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            added += sum(1 for t in b[j1:j2] if not t.isspace())
            parts.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return WordDiff(html="".join(parts), added=added, removed=removed)


@dataclass(frozen=True)
class FieldDiff:
    label: str
    diff: WordDiff


def text_diffs(old, new) -> list[FieldDiff]:
    """Diffs of title, summary and body between two objects that carry them."""
    return [
        FieldDiff(label, word_diff(getattr(old, field, ""), getattr(new, field, "")))
        for label, field in (("Title", "title"), ("Summary", "summary"), ("Body", "body"))
    ]
