"""One search over every entry the searcher may read, on FTS5 or PostgreSQL full-text.

`search()` takes a parsed query and filters and returns one page of hits, the count of
matches of each kind, and highlighted snippets for the page. Both backends rank title
matches above body matches (bm25 column weights; tsvector weights A and B) and give
recent entries a gentle lift (at most RECENCY_LIFT, fading over months), so recency only
separates entries that match about equally well.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from practica.search.indexing import MARK_END, MARK_START
from practica.search.models import SearchEntry
from practica.search.query import ParsedQuery, to_fts5, to_tsquery

TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0
RECENCY_LIFT = 0.1
RECENCY_DAYS = 90.0
SNIPPET_WORDS = 28
PAGE_SIZE = 20
MAX_PAGE = 50


@dataclass
class Filters:
    kinds: list[str] = field(default_factory=list)
    community_id: int | None = None
    topic_slug: str = ""
    author_id: int | None = None
    profession: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @property
    def any(self) -> bool:
        return bool(
            self.kinds
            or self.community_id
            or self.topic_slug
            or self.author_id
            or self.profession
            or self.date_from
            or self.date_to
        )


@dataclass
class Hit:
    entry: SearchEntry
    score: float
    snippet: SafeString = mark_safe("")  # noqa: S308 - empty
    lanyard: object = None


@dataclass
class Results:
    hits: list[Hit]
    counts: dict[str, int]  # per kind, before the kind filter
    total: int  # matches of the chosen kinds
    page: int
    page_size: int

    @property
    def num_pages(self) -> int:
        return max(1, min(MAX_PAGE, -(-self.total // self.page_size)))

    @property
    def page_obj(self) -> PageLinks:
        return PageLinks(number=self.page, num_pages=self.num_pages)


@dataclass(frozen=True)
class PageLinks:
    """What components/pagination.html reads from a Django Page, without a second count."""

    number: int
    num_pages: int

    @property
    def paginator(self) -> PageLinks:
        return self

    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def readable_scope(user) -> tuple[str, list]:
    """SQL (over alias `e`) and params keeping only entries `user` may read."""
    from practica.communities.capabilities import readable_communities_q
    from practica.communities.models import Community

    audiences = [SearchEntry.Audience.EVERYONE]
    if user is not None and user.is_authenticated:
        audiences.append(SearchEntry.Audience.SIGNED_IN)
    community_ids = list(
        Community.objects.filter(readable_communities_q(user)).values_list("pk", flat=True)
    )
    clauses = [f"e.audience IN ({', '.join(['%s'] * len(audiences))})"]
    params: list = [*audiences]
    if community_ids:
        marks = ", ".join(["%s"] * len(community_ids))
        clauses.append(f"(e.audience = %s AND e.community_id IN ({marks}))")
        params += [SearchEntry.Audience.COMMUNITY, *community_ids]
    return "e.is_public AND (" + " OR ".join(clauses) + ")", params


def _filter_sql(filters: Filters, *, with_kinds: bool) -> tuple[str, list]:
    clauses: list[str] = []
    params: list = []
    if with_kinds and filters.kinds:
        clauses.append(f"e.kind IN ({', '.join(['%s'] * len(filters.kinds))})")
        params += filters.kinds
    if filters.community_id:
        clauses.append("e.community_id = %s")
        params.append(filters.community_id)
    if filters.topic_slug:
        clauses.append("e.topic_slugs LIKE %s")
        params.append(f"% {filters.topic_slug} %")
    if filters.author_id:
        clauses.append("e.author_id = %s")
        params.append(filters.author_id)
    if filters.profession:
        clauses.append("e.author_profession = %s")
        params.append(filters.profession)
    if filters.date_from:
        clauses.append("e.created_at >= %s")
        params.append(_start_of(filters.date_from))
    if filters.date_to:
        clauses.append("e.created_at < %s")
        params.append(_start_of(filters.date_to + datetime.timedelta(days=1)))
    return "".join(f" AND {c}" for c in clauses), params


def _start_of(day: datetime.date):
    moment = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    return connection.ops.adapt_datetimefield_value(moment)


def _run(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _age_days_sql() -> str:
    if connection.vendor == "postgresql":
        return "GREATEST(EXTRACT(EPOCH FROM (now() - e.created_at)) / 86400.0, 0)"
    return "MAX(julianday('now') - julianday(e.created_at), 0)"


def _source(parsed: ParsedQuery | None) -> tuple[str, str, list]:
    """(FROM … , score expression, params) for a text query, or a recency listing."""
    lift = f"(1 + {RECENCY_LIFT} / (1 + {_age_days_sql()} / {RECENCY_DAYS}))"
    if parsed is None:
        return "search_searchentry e", f"{lift} - 1", []
    if connection.vendor == "postgresql":
        return (
            "search_searchentry e, to_tsquery('english', %s) query",
            f"ts_rank_cd(e.search_vector, query, 1) * {lift}",
            [to_tsquery(parsed)],
        )
    return (
        "search_fts JOIN search_searchentry e ON e.id = search_fts.rowid",
        f"-bm25(search_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}) * {lift}",
        [to_fts5(parsed)],
    )


def _match_sql(parsed: ParsedQuery | None) -> str:
    if parsed is None:
        return "1 = 1"
    if connection.vendor == "postgresql":
        return "e.search_vector @@ query"
    return "search_fts MATCH %s"


def search(
    parsed: ParsedQuery | None,
    *,
    user,
    filters: Filters | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Results:
    """One page of the entries `user` may read that match `parsed` and `filters`.

    `parsed` None lists by recency (a topic search or filters alone). Precondition: a
    parsed query is not empty (`ParsedQuery.is_empty`). Runs three queries, plus one for
    snippets when there is text to highlight.
    """
    filters = filters or Filters()
    page = max(1, min(int(page), MAX_PAGE))
    source, score, source_params = _source(parsed)
    match = _match_sql(parsed)
    scope, scope_params = readable_scope(user)
    narrow, narrow_params = _filter_sql(filters, with_kinds=False)
    # The source's query text is a FROM parameter on PostgreSQL and a WHERE one on SQLite.
    params_from = source_params if connection.vendor == "postgresql" else []
    params_match = [] if connection.vendor == "postgresql" else source_params
    where = f"{match} AND {scope}{narrow}"
    where_params = [*params_match, *scope_params, *narrow_params]
    count_rows = _run(
        f"SELECT e.kind, count(*) FROM {source} WHERE {where} GROUP BY e.kind",  # noqa: S608
        [*params_from, *where_params],
    )
    counts = dict(count_rows)
    kinds_sql, kinds_params = _filter_sql(Filters(kinds=filters.kinds), with_kinds=True)
    total = sum(c for k, c in counts.items() if not filters.kinds or k in filters.kinds)
    rows = []
    if total:
        rows = _run(
            f"SELECT e.id, {score} AS score FROM {source} "  # noqa: S608 - placeholders only
            f"WHERE {where}{kinds_sql} ORDER BY score DESC, e.id DESC LIMIT %s OFFSET %s",
            [*params_from, *where_params, *kinds_params, page_size, (page - 1) * page_size],
        )
    entries = SearchEntry.objects.select_related("community", "author").in_bulk(
        [row[0] for row in rows]
    )
    hits = [Hit(entry=entries[pk], score=round(float(s), 4)) for pk, s in rows if pk in entries]
    if parsed is not None and hits:
        snippets = _snippets(parsed, [hit.entry.pk for hit in hits])
        for hit in hits:
            hit.snippet = snippets.get(hit.entry.pk) or highlight(_plain_start(hit.entry.body))
    else:
        for hit in hits:
            hit.snippet = highlight(_plain_start(hit.entry.body))
    return Results(hits=hits, counts=counts, total=total, page=page, page_size=page_size)


def _plain_start(body: str) -> str:
    words = body.split()
    return " ".join(words[:SNIPPET_WORDS]) + (" …" if len(words) > SNIPPET_WORDS else "")


def _snippets(parsed: ParsedQuery, ids: list[int]) -> dict[int, SafeString]:
    marks = ", ".join(["%s"] * len(ids))
    if connection.vendor == "postgresql":
        options = (
            f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, "
            'MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
        )
        rows = _run(
            "SELECT e.id, ts_headline('english', e.body, to_tsquery('english', %s), %s) "  # noqa: S608
            f"FROM search_searchentry e WHERE e.id IN ({marks})",
            [to_tsquery(parsed), options, *ids],
        )
    else:
        rows = _run(
            f"SELECT rowid, snippet(search_fts, 1, %s, %s, ' … ', {SNIPPET_WORDS}) "  # noqa: S608
            f"FROM search_fts WHERE search_fts MATCH %s AND rowid IN ({marks})",
            [MARK_START, MARK_END, to_fts5(parsed), *ids],
        )
    return {pk: highlight(text or "") for pk, text in rows}


def highlight(text: str) -> SafeString:
    """Escape everything, then turn only the backend's own match markers into <mark>.

    Indexed text never contains the markers (indexing removes them), so every <mark> here
    was opened and closed by the database's highlighter.
    """
    escaped = str(escape(text))
    opened = escaped.count(MARK_START)
    html = escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    # A fragment cut between the markers would leave a <mark> open: close it.
    html += "</mark>" * max(0, opened - escaped.count(MARK_END))
    return mark_safe(html)  # noqa: S308 - built from escaped text and our own markers


def matching_entries(parsed: ParsedQuery, *, user, kinds: list[str], limit: int = 500) -> list:
    """(kind, object_id, parent_id, author_id, title) of the best `limit` readable matches."""
    source, score, source_params = _source(parsed)
    scope, scope_params = readable_scope(user)
    kinds_sql, kinds_params = _filter_sql(Filters(kinds=kinds), with_kinds=True)
    params_from = source_params if connection.vendor == "postgresql" else []
    params_match = [] if connection.vendor == "postgresql" else source_params
    return _run(
        f"SELECT e.kind, e.object_id, e.parent_id, e.author_id, e.title, {score} AS score "  # noqa: S608
        f"FROM {source} WHERE {_match_sql(parsed)} AND {scope}{kinds_sql} "
        "ORDER BY score DESC, e.id DESC LIMIT %s",
        [*params_from, *params_match, *scope_params, *kinds_params, limit],
    )
