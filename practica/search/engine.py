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
  When more match, the candidates are the most recent matches (the highest ids: SQLite
  reads its index backwards; PostgreSQL asks window by window of ids) plus the most
  recent title matches, so a strong title match is not lost to a flood of recent replies.

Both backends rank title matches above body matches (bm25 column weights; tsvector
weights A and B) and give recent entries a gentle lift (at most RECENCY_LIFT, fading over
months), so recency only separates entries that match about equally well.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
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
# A date filter without an end names the months up to this far ahead (events lie ahead).
FUTURE_MONTHS = 24
# The most queries one search runs, however many entries match: the scope (two), the
# counts and candidates (at most seven on PostgreSQL: the newest id, the dense probe, the
# newest matches, the kinds present, the counts, the chosen kinds' newest, the titles), the
# page, the snippets.
MAX_QUERIES = 12
# A date filter also narrows by month token when it spans no more than this. On PostgreSQL
# a wide union of month postings costs the GIN index more than the date test on the rows.
MAX_MONTH_TOKENS = 120
PG_MAX_MONTH_TOKENS = 3


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


def _lift_sql(alias: str = "e") -> str:
    if _postgres():
        age = f"GREATEST(EXTRACT(EPOCH FROM (now() - {alias}.created_at)) / 86400.0, 0)"
    else:
        age = f"MAX(julianday('now') - julianday({alias}.created_at), 0)"
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
        return self.facets.of_kinds(kinds)


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
        if months and len(months) <= (PG_MAX_MONTH_TOKENS if _postgres() else MAX_MONTH_TOKENS):
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
#
# A GIN index cannot stop early: it answers with a bitmap of every match, built before any
# row is read (for a common word, or a typed beginning such as pra:*, hundreds of thousands
# of postings), and a plan that then sorts by id must fetch every matching row too. So no
# question here has "gather everything" as its only answer:
#
# - the newest matches, and the reply counts, are asked window by window of ids, newest
#   first, in one statement that stops at its LIMIT (`_pg_windows`); the `i<n>` facet
#   tokens let the index narrow to each window;
# - a bounded probe (`_pg_dense`) tells when the words are so common that the first window
#   is better read row by row than through the index;
# - every kind but replies, and the title pass, name the kind column, so the planner reads
#   the smaller GIN index of migration 0006 (replies are most entries and have no title).

UNTITLED = SearchEntry.Kind.REPLY  # its entries' title is empty: the thread's is context
# Matches are looked for among the newest two id windows (facets.ID_WINDOW ids each), then
# the four, eight and sixteen before them (each step at most doubles what was read), then
# the rest.
WINDOW_SPANS = (2, 4, 8, 16)
# Words matching at least one in DENSE_EVERY of the newest DENSE_PROBE entries are dense.
DENSE_PROBE = 4096
DENSE_EVERY = 10


def _pg_where(plan: _Plan, query: FacetQuery, *, title_only: bool = False) -> tuple[str, list]:
    clauses, params = [], []
    if plan.text:
        clauses.append("e.search_vector @@ to_tsquery('english', %s)")
        params.append(plan.text)
    if title_only and plan.positive:
        clauses += ["e.title_vector @@ to_tsquery('english', %s)", "e.kind <> %s"]
        params += [plan.positive, UNTITLED]
    tokens = query.to_tsquery()
    if tokens:
        clauses.append("e.facet_vector @@ to_tsquery('simple', %s)")
        params.append(tokens)
    if query.kinds:
        clauses.append(f"e.kind IN ({', '.join(['%s'] * len(query.kinds))})")
        params += query.kinds
    return " AND ".join(clauses or ["TRUE"]) + plan.date_sql, [*params, *plan.date_params]


def _pg_top() -> int:
    return _run("SELECT max(id) FROM search_searchentry", [])[0][0] or 0


