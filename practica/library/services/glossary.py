"""The community glossary: terms, definitions and synonyms."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from practica.communities.capabilities import Capability, require
from practica.library.glossary import forget_glossary
from practica.library.models import GlossaryTerm
from practica.markdown import render_markdown
from practica.privacy.guard import changed_texts, screen


def parse_synonyms(raw: str) -> list[str]:
    """Synonyms typed one a line or separated by commas, deduplicated, order kept."""
    seen: dict[str, str] = {}
    for piece in raw.replace("\n", ",").split(","):
        name = " ".join(piece.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


def save_term(
    *,
    actor,
    community,
    term: str,
    definition: str,
    synonyms: list[str],
    existing: GlossaryTerm | None = None,
    confirm_guard: bool = False,
    topics: list | None = None,
) -> GlossaryTerm:
    """Add a term, or change `existing`; a term or synonym may name only one entry.

    Raises PatientDataFound (see privacy.guard)."""
    require(actor, Capability.EDIT_ARTICLE, community=community)
    term = " ".join(term.split())
    synonyms = [s for s in synonyms if s.casefold() != term.casefold()]
    slug = slugify(term)[:100]
    if not slug:
        raise ValidationError({"term": "The term needs at least one letter or digit."})
    texts = {"term": term, "definition": definition.strip(), "synonyms": ", ".join(synonyms)}
    if existing is not None:
        texts = changed_texts(existing, {"term": term, "definition": texts["definition"]}) | (
            {"synonyms": texts["synonyms"]} if synonyms != existing.synonyms else {}
        )
    screening = screen(
        actor=actor,
        community=community,
        where="glossary entry",
        texts=texts,
        confirmed=confirm_guard,
    )
    with transaction.atomic():
        others = GlossaryTerm.objects.filter(community=community)
        if existing is not None:
            others = others.exclude(pk=existing.pk)
        names = {term.casefold(): "term", **{s.casefold(): "synonyms" for s in synonyms}}
        for other in others.only("term", "slug", "synonyms"):
            if other.slug == slug:
                raise ValidationError({"term": f"“{other.term}” is already in the glossary."})
            for name in [other.term, *other.synonyms]:
                if name.casefold() in names:
                    raise ValidationError(
                        {names[name.casefold()]: f"“{name}” already names “{other.term}”."}
                    )
        entry = existing or GlossaryTerm(community=community, created_by=actor)
        entry.term = term
        entry.slug = slug
        entry.definition = definition.strip()
        entry.definition_html = render_markdown(entry.definition)
        entry.synonyms = synonyms
        entry.updated_at = timezone.now()
        entry.full_clean()
        entry.save()
        if topics is not None:
            entry.topics.set([t for t in topics if t.community_id == community.pk])
        screening.record(entry)
    forget_glossary(community)
    return entry


def delete_term(*, actor, term: GlossaryTerm) -> None:
    require(actor, Capability.EDIT_ARTICLE, community=term.community)
    with transaction.atomic():
        term.delete()
    forget_glossary(term.community)
