import pytest

from practica.conversations.models import ThreadKind
from practica.conversations.tests.factories import ThreadFactory
from practica.search.indexing import index_thread
from practica.search.models import SearchEntry
from practica.search.similar import similar_questions
from practica.search.text import query_terms

pytestmark = pytest.mark.django_db


def question(community, title, body="", **kwargs):
    thread = ThreadFactory(community=community, title=title, body=body, **kwargs)
    index_thread(thread)
    return thread


def titles(community, title, body="", **kwargs):
    return [
        r.title for r in similar_questions(community=community, title=title, body=body, **kwargs)
    ]


def test_title_matches_rank_above_body_matches(community):
    question(community, "Handover checklist for night shift", "We need something quick.")
    question(
        community, "Something about discharge letters", "A handover checklist is mentioned here."
    )
    question(community, "Pressure injury prevention mattress", "Air mattresses.")
    assert titles(community, "handover checklist") == [
        "Handover checklist for night shift",
        "Something about discharge letters",
    ]


def test_stemming_matches_word_forms(community):
    question(community, "Escalating a deteriorating patient at night")
    assert titles(community, "escalation for deteriorate patients") == [
        "Escalating a deteriorating patient at night"
    ]


def test_only_public_questions_of_the_community_are_returned(community):
    from django.utils import timezone

    question(community, "Falls prevention bundle on admission")
    question(community, "Falls prevention staged draft", status="staged")
    question(community, "Falls prevention hidden post", hidden_at=timezone.now())
    question(community, "Falls prevention deleted post", deleted_at=timezone.now())
    question(community, "Falls prevention journal club", kind=ThreadKind.DISCUSSION)
    question(None or ThreadFactory().community, "Falls prevention elsewhere")
    assert titles(community, "falls prevention") == ["Falls prevention bundle on admission"]


def test_query_syntax_never_raises(community):
    question(community, "Insulin sliding scale on the ward")
    for nasty in [
        '"',
        "NEAR(",
        "insulin AND OR NOT",
        "*",
        "title:insulin",
        "'); DROP TABLE x; --",
        "(",
        "^insulin",
        "ü ñ 漢字",
    ]:
        similar_questions(community=community, title=nasty, body=nasty)
    assert titles(community, 'insulin" OR "x') == ["Insulin sliding scale on the ward"]


def test_stop_words_alone_find_nothing(community):
    question(community, "What should we do about it")
    assert titles(community, "what should we do about it") == []
    assert query_terms("What is the best way to do handover?") == ["handover"]


def test_exclude_and_limit(community):
    first = question(community, "Sepsis screening tool one")
    for n in range(7):
        question(community, f"Sepsis screening tool variant {n}")
    assert len(titles(community, "sepsis screening", limit=5)) == 5
    assert "Sepsis screening tool one" not in titles(
        community, "sepsis screening tool one", exclude_thread_id=first.pk, limit=20
    )


def test_reindex_follows_edits_and_visibility(community):
    from django.utils import timezone

    thread = question(community, "Catheter care bundle audit")
    thread.title = "Urinary catheter removal prompts"
    thread.save()
    index_thread(thread)
    assert titles(community, "catheter audit") == ["Urinary catheter removal prompts"]
    thread.hidden_at = timezone.now()
    thread.save()
    index_thread(thread)
    assert titles(community, "catheter") == []
    assert SearchEntry.objects.count() == 1
