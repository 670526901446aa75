"""Facet tokens written by the database agree with the ones searches build, and searches stay
bounded when very many entries match: capped counts, newest and title candidates."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from practica.communities.models import Visibility
from practica.search import engine, facets
from practica.search.facets import FacetQuery
from practica.search.models import SearchEntry
from practica.search.query import parse
from practica.tests.factories import CommunityFactory, MembershipFactory, TopicFactory, UserFactory

Kind = SearchEntry.Kind
Audience = SearchEntry.Audience


def _entry(community=None, **fields) -> SearchEntry:
    fields.setdefault("kind", Kind.QUESTION)
    fields.setdefault("object_id", SearchEntry.objects.count() + 1000)
    fields.setdefault("title", "Facet probe")
    fields.setdefault("url", "/x/")
    return SearchEntry.objects.create(community=community, **fields)


def _ids(query: FacetQuery) -> set[int]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id FROM search_searchentry WHERE facet_vector @@ to_tsquery('simple', %s)",
                [query.to_tsquery()],
            )
        else:
            cursor.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [query.to_fts5()]
            )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_every_token_a_search_builds_names_what_the_database_wrote():
    community = CommunityFactory()
    author = UserFactory(profession="allied_health")
    made = datetime.datetime(2024, 2, 29, 23, 30, tzinfo=datetime.UTC)
    entry = _entry(
        community,
        kind=Kind.GLOSSARY,
        author=author,
        author_profession="allied_health",
        topic_slugs=" falls-prevention zinc_levels ",
        created_at=made,
    )
    other = _entry(community, kind=Kind.QUESTION, topic_slugs=" fall ")
    for token in [
        facets.kind(Kind.GLOSSARY),
        facets.community(community.pk),
        facets.readable_in(community.pk),
        facets.COMMUNITY,
        facets.author(author.pk),
        facets.profession("allied_health"),
        facets.topic("falls-prevention"),
        facets.topic("zinc_levels"),
        facets.month(made.date()),
    ]:
        assert entry.pk in _ids(FacetQuery([[token]])), token
    # Distinct values never share a token, even where a stemmer would merge them.
    assert _ids(FacetQuery([[facets.topic("falls")]])) == set()
    assert _ids(FacetQuery([[facets.topic("fall")]])) == {other.pk}
    assert _ids(FacetQuery([[facets.topic("fallszqprevention")]])) == set()
    assert _ids(FacetQuery([[facets.kind(Kind.QUESTION)]])) == {other.pk}
    if connection.vendor == "postgresql":  # id windows (migration 0006)
        far = _entry(community, id=3 * facets.ID_WINDOW + 7, object_id=99)
        assert _ids(FacetQuery([[facets.id_window(3)]])) == {far.pk}
        assert entry.pk in _ids(FacetQuery([[facets.id_window(entry.pk // facets.ID_WINDOW)]]))


@pytest.mark.django_db
def test_only_public_entries_carry_a_scope_token():
    community = CommunityFactory()
    shown = _entry(community)
    hidden = _entry(community, is_public=False)
    everyone = _entry(None, kind=Kind.BULLETIN, audience=Audience.EVERYONE)
    signed_in = _entry(None, kind=Kind.PERSON, audience=Audience.SIGNED_IN)
    assert _ids(FacetQuery([[facets.readable_in(community.pk)]])) == {shown.pk}
    assert hidden.pk in _ids(FacetQuery([[facets.community(community.pk)]]))
    assert _ids(FacetQuery([[facets.EVERYONE]])) == {everyone.pk}
    assert _ids(FacetQuery([[facets.SIGNED_IN]])) == {signed_in.pk}
    # Updating a watched column rewrites the tokens (the FTS5 trigger, the generated column).
    SearchEntry.objects.filter(pk=shown.pk).update(is_public=False)
    assert _ids(FacetQuery([[facets.readable_in(community.pk)]])) == set()


@pytest.mark.django_db
@pytest.mark.parametrize("many_public", [False, True])
def test_the_scope_clause_agrees_with_the_capability_rules(many_public):
    from practica.communities.capabilities import readable_communities_q
    from practica.communities.models import Community

    reader = UserFactory()
    private = [
        CommunityFactory(visibility=Visibility.PRIVATE) for _ in range(1 if many_public else 3)
    ]
    joined = CommunityFactory(visibility=Visibility.PRIVATE)
    MembershipFactory(community=joined, user=reader)
    public = [CommunityFactory() for _ in range(4 if many_public else 1)]
    entries = {c.pk: _entry(c) for c in [*private, joined, *public]}
    any_of, none_of = facets.scope_tokens(reader)
    # With many readable communities the clause lists the few unreadable ones instead.
    assert bool(none_of) == many_public
    found = _ids(FacetQuery([any_of], none_of))
    readable = Community.objects.filter(readable_communities_q(reader))
    assert found == {entries[pk].pk for pk in readable.values_list("pk", flat=True)}
    assert not found & {entries[c.pk].pk for c in private}


def _flood(community, count: int, *, word: str = "handover", start=None) -> list[SearchEntry]:
    """`count` reply entries mentioning `word` in the body, oldest first, a month apart."""
    start = start or timezone.now()
    return SearchEntry.objects.bulk_create(
        [
            SearchEntry(
                kind=Kind.REPLY,
                object_id=50_000 + n,
                community=community,
                title="",
                body=f"Notes on the {word} today",
                url=f"/r/{n}/",
                created_at=start - datetime.timedelta(days=31 * (count - n)),
            )
            for n in range(count)
        ]
    )


@pytest.mark.django_db
def test_counts_stop_at_the_cap_and_say_so(monkeypatch):
    monkeypatch.setattr(engine, "COUNT_CAP", 5)
    community = CommunityFactory()
    reader = MembershipFactory(community=community).user
    _flood(community, 8)
    _entry(community, kind=Kind.ARTICLE, title="Handover article", object_id=1)
    results = engine.search(parse("handover"), user=reader)
    assert results.counts == {Kind.REPLY: 5, Kind.ARTICLE: 1}
    assert results.capped == {Kind.REPLY}
    assert results.total == 6 and results.total_capped
    only_articles = engine.search(
        parse("handover"), user=reader, filters=engine.Filters(kinds=[Kind.ARTICLE])
    )
    assert only_articles.total == 1 and not only_articles.total_capped


@pytest.mark.django_db
def test_when_many_match_the_newest_and_the_title_matches_are_ranked(monkeypatch):
    monkeypatch.setattr(engine, "CANDIDATES", 4)
    monkeypatch.setattr(engine, "COUNT_CAP", 4)
    community = CommunityFactory()
    reader = MembershipFactory(community=community).user
    old_title = _entry(
        community,
        kind=Kind.QUESTION,
        title="Handover checklist",
        created_at=timezone.now() - datetime.timedelta(days=2000),
    )
    flood = _flood(community, 10)
    results = engine.search(parse("handover"), user=reader)
    found = [hit.entry.pk for hit in results.hits]
    # An old title match outranks recent body matches, and recent body matches follow
    # (the newest by id on both databases).
    assert found[0] == old_title.pk
    assert flood[-1].pk == found[1]
    assert set(found[1:]) <= {entry.pk for entry in flood[-7:]}
    assert len(found) == results.ranked == 5


@pytest.mark.django_db
def test_a_listing_without_words_is_bounded_too(monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(engine, "CANDIDATES", 3)
    monkeypatch.setattr(engine, "COUNT_CAP", 3)
    community = CommunityFactory()
    topic = TopicFactory(community=community, slug="night-shift")
    reader = MembershipFactory(community=community).user
    flood = _flood(community, 6)
    SearchEntry.objects.filter(pk__in=[e.pk for e in flood]).update(topic_slugs=" night-shift ")
    filters = engine.Filters(community_id=community.pk, topic_slug=topic.slug)
    with django_assert_max_num_queries(engine.MAX_QUERIES):
        results = engine.search(None, user=reader, filters=filters)
    assert [hit.entry.pk for hit in results.hits] == [e.pk for e in reversed(flood[-3:])]
    assert results.total_capped


@pytest.mark.django_db
@pytest.mark.parametrize("dense", [False, True])
def test_the_newest_matches_are_found_window_by_window(monkeypatch, dense):
    """Matches spread over id windows (PostgreSQL reads them newest window first, one
    statement) rank and count as on SQLite, whether the first window is read row by row
    (a dense word) or through the index."""
    monkeypatch.setattr(engine, "CANDIDATES", 3)
    monkeypatch.setattr(engine, "COUNT_CAP", 3)
    # The probe counts the newest DENSE_PROBE ids: make four matches dense, or not.
    monkeypatch.setattr(engine, "DENSE_PROBE", 50 * facets.ID_WINDOW)
    monkeypatch.setattr(engine, "DENSE_EVERY", 50 * facets.ID_WINDOW if dense else 1)
    community = CommunityFactory()
    reader = MembershipFactory(community=community).user
    window = facets.ID_WINDOW
    # Two in the rest (older than every window), one in the fourth window, one in the newest.
    ids = [5, window + 3, 20 * window + 1, 40 * window + 2]
    for n, pk in enumerate(ids):
        _entry(community, id=pk, kind=Kind.REPLY, object_id=70_000 + n, title="",
               body="Shift handover notes", created_at=timezone.now())  # fmt: skip
    _entry(community, id=30 * window, kind=Kind.REPLY, object_id=71_000, title="",
           body="Nothing to see", created_at=timezone.now())  # fmt: skip
    results = engine.search(parse("handover"), user=reader)
    assert results.counts == {Kind.REPLY: 3} and results.capped == {Kind.REPLY}
    assert sorted(hit.entry.pk for hit in results.hits) == sorted(ids[1:])
    dense_pass = engine.search(parse("hand*"), user=reader)
    assert sorted(hit.entry.pk for hit in dense_pass.hits) == sorted(ids[1:])
