"""Full-text ranking over SearchEntry, with the database's own relevance model.

SQLite: FTS5 `bm25()` weighting title ten times body. PostgreSQL: `ts_rank_cd` over a
tsvector whose title lexemes carry weight A and body lexemes weight B. Both stem English
(porter / the `english` configuration) and the query has stop words removed and every
term quoted, so nothing a member types can be read as query syntax.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from practica.search.text import query_terms

TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0


@dataclass(frozen=True)
class Hit:
    entry_id: int
    score: float


def _sqlite_match(terms: list[str]) -> str:
    return " OR ".join(f'"{term}"' for term in terms)


def _postgres_query(terms: list[str]) -> str:
    return " or ".join(f'"{term}"' for term in terms)


def rank(
    *, terms: list[str], community_id: int, kinds: list[str], limit: int, exclude_ids=()
) -> list[Hit]:
    """The best public entries of `kinds` in the community for `terms`, best first."""
    if not terms or limit <= 0:
        return []
    kind_marks = ", ".join(["%s"] * len(kinds))
    exclude = list(exclude_ids)
    if connection.vendor == "postgresql":
        sql = f"""
            SELECT e.id, ts_rank_cd(e.search_vector, q, 1) AS score
            FROM search_searchentry e, websearch_to_tsquery('english', %s) q
            WHERE e.search_vector @@ q AND e.community_id = %s AND e.is_public
              AND e.kind IN ({kind_marks})
              {"AND NOT (e.object_id = ANY(%s))" if exclude else ""}
            ORDER BY score DESC, e.id DESC
            LIMIT %s
        """  # noqa: S608 - only placeholders are interpolated
        params = [_postgres_query(terms), community_id, *kinds]
    else:
        exclude_marks = ", ".join(["%s"] * len(exclude))
        sql = f"""
            SELECT e.id, bm25(search_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}) AS rank
            FROM search_fts JOIN search_searchentry e ON e.id = search_fts.rowid
            WHERE search_fts MATCH %s AND e.community_id = %s AND e.is_public
              AND e.kind IN ({kind_marks})
              {f"AND e.object_id NOT IN ({exclude_marks})" if exclude else ""}
            ORDER BY rank, e.id DESC
            LIMIT %s
        """  # noqa: S608 - only placeholders and constants are interpolated
        params = [_sqlite_match(terms), community_id, *kinds]
    if exclude:
        params += [exclude] if connection.vendor == "postgresql" else exclude
    params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return [Hit(entry_id=row[0], score=round(float(row[1]), 4)) for row in rows]
    # bm25() is lower-is-better and negative; report a positive score, higher is better.
    return [Hit(entry_id=row[0], score=round(-float(row[1]), 4)) for row in rows]


__all__ = ["Hit", "rank", "query_terms"]
