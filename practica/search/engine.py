"""One search over every entry the searcher may read, on FTS5 or PostgreSQL full-text.

`search()` takes a parsed query and filters and returns one page of hits, the count of
matches of each kind, and highlighted snippets for the page.

Everything a search filters on — kind, the searcher's permission scope, community,
topic, author, profession, month — is a facet token inside the full-text index
(`facets.py`), so the database answers "which entries match" from the index alone and
reads an entry's row only to rank it or show it. That keeps a search's cost bounded by
what it shows, not by how many entries match:

- **Counts** per kind stop at COUNT_CAP ("1,000+"): the results can only be paged that
  far (MAX_PAGE pages of PAGE_SIZE).
- **Ranking** scores at most CANDIDATES entries. When fewer match, every match is ranked.
  When more match, the candidates are the most recent matches (SQLite: the highest rowids,
  read backwards from the index; PostgreSQL: month by month, newest first) plus the most
  recent title matches, so a strong title match is not lost to a flood of recent replies.

Both backends rank title matches above body matches (bm25 column weights; tsvector
weights A and B) and give recent entries a gentle lift (at most RECENCY_LIFT, fading over
months), so recency only separates entries that match about equally well.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from practica.search import facets
from practica.search.facets import FacetQuery
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
COUNT_CAP = MAX_PAGE * PAGE_SIZE
CANDIDATES = COUNT_CAP
# PostgreSQL gathers candidates newest first: events may lie this far ahead, then windows
# of this many months going back; whatever is older comes last, in table order.
FUTURE_MONTHS = 24
WINDOW_MONTHS = (1, 2, 4, 8, 16, 32)
# The most queries one search runs, however many entries match: the scope (two), the
# counts, up to eight candidate passes (PostgreSQL's month windows), the page, snippets.
MAX_QUERIES = 14
# A date filter also narrows by month token when it spans no more than this.
MAX_MONTH_TOKENS = 120


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
    counts: dict[str, int]  # per kind, before the kind filter, at most COUNT_CAP
    total: int  # matches of the chosen kinds (the sum of their counts)
    page: int
    page_size: int
    capped: frozenset[str] = frozenset()  # kinds with more than COUNT_CAP matches
    ranked: int | None = None  # how many matches were ranked (at most 2 × CANDIDATES)
    total_capped: bool = False  # some chosen kind has more than its count says

    @property
    def num_pages(self) -> int:
        reachable = self.total if self.ranked is None else min(self.total, self.ranked)
        return max(1, min(MAX_PAGE, -(-reachable // self.page_size)))

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


def _start_of(day: datetime.date):
    moment = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    return connection.ops.adapt_datetimefield_value(moment)


def _run(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _lift_sql() -> str:
    if _postgres():
        age = "GREATEST(EXTRACT(EPOCH FROM (now() - e.created_at)) / 86400.0, 0)"
    else:
        age = "MAX(julianday('now') - julianday(e.created_at), 0)"
    return f"(1 + {RECENCY_LIFT} / (1 + {age} / {RECENCY_DAYS}))"


def _months(first: datetime.date, last: datetime.date) -> list[str]:
    """Month tokens from `last`'s month back to `first`'s, newest first."""
    year, month = last.year, last.month
    tokens = []
    while (year, month) >= (first.year, first.month):
        tokens.append(facets.month(datetime.date(year, month, 1)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return tokens


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass
class _Plan:
    """One search, ready for the backend in use: text, facet filters and date bounds."""

    text: str | None  # FTS5 expression over title and body, or to_tsquery text; None lists
    positive: str | None  # the same without exclusions, for the title pass
    facets: FacetQuery  # scope and filters, kinds excepted
    has_prefix: bool = False  # some word is typed as a beginning (hand*)
    has_exclusions: bool = False
    date_sql: str = ""
    date_params: list = field(default_factory=list)

    def with_kinds(self, kinds) -> FacetQuery:
        return self.facets.where(*(facets.kind(k) for k in kinds)) if kinds else self.facets


def _plan(parsed: ParsedQuery | None, user, filters: Filters) -> _Plan:
    any_of, none_of = facets.scope_tokens(user)
    query = FacetQuery([any_of], none_of)
    if filters.community_id:
        query = query.where(facets.community(filters.community_id))
    if filters.topic_slug:
        query = query.where(facets.topic(filters.topic_slug))
    if filters.author_id:
        query = query.where(facets.author(filters.author_id))
    if filters.profession:
        query = query.where(facets.profession(filters.profession))
    date_sql, date_params = "", []
    if filters.date_from:
        date_sql += " AND e.created_at >= %s"
        date_params.append(_start_of(filters.date_from))
        last = filters.date_to or _add_months(timezone.now().date(), FUTURE_MONTHS)
        months = _months(filters.date_from, last)
        if months and len(months) <= MAX_MONTH_TOKENS:
            query = query.where(*months)
    if filters.date_to:
        date_sql += " AND e.created_at < %s"
        date_params.append(_start_of(filters.date_to + datetime.timedelta(days=1)))
    text = positive = None
    has_prefix = has_exclusions = False
    if parsed is not None:
        has_prefix = any(term.prefix for term in [*parsed.required, *parsed.any_of])
        has_exclusions = bool(parsed.excluded)
        if _postgres():
            text, positive = to_tsquery(parsed), to_tsquery(_positive(parsed))
        else:
            text = "{title body} : (" + to_fts5(parsed) + ")"
            positive = "{title} : (" + to_fts5(_positive(parsed)) + ")"  # search_fts_title
    return _Plan(
        text,
        positive,
        query,
        has_prefix=has_prefix,
        has_exclusions=has_exclusions,
        date_sql=date_sql,
        date_params=date_params,
    )


def _positive(parsed: ParsedQuery) -> ParsedQuery:
    return ParsedQuery(required=list(parsed.required), any_of=list(parsed.any_of))


# --- SQLite FTS5 ------------------------------------------------------------------------------


def _fts5_from(plan: _Plan, table: str = "search_fts") -> str:
    if plan.date_sql:
        return f"{table} JOIN search_searchentry e ON e.id = {table}.rowid"
    return table


def _fts5_recent(plan: _Plan, query: FacetQuery, *, titles: bool = False) -> list[int]:
    """Ids of the most recent CANDIDATES matches, read backwards from the index.

    `titles` reads the title index instead, for matches of every word in the title.
    """
    table, text = ("search_fts_title", plan.positive) if titles else ("search_fts", plan.text)
    match = " AND ".join([*filter(None, [text]), query.to_fts5()])
    rows = _run(
        f"SELECT {table}.rowid FROM {_fts5_from(plan, table)} "  # noqa: S608 - placeholders only
        f"WHERE {table} MATCH %s{plan.date_sql} ORDER BY {table}.rowid DESC LIMIT %s",
        [match, *plan.date_params, CANDIDATES],
    )
    return [row[0] for row in rows]


def _fts5_only_matching(plan: _Plan, ids: list[int]) -> list[int]:
    """Those of `ids` that match the whole text (the title pass cannot see exclusions)."""
    if not ids:
        return []
    rows = _run(
        "SELECT rowid FROM search_fts WHERE search_fts MATCH %s AND rowid >= %s "
        "AND +rowid IN (SELECT value FROM json_each(%s))",
        [plan.text, min(ids), json.dumps(ids)],
    )
    kept = {row[0] for row in rows}
    return [pk for pk in ids if pk in kept]


def _fts5_ranked(plan: _Plan, query: FacetQuery) -> list:
    """(id, score) of the candidates.

    When every match is a candidate and no word is a typed beginning, they are scored by
    bm25 (title ten times body). bm25 first weighs how common each word is across the whole
    index, which for a very common word, phrase or beginning (pra*) means reading every entry
    it matches; so those searches are scored by where the words were found instead:
    TITLE_WEIGHT for a title match, BODY_WEIGHT otherwise. Either way the recency lift
    applies.
    """
    recent = _fts5_recent(plan, query)
    many = len(recent) >= CANDIDATES
    titles: list[int] = []
    if plan.text and (many or plan.has_prefix):
        titles = _fts5_recent(plan, query, titles=True)
        if plan.has_exclusions:
            titles = _fts5_only_matching(plan, titles)
    ids = list(dict.fromkeys([*recent, *titles]))
    if not ids:
        return []
    lift = _lift_sql()
    if plan.text and not (many or plan.has_prefix):
        return _run(
            f"SELECT search_fts.rowid, -bm25(search_fts, {TITLE_WEIGHT}, {BODY_WEIGHT}, 0.0) "  # noqa: S608
            f"* {lift} FROM search_fts "
            "CROSS JOIN search_searchentry e ON e.id = search_fts.rowid "
            # CROSS JOIN, the unary + and the lower bound make SQLite read the index once,
            # from the oldest candidate on, instead of running the MATCH once per id.
            "WHERE search_fts MATCH %s AND search_fts.rowid >= %s "
            "AND +search_fts.rowid IN (SELECT value FROM json_each(%s))",
            [plan.text, min(ids), json.dumps(ids)],
        )
    rows = _run(
        f"SELECT e.id, {lift} FROM search_searchentry e "  # noqa: S608 - placeholders only
        "WHERE e.id IN (SELECT value FROM json_each(%s))",
        [json.dumps(ids)],
    )
    if not plan.text:
        return [(pk, lifted - 1) for pk, lifted in rows]
    in_title = set(titles)
    return [(pk, (TITLE_WEIGHT if pk in in_title else BODY_WEIGHT) * lifted) for pk, lifted in rows]


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_where(plan: _Plan, query: FacetQuery, *, title_only: bool = False) -> tuple[str, list]:
    clauses, params = [], []
    if plan.text:
        clauses.append("e.search_vector @@ to_tsquery('english', %s)")
        params.append(plan.text)
    if title_only and plan.positive:
        clauses.append("e.title_vector @@ to_tsquery('english', %s)")
        params.append(plan.positive)
    clauses.append("e.facet_vector @@ to_tsquery('simple', %s)")
    params.append(query.to_tsquery())
    return " AND ".join(clauses) + plan.date_sql, [*params, *plan.date_params]


def _pg_rows(plan: _Plan, query: FacetQuery, limit: int, *, title_only=False) -> list:
    if plan.text:
        score = f"ts_rank_cd(e.search_vector, to_tsquery('english', %s), 1) * {_lift_sql()}"
        score_params = [plan.text]
    else:
        score, score_params = f"{_lift_sql()} - 1", []
    where, params = _pg_where(plan, query, title_only=title_only)
    return _run(
        f"SELECT e.id, {score} FROM search_searchentry e WHERE {where} LIMIT %s",  # noqa: S608
        [*score_params, *params, limit],
    )


def _pg_candidates(plan: _Plan, query: FacetQuery, expected: int | None) -> list:
    """(id, score) of every match when few match, else of the newest CANDIDATES by month.

    `expected` is how many match, if already counted; None runs one plain query first.
    """
    if expected is None or expected <= CANDIDATES:
        rows = _pg_rows(plan, query, CANDIDATES)
        if len(rows) < CANDIDATES:
            return rows
    found: dict[int, float] = {}
    newest = _add_months(timezone.now().date(), FUTURE_MONTHS)
    window_end = newest
    for size in (FUTURE_MONTHS + 1, *WINDOW_MONTHS):
        first = _add_months(window_end, -(size - 1))
        tokens = _months(first, window_end)
        for pk, score in _pg_rows(plan, query.where(*tokens), CANDIDATES - len(found)):
            found[pk] = score
        if len(found) >= CANDIDATES:
            break
        window_end = _add_months(first, -1)
    else:
        for pk, score in _pg_rows(plan, query, CANDIDATES + len(found)):
            if len(found) >= CANDIDATES:
                break
            found.setdefault(pk, score)
    if plan.text:
        for pk, score in _pg_rows(plan, query, CANDIDATES, title_only=True):
            found.setdefault(pk, score)
    return list(found.items())


# --- both ---------------------------------------------------------------------------------------


def _matching(plan: _Plan, query: FacetQuery) -> tuple[str, list]:
    """`FROM … WHERE …` (entries as `e`) selecting the matches of `plan`'s words and `query`."""
    if _postgres():
        where, params = _pg_where(plan, query)
        return f"search_searchentry e WHERE {where}", params
    match = " AND ".join([*filter(None, [plan.text]), query.to_fts5()])
    return f"{_fts5_from(plan)} WHERE search_fts MATCH %s{plan.date_sql}", [
        match,
        *plan.date_params,
    ]


