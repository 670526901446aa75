import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from practica.conversations.models import Thread
from practica.people.models import User
from practica.search.similar import similar_questions

pytestmark = pytest.mark.django_db

GOOD = {
    "id": "so-101",
    "title": "How often should we reposition bed-bound patients?",
    "body": "Our ward uses **two-hourly** turns; is that still the evidence?",
    "author": "ana@example.org",
    "created": "2024-03-02T09:15:00Z",
    "tags": ["Pressure injuries"],
    "replies": [
        {
            "body": "Individualise it with a risk score.",
            "author": "ben",
            "created": "2024-03-02T10:00:00Z",
            "accepted": True,
        },
        {"body": "We use a turning clock.", "author": "ana@example.org", "created": "2024-03-03"},
    ],
}


def write(tmp_path, *lines):
    path = tmp_path / "threads.jsonl"
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    )
    return str(path)


def test_import_creates_threads_replies_members_and_index(tmp_path, community, capsys):
    call_command("import-threads", community.slug, write(tmp_path, GOOD))
    thread = Thread.objects.get(external_id="so-101")
    assert thread.reply_count == 2 and thread.accepted_post.body.startswith("Individualise")
    assert thread.author.email == "ana@example.org"
    assert User.objects.filter(username="ben").exists()
    assert {t.name for t in thread.topics.all()} == {"Pressure injuries"}
    assert community.memberships.count() == 2
    assert (
        similar_questions(community=community, title="reposition patients")[0].external_id
        == "so-101"
    )
    assert "1 thread created" in capsys.readouterr().out


def test_import_again_updates_instead_of_duplicating(tmp_path, community):
    path = write(tmp_path, GOOD)
    call_command("import-threads", community.slug, path)
    changed = {
        **GOOD,
        "title": "How often should we turn bed-bound patients?",
        "replies": GOOD["replies"][:1],
    }
    call_command("import-threads", community.slug, write(tmp_path, changed))
    thread = Thread.objects.get()
    assert thread.title.startswith("How often should we turn")
    assert thread.posts.count() == 2


def test_bad_lines_are_reported_with_numbers_and_good_lines_imported(tmp_path, community, capsys):
    path = write(
        tmp_path,
        GOOD,
        "{not json",
        {**GOOD, "id": ""},
        {**GOOD, "id": "x2", "title": ""},
        {**GOOD, "id": "x3", "kind": "poll"},
        {**GOOD, "id": "x4", "created": "last tuesday"},
        {**GOOD, "id": "x5", "kind": "discussion"},
        "",
        {**GOOD, "id": "so-102", "title": "Second good question here", "replies": []},
    )
    with pytest.raises(CommandError, match="6 line"):
        call_command("import-threads", community.slug, path)
    err = capsys.readouterr().err
    assert "line 2: not valid JSON" in err
    assert "line 3: “id” is missing or empty" in err
    assert "line 4: title: Give your post a title." in err
    assert "line 5: “kind” must be" in err
    assert "line 6: “created” “last tuesday” is not an ISO 8601 date-time" in err
    assert "line 7: a discussion cannot have an accepted answer" in err
    assert set(Thread.objects.values_list("external_id", flat=True)) == {"so-101", "so-102"}


def test_unknown_community_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no community"):
        call_command("import-threads", "nowhere", write(tmp_path, GOOD))
