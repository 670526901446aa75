"""References attached to articles: added one by one or pasted as BibTeX or RIS."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from practica.library.citations import CitationError, parse_citations
from practica.library.models import Article, Reference
from practica.library.services.articles import require_edit

FIELDS = ("kind", "authors", "year", "title", "container", "publisher", "place", "volume",
          "issue", "pages", "doi", "url")  # fmt: skip


def _next_position(article: Article) -> int:
    return (article.references.aggregate(last=Max("position"))["last"] or 0) + 1


def add_reference(*, actor, article: Article, **fields) -> Reference:
    require_edit(actor, article)
    with transaction.atomic():
        reference = Reference(
            article=article,
            position=_next_position(article),
            added_by=actor,
            **{k: v for k, v in fields.items() if k in FIELDS},
        )
        reference.full_clean(exclude=["article"])
        reference.save()
    return reference


def import_references(*, actor, article: Article, text: str) -> list[Reference]:
    """Add every reference in pasted BibTeX or RIS; nothing is added if any part is broken."""
    require_edit(actor, article)
    try:
        parsed = parse_citations(text)
    except CitationError as error:
        raise ValidationError({"text": str(error)}) from error
    added = []
    with transaction.atomic():
        position = _next_position(article)
        for number, fields in enumerate(parsed, start=1):
            reference = Reference(article=article, position=position, added_by=actor, **fields)
            try:
                reference.full_clean(exclude=["article"])
            except ValidationError as error:
                raise ValidationError(
                    {
                        "text": f"Reference {number} (“{fields['title'][:60]}”): {'; '.join(error.messages)}"
                    }
                ) from error
            reference.save()
            added.append(reference)
            position += 1
    return added


def remove_reference(*, actor, reference: Reference) -> None:
    require_edit(actor, reference.article)
    with transaction.atomic():
        reference.delete()
