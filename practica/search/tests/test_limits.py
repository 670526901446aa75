"""Search limits, plain snippets, the advanced form's pickers and who may see experts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.urls import reverse

from practica.markdown import markdown_to_text
from practica.search.models import SearchEntry
from practica.search.query import MAX_QUERY_CHARS, cut_on_word, parse

pytestmark = pytest.mark.django_db


def test_every_search_box_carries_the_servers_limit(client, world):
    page = client.get("/search/", {"q": "handover", "all_words": "night"}).content.decode()
    for box in ["id_q", "id_all_words", "id_exact_phrase", "id_any_words", "id_none_words"]:
        tag = page.split(f'id="{box}"', 1)[1].split(">", 1)[0]
        assert f'maxlength="{MAX_QUERY_CHARS}"' in page.split(f'id="{box}"', 1)[0][-200:] + tag
    header = page.split('id="site-search"', 1)[1].split(">", 1)[0]
    assert f'maxlength="{MAX_QUERY_CHARS}"' in header


def test_a_long_query_is_cut_on_a_word_boundary_and_still_finds(client, world):
    # 499 characters of filler then "handover": a blunt cut at 500 leaves "h".
    filler = "x " * 249 + " "
    q = filler + "handover " + "night " * 2000
    assert cut_on_word(q) == filler.rstrip()
    assert "h" not in [w for t in parse(q).required for w in t.words]
    response = client.get("/search/", {"q": "bedside " + "handover " * 2000})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"longer than {MAX_QUERY_CHARS} characters" in page
    assert "Bedside handover at night" in page


def test_a_cut_never_ends_in_part_of_a_word():
    text = "a" * 495 + " handovers and more"
    cut = cut_on_word(text)
    assert len(cut) <= MAX_QUERY_CHARS and cut.endswith("a") and "hand" not in cut
    assert cut_on_word("short query") == "short query"


def test_snippets_show_plain_words_not_markdown(client, world, django_capture_on_commit_callbacks):
    from practica.conversations.tests.factories import ThreadFactory

    with django_capture_on_commit_callbacks(execute=True):
        ThreadFactory(
            community=world.public,
            title="Discharge outcomes",
            body="**Outcomes** after discharge: see [the policy](/c/ward-care/library/x/) "
            "and `ISBAR` for the _handover_ steps.",
        )
    entry = SearchEntry.objects.get(kind="question", title="Discharge outcomes")
    assert "**" not in entry.body and "](/" not in entry.body and "`" not in entry.body
    page = client.get("/search/", {"q": "discharge outcomes"}).content.decode()
    snippet = page.split('class="snippet"', 1)[1].split("</p>", 1)[0]
    assert "**" not in snippet and "](" not in snippet
    assert "the policy" in snippet


def test_markdown_to_text_keeps_the_words_of_every_block():
    text = markdown_to_text("# Title\n\n- one\n- **two**\n\n| A | B |\n|---|---|\n| x | y |")
    assert text.splitlines() == ["Title", "one", "two", "A B", "x y"]


def test_topic_is_a_picker_of_readable_topics_and_author_suggests_names(client, world):
    page = client.get("/search/", {"q": "handover"}).content.decode()
    topic = page.split('name="topic"', 1)[1].split("</select>", 1)[0]
    assert '<optgroup label="Ward care">' in topic and 'value="handover"' in topic
    assert "Secret" not in topic
    assert 'list="author-suggestions"' in page and '<datalist id="author-suggestions"' in page
    options = client.get(reverse("search:author-suggestions"), {"author": "nin"}).content.decode()
    assert '<option value="nina">Nina Nurse · ' in options
    assert (
        "quiet"
        not in client.get(reverse("search:author-suggestions"), {"author": "qui"}).content.decode()
    )


def test_the_author_field_takes_a_name_and_keeps_working_without_js(client, world):
    by_name = client.get("/search.json", {"q": "handover", "author": "Nina Nurse"}).json()
    assert by_name["results"] and {r["author"]["username"] for r in by_name["results"]} == {"nina"}
    page = client.get("/search/", {"q": "handover", "author": "Nina Nurse"}).content.decode()
    assert '<option value="nina">' in page.split('<datalist id="author-suggestions"', 1)[1]


def test_visitors_do_not_see_the_ranked_experts_and_members_do(client, world):
    response = client.get("/search/experts/", {"q": "handover"})
    assert response.status_code == 403
    assert "Nina Nurse" not in response.content.decode()
    assert "Log in as a member of a community" in response.content.decode()
    assert "/search/experts/" not in client.get("/search/", {"q": "handover"}).content.decode()
    client.force_login(world.learner)
    page = client.get("/search/experts/", {"q": "handover"}).content.decode()
    assert "Nina Nurse" in page and "Quiet Handover Expert" not in page
    assert "/search/experts/" in client.get("/search/", {"q": "handover"}).content.decode()


def test_a_signed_in_person_with_no_community_is_refused_too(client, world):
    from practica.tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/search/experts/", {"q": "handover"}).status_code == 403


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_practica_serve_answers_a_huge_query_with_our_page_not_gunicorns(tmp_path):
    """The real gunicorn command line `practica serve` runs, with a 10,000-character query."""
    from practica.management.commands.serve import gunicorn_command

    port = _free_port()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    command = gunicorn_command(gunicorn, host="127.0.0.1", port=port, workers=1)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "practica.settings_test"}
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=log)  # noqa: S603
    try:
        deadline = time.monotonic() + 180  # a loaded machine boots a worker slowly
        while "Booting worker" not in (tmp_path / "gunicorn.log").read_text():
            assert time.monotonic() < deadline and server.poll() is None
            time.sleep(0.2)
        long_url = f"http://127.0.0.1:{port}/search/?q={'a' * 10_000}"
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(long_url, timeout=180)  # noqa: S310
        assert answer.value.code == 414
        body = answer.value.read().decode()
        assert "That address is too long" in body and "practica.css" in body
        assert f'maxlength="{MAX_QUERY_CHARS}"' in body
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