def _pg_windows(
    plan: _Plan,
    query: FacetQuery,
    head: str,
    head_params: list,
    top: int,
    limit: int,
    *,
    dense: bool,
    order=True,
) -> tuple[str, list]:
    """`head` (SELECT … FROM search_searchentry e) for the matches of `plan` and `query`,
    window by window of ids, newest first, in one statement.

    PostgreSQL runs the windows in turn and stops as soon as it has `limit` rows. The
    index narrows each window itself (the `i<n>` facet tokens), so a word the planner
    misjudges costs at most what its matches in one window cost — never a fetch or a sort
    of every match. When the words are `dense` (`_pg_dense`), the first window is read row
    by row, newest first, without the index: it stops after a few thousand rows, where the
    index would first gather every posting of the words (all of pra*'s, say).
    """
    order_by = " ORDER BY e.id DESC" if order else ""
    parts, values = [], []
    first = top // facets.ID_WINDOW
    for span in WINDOW_SPANS:
        last = max(0, first - span + 1)
        if dense and not parts:
            where, params = _pg_where(plan, query)
            # Not a form any index answers: read by id, newest first, from the window's start.
            where, params = f"({where}) IS TRUE AND e.id >= %s", [*params, last * facets.ID_WINDOW]
        else:  # the index narrows to the window by its tokens
            window = query.where(*map(facets.id_window, range(last, first + 1)))
            where, params = _pg_where(plan, window)
        parts.append(f"({head} WHERE {where}{order_by} LIMIT %s)")
        values += [*head_params, *params, limit]
        first = last - 1
        if first < 0:
            break
    else:
        where, params = _pg_where(plan, query)
        parts.append(f"({head} WHERE {where} AND e.id < %s{order_by} LIMIT %s)")
        values += [*head_params, *params, (first + 1) * facets.ID_WINDOW, limit]
    windows = " UNION ALL ".join(parts)
    return f"SELECT * FROM ({windows}) w LIMIT %s", [*values, limit]  # noqa: S608 - placeholders only


def _pg_dense(plan: _Plan, top: int) -> bool:
    """Whether the words match at least one in DENSE_EVERY of the newest DENSE_PROBE entries,
    read row by row (a bounded probe, whatever the planner would guess)."""
    where, params = _pg_where(plan, plan.facets)
    found = _run(
        f"SELECT count(*) FROM search_searchentry e WHERE ({where}) IS TRUE AND e.id > %s",  # noqa: S608
        [*params, top - DENSE_PROBE],
    )[0][0]
    return found * DENSE_EVERY >= DENSE_PROBE


def _pg_newest(
    plan: _Plan, query: FacetQuery, limit: int, top: int, *, dense: bool, title_only=False
):
    """(id, kind, score) of the newest `limit` matches (by id, as SQLite's rowid); titles
    come from the smaller index and need no windows. Only the rows kept are scored."""
    if plan.text:
        score = f"ts_rank_cd(n.search_vector, to_tsquery('english', %s), 1) * {_lift_sql('n')}"
        score_params = [plan.text]
    else:
        score, score_params = f"{_lift_sql('n')} - 1", []
    head = "SELECT e.id, e.kind, e.search_vector, e.created_at FROM search_searchentry e"
    if title_only:
        where, params = _pg_where(plan, query, title_only=True)
        newest = f"{head} WHERE {where} ORDER BY e.id DESC LIMIT %s"
        params = [*params, limit]
    else:
        newest, params = _pg_windows(plan, query, head, [], top, limit, dense=dense)
    return _run(
        f"SELECT n.id, n.kind, {score} FROM ({newest}) n",  # noqa: S608 - placeholders only
        [*score_params, *params],
    )


def _pg_kinds() -> list[str]:
    """The kinds that have any entry, by skipping through the (kind, object_id) index."""
    rows = _run(
        "WITH RECURSIVE k(kind) AS ("
        "(SELECT kind FROM search_searchentry ORDER BY kind LIMIT 1) UNION ALL "
        "SELECT (SELECT s.kind FROM search_searchentry s WHERE s.kind > k.kind "
        "ORDER BY s.kind LIMIT 1) FROM k WHERE k.kind IS NOT NULL"
        ") SELECT kind FROM k WHERE kind IS NOT NULL",
        [],
    )
    return [row[0] for row in rows]


def _pg_counts_and_ranked(plan: _Plan, kinds: list[str], *, count=True) -> tuple[dict, list]:
    """Matches per kind (each at most COUNT_CAP + 1) and (id, score) of the candidates.

    The newest CANDIDATES + 1 matches come first: when that is all of them, they give the
    exact counts and every match is ranked, in one query. Otherwise each kind is counted
    on its own (unless `count` is false) and the candidates are the newest matches plus
    the newest title matches.
    """
    top = _pg_top()
    dense = bool(plan.text) and _pg_dense(plan, top)
    newest = _pg_newest(plan, plan.facets, CANDIDATES + 1, top, dense=dense)
    if len(newest) <= CANDIDATES:  # every match: exact counts, and all of them ranked
        counted = dict(Counter(kind for _pk, kind, _score in newest))
        return counted, [(pk, score) for pk, kind, score in newest if not kinds or kind in kinds]
    counted: dict[str, int] = {}
    if count:
        queries = {kind: plan.with_kinds([kind]) for kind in _pg_kinds()}
        counted = count_each(queries, plan, top=top, dense=dense)
    query = plan.with_kinds(kinds)
    if kinds:  # the probe was of every kind: say nothing of these
        newest = _pg_newest(plan, query, CANDIDATES, top, dense=False)
    found = {pk: score for pk, _kind, score in newest[:CANDIDATES]}
    if plan.text and len(found) >= CANDIDATES:
        titles = _pg_newest(plan, query, CANDIDATES, top, dense=False, title_only=True)
        for pk, _kind, score in titles:
            found.setdefault(pk, score)
    return counted, list(found.items())


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


