"""Similar questions: what the ask form suggests and what a question page lists as related."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from practica.search import backends
from practica.search.models import SearchEntry
from practica.search.text import query_terms

MAX_LIMIT = 20
RANKINGS = ("lexical",)


def ranking_available(ranking: str) -> bool:
    return ranking in RANKINGS


@dataclass(frozen=True)
class SimilarQuestion:
    id: int
    external_id: str
    title: str
    url: str
    score: float

    def as_dict(self) -> dict:
        return asdict(self)


def similar_questions(
    *,
    community,
    title: str,
    body: str = "",
    limit: int = 5,
    exclude_thread_id: int | None = None,
    ranking: str | None = None,
) -> list[SimilarQuestion]:
    """Public questions in `community` most like `title` and `body`, best first.

    Precondition: the caller has checked that the requester may read `community`; only
    public entries (not staged, hidden or deleted) are ever returned.
    """
    limit = max(0, min(int(limit), MAX_LIMIT))
    terms = query_terms(title, body)
    hits = backends.rank(
        terms=terms,
        community_id=community.pk,
        kinds=[SearchEntry.Kind.QUESTION],
        limit=limit,
        exclude_ids=[exclude_thread_id] if exclude_thread_id else (),
    )
    if not hits:
        return []
    entries = SearchEntry.objects.in_bulk([hit.entry_id for hit in hits])
    return [
        SimilarQuestion(
            id=entries[hit.entry_id].object_id,
            external_id=entries[hit.entry_id].external_id,
            title=entries[hit.entry_id].title,
            url=entries[hit.entry_id].url,
            score=hit.score,
        )
        for hit in hits
        if hit.entry_id in entries
    ]