def count_each(queries: dict, plan: _Plan | None = None) -> dict:
    """For each key, how many entries match `plan`'s words and the key's facet query, at
    most COUNT_CAP + 1 each (answered by the index alone), in one statement."""
    plan = plan or _Plan(None, None, FacetQuery())
    selects, params = [], []
    for key, query in queries.items():
        source, source_params = _matching(plan, query)
        # Only placeholders and our own SQL are interpolated.
        selects.append(f"SELECT %s, (SELECT count(*) FROM (SELECT 1 FROM {source} LIMIT %s) s)")  # noqa: S608
        params += [key, *source_params, COUNT_CAP + 1]
    return dict(_run(" UNION ALL ".join(selects), params)) if selects else {}


def _counts(plan: _Plan) -> dict[str, int]:
    """Matches per kind, each capped at COUNT_CAP + 1.

    One pass reads at most COUNT_CAP + 1 matches and groups them by kind; only when more
    match is each kind counted on its own.
    """
    source, params = _matching(plan, plan.facets)
    if _postgres():
        grouped = (
            f"SELECT kind, count(*) FROM (SELECT e.kind FROM {source} LIMIT %s) f GROUP BY kind"  # noqa: S608
        )
    else:
        grouped = (
            f"SELECT e.kind, count(*) FROM (SELECT search_fts.rowid AS id FROM {source} "  # noqa: S608
            "LIMIT %s) f JOIN search_searchentry e ON e.id = f.id GROUP BY e.kind"
        )
    found = _run(grouped, [*params, COUNT_CAP + 1])
    if sum(n for _kind, n in found) <= COUNT_CAP:
        return dict(found)  # every match was read once: the counts are exact
    return count_each({kind: plan.with_kinds([kind]) for kind in SearchEntry.Kind.values}, plan)