def count_each(
    queries: dict, plan: _Plan | None = None, *, top: int | None = None, dense: bool = False
) -> dict:
    """For each key, how many entries match `plan`'s words and the key's facet query, at
    most COUNT_CAP + 1 each, in one statement. `top`: the highest id, when known, so that
    PostgreSQL counts replies window by window (`dense` as for `_pg_windows`)."""
    plan = plan or _Plan(None, None, FacetQuery())
    selects, params = [], []
    for key, query in queries.items():
        if _postgres() and top is not None and UNTITLED in query.kinds:
            # Replies, the bulk of the index, are counted newest window first: a common
            # word stops within the first window, a rare one costs its short posting list.
            counted, counted_params = _pg_windows(
                plan, query, "SELECT 1 FROM search_searchentry e", [], top, COUNT_CAP + 1,
                dense=dense, order=False,
            )  # fmt: skip
        else:
            source, source_params = _matching(plan, query)
            counted = f"SELECT 1 FROM {source} LIMIT %s"  # noqa: S608 - placeholders only
            counted_params = [*source_params, COUNT_CAP + 1]
        # Only placeholders and our own SQL are interpolated.
        selects.append(f"SELECT %s, (SELECT count(*) FROM ({counted}) s)")  # noqa: S608
        params += [key, *counted_params]
    return dict(_run(" UNION ALL ".join(selects), params)) if selects else {}


def _fts5_counts(plan: _Plan) -> dict[str, int]:
    """Matches per kind, each capped at COUNT_CAP + 1.

    One pass reads at most COUNT_CAP + 1 matches and groups them by kind; only when more
    match is each kind counted on its own.
    """
    source, params = _matching(plan, plan.facets)
    found = _run(
        f"SELECT e.kind, count(*) FROM (SELECT search_fts.rowid AS id FROM {source} "  # noqa: S608
        "LIMIT %s) f JOIN search_searchentry e ON e.id = f.id GROUP BY e.kind",
        [*params, COUNT_CAP + 1],
    )
    if sum(n for _kind, n in found) <= COUNT_CAP:
        return dict(found)  # every match was read once: the counts are exact
    return count_each({kind: plan.with_kinds([kind]) for kind in SearchEntry.Kind.values}, plan)


def _counts_and_ranked(plan: _Plan, kinds: list[str], *, count=True) -> tuple[dict, list]:
    """Matches per kind (each at most COUNT_CAP + 1; empty when `count` is false) and
    (id, score) of the chosen kinds' candidates, best first."""
    counted: dict[str, int] = {}
    if _postgres():
        counted, rows = _pg_counts_and_ranked(plan, kinds, count=count)
    elif count:
        counted = _fts5_counts(plan)
        any_chosen = any(n and (not kinds or k in kinds) for k, n in counted.items())
        rows = _fts5_ranked(plan, plan.with_kinds(kinds)) if any_chosen else []
    else:
        rows = _fts5_ranked(plan, plan.with_kinds(kinds))
    ranked = sorted(((pk, float(score)) for pk, score in rows), key=lambda r: (-r[1], -r[0]))
    return counted, ranked


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
    counted, ranked = _counts_and_ranked(plan, filters.kinds)
    counts = {kind: min(n, COUNT_CAP) for kind, n in counted.items() if n}
    capped = frozenset(kind for kind, n in counted.items() if n > COUNT_CAP)
    chosen = [k for k in counts if not filters.kinds or k in filters.kinds]
    total = sum(counts[k] for k in chosen)
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
    ranked = _counts_and_ranked(plan, kinds, count=False)[1][:limit]
    fields = SearchEntry.objects.only(
        "kind", "object_id", "parent_id", "author_id", "title"
    ).in_bulk([pk for pk, _score in ranked])
    return [
        (e.kind, e.object_id, e.parent_id, e.author_id, e.title, score)
        for pk, score in ranked
        if (e := fields.get(pk)) is not None
    ]
