"""Full-text ranking over SearchEntry, with the database's own relevance model.

SQLite: FTS5 `bm25()` weighting title ten times body. PostgreSQL: `ts_rank_cd` over a
tsvector whose title lexemes carry weight A and body lexemes weight B. Both stem English
(porter / the `english` configuration) and the query has stop words removed and every
term quoted, so nothing a member types can be read as query syntax.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection

from practica.cachekeys import hashed_key
from practica.search.text import query_terms

TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0


@dataclass(frozen=True)
class Hit:
    entry_id: int
    score: float


def _sqlite_match(terms: list[str]) -> str:
    # Confined to title and body: the index's third column holds facet tokens.
    return "{title body} : (" + " OR ".join(f'"{term}"' for term in terms) + ")"


def _postgres_query(terms: list[str]) -> str:
    return " or ".join(f'"{term}"' for term in terms)


# Terms found in more than this share of entries carry almost no BM25 weight (their IDF
# is near zero) but cost the most to score, so the query leaves them out.
COMMON_SHARE = 0.12
MAX_QUERY_TERMS = 8
DF_CACHE_SECONDS = 600
# The ranked candidates taken from the full-text index before the community filter.
CANDIDATES = 200


def _document_frequency(term: str) -> int:
    key = hashed_key(f"search:df:{connection.vendor}", term)
    cached = cache.get(key)
    if cached is not None:
        return cached
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM search_searchentry "
                "WHERE search_vector @@ websearch_to_tsquery('english', %s)",
                [f'"{term}"'],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH %s",
                [_sqlite_match([term])],
            )
        count = cursor.fetchone()[0]
    cache.set(key, count, DF_CACHE_SECONDS)
    return count


def _entry_count() -> int:
    count = cache.get("search:entries")
    if count is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_searchentry")
            count = cursor.fetchone()[0]
        cache.set("search:entries", count, DF_CACHE_SECONDS)
    return count


def selective_terms(terms: list[str]) -> list[str]:
    """The terms worth scoring: common ones left out, at most MAX_QUERY_TERMS.

    `terms` come title first, so title words are kept first. A term's frequency may be
    up to DF_CACHE_SECONDS old; that only decides whether it is too common to score, never
    whether a new word can be found. When every term is common, the two rarest remain.
    """
    ceiling = max(50, int(_entry_count() * COMMON_SHARE))
    frequencies = [(term, _document_frequency(term)) for term in terms[: MAX_QUERY_TERMS * 3]]
    chosen = [term for term, df in frequencies if df <= ceiling][:MAX_QUERY_TERMS]
    if not chosen:
        chosen = [term for term, _df in sorted(frequencies, key=lambda item: item[1])[:2]]
    return chosen


def _run(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def rank(
    *, terms: list[str], community_id: int, kinds: list[str], limit: int, exclude_ids=()
) -> list[Hit]:
    """The best public entries of `kinds` in the community for `terms`, best first."""
    if not terms or limit <= 0:
        return []
    terms = selective_terms(terms)
    kind_marks = ", ".join(["%s"] * len(kinds))
    exclude = [int(pk) for pk in exclude_ids]
    exclude_marks = ", ".join(["%s"] * len(exclude))
    scope = f"e.community_id = %s AND e.is_public AND e.kind IN ({kind_marks})" + (
        f" AND e.object_id NOT IN ({exclude_marks})" if exclude else ""
    )
    scope_params = [community_id, *kinds, *exclude]
    if connection.vendor == "postgresql":
        # Entries matching every term first (few rows to rank), then, if that leaves room,
        # entries matching any term; ts_rank_cd orders each step.
        sql = f"""
            SELECT e.id, ts_rank_cd(e.search_vector, q, 1) AS score
            FROM search_searchentry e, websearch_to_tsquery('english', %s) q
            WHERE e.search_vector @@ q AND {scope}
            ORDER BY score DESC, e.id DESC
            LIMIT %s
        """  # noqa: S608 - only placeholders are interpolated
        rows = _run(sql, [" ".join(f'"{t}"' for t in terms), *scope_params, limit])
        if len(rows) < limit and len(terms) > 1:
            seen = {row[0] for row in rows}
            wider = _run(sql, [_postgres_query(terms), *scope_params, limit + len(rows)])
            rows += [row for row in wider if row[0] not in seen][: limit - len(rows)]
        return [Hit(entry_id=row[0], score=round(float(row[1]), 4)) for row in rows]
    match = _sqlite_match(terms)
    weights = f"{TITLE_WEIGHT}, {BODY_WEIGHT}"
    # Rank in the full-text index alone first (cheap), then keep this community's public
    # entries; if other communities crowd the candidates out, rank within the scope.
    candidates = f"""
        SELECT e.id, f.rank FROM (
            SELECT rowid, bm25(search_fts, {weights}, 0.0) AS rank FROM search_fts
            WHERE search_fts MATCH %s ORDER BY rank LIMIT {CANDIDATES}
        ) f JOIN search_searchentry e ON e.id = f.rowid
        WHERE {scope}
        ORDER BY f.rank, e.id DESC
        LIMIT %s
    """  # noqa: S608 - only placeholders and constants are interpolated
    rows = _run(candidates, [match, *scope_params, limit])
    if len(rows) < limit:
        scoped = f"""
            SELECT e.id, bm25(search_fts, {weights}, 0.0) AS rank
            FROM search_fts JOIN search_searchentry e ON e.id = search_fts.rowid
            WHERE search_fts MATCH %s AND {scope}
            ORDER BY rank, e.id DESC
            LIMIT %s
        """  # noqa: S608 - only placeholders and constants are interpolated
        rows = _run(scoped, [match, *scope_params, limit])
    # bm25() is lower-is-better and negative; report a positive score, higher is better.
    return [Hit(entry_id=row[0], score=round(-float(row[1]), 4)) for row in rows]


__all__ = ["Hit", "rank", "query_terms"]
