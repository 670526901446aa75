"""Similar questions: what the ask form suggests and what a question page lists as related.

A typed question becomes a weighted query (`build_query`): its informative terms — the
subject line weighted above the message, earlier words of the message above later ones,
negated words ("no fever") left out, at most MAX_QUERY_TERMS chosen by weight × IDF — plus
lay ↔ clinical synonyms from `vocabulary`. `lexical` ranks the community's public questions
by BM25F over the posting lists of `similar_index` in one portable SQL statement, so SQLite
and PostgreSQL give the same order. `semantic` and `fused` (when the embedding model is
on, `embedding.enabled()`) re-rank the lexical candidates by sentence-embedding similarity,
or fuse both rankings by reciprocal rank.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection

from practica.search import analysis, embedding, vocabulary
from practica.search.models import SearchEntry, SimilarDocument

MAX_LIMIT = 50
RANKINGS = ("lexical", "semantic", "fused")
K1 = 1.2
TITLE_QUERY_WEIGHT = 1.0
BODY_QUERY_WEIGHT = 0.45
# An occurrence's weight fades with its position in the message: story comes later.
POSITION_DECAY = 40.0
REPEAT_BONUS = 0.15
EXPANSION_WEIGHT = 0.6
MAX_QUERY_TERMS = 14
MAX_CANDIDATE_TERMS = 48
# Postings one lookup reads at most: the least informative terms go first past it.
POSTINGS_BUDGET = 40_000
# Lexical candidates the semantic ranking re-ranks and the fusion fuses.
CANDIDATES = 100
RRF_K = 60
# A community with at most this many questions is compared with the typed question whole,
# so the semantic ranking can find what shares no word with it; larger ones re-rank the
# lexical candidates.
SEMANTIC_SCAN = 3000


@dataclass(frozen=True)
class SimilarQuestion:
    id: int
    external_id: str
    title: str
    url: str
    score: float

    def as_dict(self) -> dict:
        return asdict(self)


def ranking_available(ranking: str) -> bool:
    return ranking == "lexical" or (ranking in RANKINGS and embedding.enabled())


def default_ranking() -> str:
    chosen = getattr(settings, "SIMILAR_RANKING", "fused")
    return chosen if ranking_available(chosen) else "lexical"


# --- the query -------------------------------------------------------------------------------


def _occurrence_weights(title: str, body: str) -> dict[str, float]:
    weights: dict[str, float] = {}

    def add(term: str, weight: float) -> None:
        if term in weights:
            weights[term] = max(weights[term], weight) + REPEAT_BONUS * min(weights[term], weight)
        else:
            weights[term] = weight

    for word in analysis.query_words(title):
        if not word.negated:
            add(word.term, TITLE_QUERY_WEIGHT)
    for word in analysis.query_words(body):
        if not word.negated:
            add(word.term, BODY_QUERY_WEIGHT / (1 + word.position / POSITION_DECAY))
    return weights


def _expand(community_id: int, title: str, body: str, weights: dict[str, float]) -> dict:
    """Synonyms of the phrases found in the text, each at EXPANSION_WEIGHT of its source."""
    groups = vocabulary.expansions(community_id)
    if not groups:
        return {}
    longest = max(len(phrase) for phrase in groups)
    added: dict[str, float] = {}
    for text in (title, body):
        words = [w.term for w in analysis.query_words(text) if not w.negated]
        for size in range(1, longest + 1):
            for start in range(len(words) - size + 1):
                phrase = tuple(words[start : start + size])
                targets = groups.get(phrase)
                if not targets:
                    continue
                source = min(weights.get(t, 0.0) for t in phrase)
                for target in targets:
                    for term in target:
                        value = EXPANSION_WEIGHT * source / len(target) ** 0.5
                        if value > max(weights.get(term, 0.0), added.get(term, 0.0)):
                            added[term] = value
    return added


def _run(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def build_query(community_id: int, title: str, body: str = "") -> dict[str, float]:
    """term → query weight × IDF for the informative terms of a typed question."""
    weights = _occurrence_weights(title, body)
    for term, value in _expand(community_id, title, body, weights).items():
        weights[term] = max(weights.get(term, 0.0), value)
    if not weights:
        return {}
    candidates = sorted(weights, key=lambda t: (-weights[t], t))[:MAX_CANDIDATE_TERMS]
    marks = ", ".join(["%s"] * len(candidates))
    rows = _run(
        "SELECT term, count(*) FROM search_similarterm "  # noqa: S608 - placeholders only
        f"WHERE community_id = %s AND term IN ({marks}) GROUP BY term",
        [community_id, *candidates],
    )
    frequencies = dict(rows)
    if not frequencies:
        return {}
    total = SimilarDocument.objects.filter(community_id=community_id).count()
    informative = {}
    for term, df in frequencies.items():
        idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
        informative[term] = weights[term] * idf
    chosen = sorted(informative, key=lambda t: (-informative[t], t))[:MAX_QUERY_TERMS]
    read = 0
    kept = []
    for term in chosen:  # most informative first; the budget drops the common tail
        if kept and len(kept) >= 2 and read + frequencies[term] > POSTINGS_BUDGET:
            continue
        read += frequencies[term]
        kept.append(term)
    return {term: informative[term] for term in kept}


# --- ranking ---------------------------------------------------------------------------------


def lexical_rank(community_id: int, query: dict[str, float], limit: int, exclude=()) -> list:
    """(thread id, score) best first: Σ query weight · IDF · tf~ / (K1 + tf~), ties by id."""
    if not query or limit <= 0:
        return []
    terms = sorted(query)
    cases = " ".join(["WHEN %s THEN %s"] * len(terms))
    marks = ", ".join(["%s"] * len(terms))
    exclude = [int(pk) for pk in exclude]
    excluded = f" AND thread_id NOT IN ({', '.join(['%s'] * len(exclude))})" if exclude else ""
    rows = _run(
        f"SELECT thread_id, SUM((CASE term {cases} END) * weight / (%s + weight)) AS score "  # noqa: S608
        f"FROM search_similarterm WHERE community_id = %s AND term IN ({marks}){excluded} "
        "GROUP BY thread_id ORDER BY score DESC, thread_id DESC LIMIT %s",
        [
            *(value for term in terms for value in (term, query[term])),
            K1,
            community_id,
            *terms,
            *exclude,
            limit + 10,
        ],
    )
    # Scores summed in a different order may differ in the last bits between databases.
    ranked = sorted(((pk, round(float(s), 6)) for pk, s in rows), key=lambda r: (-r[1], -r[0]))
    return ranked[:limit]


def _semantic(community_id: int, title: str, body: str, candidates: list[int], exclude) -> list:
    """(thread id, cosine similarity) of the community's questions (or, in a large one, of
    the lexical `candidates`) with an embedding, best first, none of `exclude`."""
    vectors = embedding.community_vectors(community_id, SEMANTIC_SCAN)
    if vectors is None:
        vectors = embedding.vectors_of(candidates)
    for pk in exclude:
        vectors.pop(pk, None)
    if not vectors:
        return []
    query = embedding.embed_query(embedding.query_text(title, body))
    scored = [(pk, round(float(vector @ query), 6)) for pk, vector in vectors.items()]
    return sorted(scored, key=lambda r: (-r[1], -r[0]))


def _fuse(*rankings: list) -> list:
    scores: dict[int, float] = {}
    for ranking in rankings:
        for position, (pk, _score) in enumerate(ranking, 1):
            scores[pk] = scores.get(pk, 0.0) + 1 / (RRF_K + position)
    return sorted(((pk, round(s, 6)) for pk, s in scores.items()), key=lambda r: (-r[1], -r[0]))


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

    `ranking` is one of RANKINGS (default: the SIMILAR_RANKING setting); one that needs the
    embedding model falls back to lexical while the model is off. Precondition: the caller
    has checked that the requester may read `community`; only public questions are ever
    returned.
    """
    limit = max(0, min(int(limit), MAX_LIMIT))
    if limit == 0:
        return []
    ranking = ranking if ranking and ranking_available(ranking) else default_ranking()
    query = build_query(community.pk, title, body)
    exclude = [exclude_thread_id] if exclude_thread_id else []
    wanted = max(limit, CANDIDATES) if ranking != "lexical" else limit
    ranked = lexical_rank(community.pk, query, wanted, exclude)
    if ranking != "lexical":
        semantic = _semantic(community.pk, title, body, [pk for pk, _ in ranked], exclude)
        ranked = semantic if ranking == "semantic" else _fuse(ranked, semantic)
    ranked = ranked[:limit]
    if not ranked:
        return []
    entries = {
        e.object_id: e
        for e in SearchEntry.objects.filter(
            kind=SearchEntry.Kind.QUESTION,
            object_id__in=[pk for pk, _ in ranked],
            community_id=community.pk,
            is_public=True,
        ).only("object_id", "external_id", "title", "url")
    }
    return [
        SimilarQuestion(
            id=pk,
            external_id=entries[pk].external_id,
            title=entries[pk].title,
            url=entries[pk].url,
            score=score,
        )
        for pk, score in ranked
        if pk in entries
    ]