def _ranked(plan: _Plan, query: FacetQuery, expected: int | None = None) -> list[tuple]:
    """(id, score) of the candidates for `query`, best first."""
    rows = _pg_candidates(plan, query, expected) if _postgres() else _fts5_ranked(plan, query)
    return sorted(((pk, float(score)) for pk, score in rows), key=lambda r: (-r[1], -r[0]))


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
    parsed query is not empty (`ParsedQuery.is_empty`). Runs a bounded number of queries
    whatever the number of matches: scope, counts, candidates (a few more on PostgreSQL
    when many match), the page's entries and their snippets.
    """
    filters = filters or Filters()
    page = max(1, min(int(page), MAX_PAGE))
    plan = _plan(parsed, user, filters)
    counted = _counts(plan)
    counts = {kind: min(n, COUNT_CAP) for kind, n in counted.items() if n}
    capped = frozenset(kind for kind, n in counted.items() if n > COUNT_CAP)
    chosen = [k for k in counts if not filters.kinds or k in filters.kinds]
    total = sum(counts[k] for k in chosen)
    ranked = []
    if total:
        expected = total + (CANDIDATES if capped & set(chosen) else 0)
        ranked = _ranked(plan, plan.with_kinds(filters.kinds), expected)
    start = (page - 1) * page_size
    rows = ranked[start : start + page_size]
    entries = SearchEntry.objects.select_related("community", "author").in_bulk(
        [row[0] for row in rows]
    )
    hits = [Hit(entry=entries[pk], score=round(s, 4)) for pk, s in rows if pk in entries]
    if parsed is not None and hits:
        snippets = _snippets(parsed, [hit.entry.pk for hit in hits])
        for hit in hits:
            hit.snippet = snippets.get(hit.entry.pk) or highlight(_plain_start(hit.entry.body))
    else:
        for hit in hits:
            hit.snippet = highlight(_plain_start(hit.entry.body))
    return Results(
        hits=hits,
        counts=counts,
        total=total,
        page=page,
        page_size=page_size,
        capped=capped,
        ranked=len(ranked),
        total_capped=bool(capped & set(chosen)),
    )


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
            # As in scoring: read the matches once from the oldest id on, not once per id.
            "FROM search_fts WHERE search_fts MATCH %s AND rowid >= %s "
            f"AND +rowid IN ({marks})",
            [MARK_START, MARK_END, "{title body} : (" + to_fts5(parsed) + ")", min(ids), *ids],
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
    """(kind, object_id, parent_id, author_id, title, score) of the best `limit` readable
    matches of `kinds`, best first (ranked among the candidates, as `search` ranks)."""
    plan = _plan(parsed, user, Filters())
    ranked = _ranked(plan, plan.with_kinds(kinds))[:limit]
    fields = SearchEntry.objects.only(
        "kind", "object_id", "parent_id", "author_id", "title"
    ).in_bulk([pk for pk, _score in ranked])
    return [
        (e.kind, e.object_id, e.parent_id, e.author_id, e.title, score)
        for pk, score in ranked
        if (e := fields.get(pk)) is not None
    ]
