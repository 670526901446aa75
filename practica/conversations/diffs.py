"""A post's edit history: each revision with who, when and a word diff from the one before."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> SafeString:
    """`after` with words added since `before` in <ins> and removed words in <del>, escaped."""
    old = TOKENS.findall(before or "")
    new = TOKENS.findall(after or "")
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(new[b1:b2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(old[a1:a2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(new[b1:b2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


@dataclass
class HistoryEntry:
    revision: object
    number: int
    title_diff: SafeString | None
    body_diff: SafeString
    is_original: bool


def revision_history(post, community) -> list[HistoryEntry]:
    """Newest first. The first revision is the text as originally posted; each carries
    its editor's lanyard as it was when they saved it."""
    from practica.communities.lanyards import attach_lanyards

    revisions = attach_lanyards(
        community, post.revisions.select_related("editor").order_by("created_at", "pk"), "editor"
    )
    entries = []
    previous = None
    for number, revision in enumerate(revisions, start=1):
        entries.append(
            HistoryEntry(
                revision=revision,
                number=number,
                title_diff=word_diff(previous.title, revision.title)
                if previous and post.is_opening and previous.title != revision.title
                else None,
                body_diff=word_diff(previous.body if previous else revision.body, revision.body),
                is_original=previous is None,
            )
        )
        previous = revision
    return list(reversed(entries))
