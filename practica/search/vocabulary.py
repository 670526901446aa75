"""Lay ↔ clinical synonyms for similar questions: shipped data plus each community's glossary.

`data/lay_clinical.txt` holds groups of equivalent wordings ("water infection | uti |
urinary tract infection"), built for Practica; a community's glossary adds a group per term
(its name and its synonyms and abbreviations: "NEWS2 | early warning score"). Phrases are
analysed as the index is, so matching a typed question is a lookup of its term n-grams.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.core.cache import cache

from practica.search.analysis import phrase_terms

DATA = Path(__file__).parent / "data" / "lay_clinical.txt"
GLOSSARY_CACHE_SECONDS = 300
Phrase = tuple[str, ...]


def _groups_to_map(groups: list[list[str]]) -> dict[Phrase, list[Phrase]]:
    found: dict[Phrase, list[Phrase]] = {}
    for group in groups:
        phrases = list(dict.fromkeys(p for p in map(phrase_terms, group) if p))
        for phrase in phrases:
            others = found.setdefault(phrase, [])
            others += [other for other in phrases if other != phrase and other not in others]
    return found


def parse(text: str) -> list[list[str]]:
    """The groups of a vocabulary text: one a line, wordings separated by '|', # comments."""
    groups = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            groups.append([part.strip() for part in line.split("|") if part.strip()])
    return groups


@lru_cache(maxsize=1)
def shipped() -> dict[Phrase, list[Phrase]]:
    return _groups_to_map(parse(DATA.read_text(encoding="utf-8")))


def glossary_groups(community_id: int) -> list[list[str]]:
    """Each glossary term of the community with its synonyms and abbreviations."""
    key = f"similar:glossary:{community_id}"
    groups = cache.get(key)
    if groups is None:
        from practica.library.models import GlossaryTerm

        groups = [
            [term, *(str(s) for s in synonyms or [])]
            for term, synonyms in GlossaryTerm.objects.filter(
                community_id=community_id
            ).values_list("term", "synonyms")
            if synonyms
        ]
        cache.set(key, groups, GLOSSARY_CACHE_SECONDS)
    return groups


def forget_glossary(community_id: int) -> None:
    cache.delete(f"similar:glossary:{community_id}")


def expansions(community_id: int) -> dict[Phrase, list[Phrase]]:
    """phrase → its equivalent phrases, the shipped vocabulary's and the glossary's."""
    glossary = glossary_groups(community_id)
    if not glossary:
        return shipped()
    merged = {phrase: list(others) for phrase, others in shipped().items()}
    for phrase, others in _groups_to_map(glossary).items():
        merged.setdefault(phrase, [])
        merged[phrase] += [o for o in others if o not in merged[phrase]]
    return merged
