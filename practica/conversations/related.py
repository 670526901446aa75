"""A question page's related questions, ranked once per thread change and cached.

Ranking questions like this one reads the search index at length (most of a question
page's database time when it ran on every view). The ranked ids are cached per thread,
keyed by the thread's title and opening text so an edit ranks again at once, and
refilled after `FRESH_SECONDS` by one request while others serve the stale list (new
questions appear in related lists within that time). What is shown is always read now,
in one query by id: a question hidden, deleted or made private since it was ranked is
never shown, and a changed title shows as it reads today.
"""

from __future__ import annotations

from practica.cachekeys import hashed_key
from practica.caching import fresh_or_stale
from practica.search.models import SearchEntry
from practica.search.similar import SimilarQuestion, similar_questions

FRESH_SECONDS = 600
KEEP_SECONDS = 24 * 3600


def related_questions(*, community, thread, opening_body: str) -> list[SimilarQuestion]:
    """Public questions of `community` like `thread`, best first (see the module notes)."""
    key = hashed_key(f"related:{thread.pk}", community.pk, thread.title, opening_body)

    def rank() -> list[tuple[int, float]]:
        found = similar_questions(
            community=community,
            title=thread.title,
            body=opening_body,
            exclude_thread_id=thread.pk,
        )
        return [(item.id, item.score) for item in found]

    ranked = fresh_or_stale(key, rank, fresh=FRESH_SECONDS, keep=KEEP_SECONDS)
    if not ranked:
        return []
    current = {
        row["object_id"]: row
        for row in SearchEntry.objects.filter(
            kind=SearchEntry.Kind.QUESTION,
            community_id=community.pk,
            is_public=True,
            object_id__in=[thread_id for thread_id, _score in ranked],
        ).values("object_id", "external_id", "title", "url")
    }
    return [
        SimilarQuestion(
            id=thread_id,
            external_id=current[thread_id]["external_id"],
            title=current[thread_id]["title"],
            url=current[thread_id]["url"],
            score=score,
        )
        for thread_id, score in ranked
        if thread_id in current
    ]
