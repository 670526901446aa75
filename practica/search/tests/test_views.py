import pytest
from django.urls import reverse

from practica.search.topics import related_topic_searches

pytestmark = pytest.mark.django_db


def test_search_page_shows_types_with_counts_snippets_and_lanyards(client, world):
    client.force_login(world.learner)
    page = client.get("/search/", {"q": "handover"}).content.decode()
    assert "Everything" in page and "Glossary entry" in page and "Person" in page
    assert "<mark>" in page
    assert 'class="lanyard"' in page and "Nina Nurse" in page
    assert "Secret" not in page and "Staged handover" not in page


def test_type_tab_narrows_and_pages(client, world):
    page = client.get("/search/", {"q": "handover", "type": "event"}).content.decode()
    assert "Handover workshop" in page and "Bedside handover" not in page


def test_json_gives_the_same_results_as_the_page(client, world):
    client.force_login(world.learner)
    data = client.get("/search.json", {"q": "handover", "profession": "pharmacist"}).json()
    assert {r["kind"] for r in data["results"]} == {"reply", "discussion", "event"}
    assert data["total"] == 3 and data["counts"]["event"] == 1
    assert all(r["author"]["profession"] == "Pharmacist" for r in data["results"])
    page = client.get("/search/", {"q": "handover", "profession": "pharmacist"}).content.decode()
    for result in data["results"]:
        assert result["url"] in page


def test_advanced_form_fields_work_over_http(client, world):
    data = client.get(
        "/search.json", {"exact_phrase": "bedside handover", "date_from": "2000-01-01"}
    ).json()
    assert [r["title"] for r in data["results"]] == ["Bedside handover at night"]
    bad = client.get("/search.json", {"q": "x", "date_from": "yesterday"})
    assert bad.status_code == 400 and "date_from" in bad.json()["errors"]


def test_unknown_author_and_exclusion_only_queries_explain_themselves(client, world):
    assert (
        "No member is called"
        in client.get("/search.json", {"q": "a", "author": "nobody"}).json()["message"]
    )
    assert "Add a word" in client.get("/search.json", {"q": "-handover"}).json()["message"]


def test_search_page_query_count_is_constant(client, world, django_assert_max_num_queries):
    client.force_login(world.learner)
    client.get("/search/", {"q": "handover"})
    # 13: one of them fills the advanced form's topic picker.
    with django_assert_max_num_queries(13):
        client.get("/search/", {"q": "handover"})


def test_topic_searches_have_stable_urls_and_counts(client, world):
    url = reverse("search:topic", kwargs={"community_slug": "ward-care", "topic_slug": "handover"})
    assert url == "/search/topics/ward-care/handover/"
    page = client.get(url).content.decode()
    assert "Everything on Handover" in page and "Bedside handover at night" in page
    index = client.get("/search/topics/").content.decode()
    assert url in index
    [related] = related_topic_searches(world.learner, [world.topic])
    assert related.count == 2 and related.url == url
    assert client.get("/search/topics/secret/anything/").status_code == 404


def test_who_knows_about_handover_lists_members_with_reasons(client, world):
    client.force_login(world.learner)
    page = client.get("/search/experts/", {"q": "handover"}).content.decode()
    assert "Nina Nurse" in page and "Priya Pharmacist" in page
    assert "Quiet Handover Expert" not in page
    assert "1 accepted answer on handover" in page
    assert "rote or revised ‘Handover with ISBAR’" in page
    assert "declares expertise in Clinical handover" in page
    only_pharmacists = client.get("/search/experts/", {"q": "handover", "profession": "pharmacist"})
    assert "Nina Nurse" not in only_pharmacists.content.decode()


def test_who_knows_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    from practica.search.experts import who_knows

    with django_assert_max_num_queries(12):
        experts = who_knows(world.learner, q="handover")
    assert experts[0].user == world.nurse


def test_empty_search_page_shows_the_form_only(client, db):
    page = client.get("/search/").content.decode()
    assert 'role="search"' in page and "Nothing found" not in page


def test_capped_counts_say_more_than_on_the_page_and_in_json(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    from practica.conversations.tests.factories import ThreadFactory
    from practica.search import engine

    with django_capture_on_commit_callbacks(execute=True):
        ThreadFactory(community=world.public, title="Handover at shift change")
    monkeypatch.setattr(engine, "COUNT_CAP", 1)
    client.force_login(world.learner)
    data = client.get("/search.json", {"q": "handover"}).json()
    assert data["total_capped"] and data["counts_capped"] == ["question"]
    assert data["counts"]["question"] == 1
    page = client.get("/search/", {"q": "handover"}).content.decode()
    assert "More than" in page and '<span class="badge">1+</span>' in page
