"""Whatever a member types, search answers with results or a message, never an error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practica.search import engine
from practica.search.query import parse, to_fts5, to_tsquery
from practica.search.services import run_search

pytestmark = pytest.mark.django_db

NASTY = [
    "",
    " ",
    "x" * 10_000,
    "handover " * 1500,
    '"',
    '"unbalanced quote',
    'handover"',
    '""""',
    "NEAR(handover night, 3)",
    "handover NEAR night",
    "*",
    "**",
    "hand*",
    "*over",
    "^handover",
    "title:handover",
    "body:x title:y",
    "handover AND OR NOT",
    "NOT",
    "AND",
    "-",
    "--",
    "- -",
    "-handover",
    "(handover",
    "handover)",
    "{title body}: handover",
    "'); DROP TABLE search_searchentry; --",
    "1' OR '1'='1",
    "%_\\",
    "a:*",
    "handover <-> night",
    "!handover & | :*",
    "ü ñ 漢字 handover",
    "🤝 handover 🩺",
    "\x00\x01\ue000\ue001",
    "Ÿ̸̛̈́ͅ",
    "ﷺ ｈａｎｄｏｖｅｒ",
]
# Letters, digits, punctuation, symbols, emoji and the operators both backends know.
QUERY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=["Cs"]),
        st.sampled_from(list("\"*^:-()<>!&|'%_ ")),
    ),
    max_size=200,
) | st.lists(
    st.sampled_from(
        [
            "NEAR",
            "AND",
            "OR",
            "NOT",
            '"',
            "*",
            "-",
            "title:",
            "handover",
            "(",
            ")",
            "^",
            ":*",
            "<->",
            "!",
            "&",
            "|",
            "🩺",
            "nurse",
            "'",
        ]
    ),  # fmt: skip
    max_size=12,
).map(" ".join)


@pytest.mark.parametrize("q", NASTY)
def test_nasty_queries_never_raise(world, q):
    outcome = run_search(world.learner, {"q": q, "exact_phrase": q, "none_words": q})
    assert outcome.results is not None or outcome.message or not q.strip()


@pytest.mark.parametrize("q", NASTY)
def test_nasty_queries_never_500_on_the_page_or_json(client, world, q):
    assert client.get("/search/", {"q": q}).status_code == 200
    assert client.get("/search.json", {"q": q, "any_words": q}).status_code == 200
    client.force_login(world.learner)
    assert client.get("/search/experts/", {"q": q}).status_code == 200


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=QUERY_TEXT)
def test_generated_queries_never_raise(world, q):
    parsed = parse(q, any_words=q[:50], none_words=q[-30:])
    if not parsed.is_empty:
        to_fts5(parsed), to_tsquery(parsed)
        engine.search(parsed, user=world.learner, page=3)
    run_search(world.learner, {"q": q})


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=QUERY_TEXT, page=st.text(max_size=5))
def test_generated_queries_never_500_over_http(client, world, q, page):
    assert client.get("/search/", {"q": q, "page": page}).status_code == 200
    assert client.get("/search.json", {"q": q, "exact_phrase": q}).status_code == 200
