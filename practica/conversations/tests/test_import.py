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


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_an_import_is_searchable_when_the_command_returns_with_no_worker(
    tmp_path, community, client, django_capture_on_commit_callbacks
):
    """No task runs here (the database backend, no worker): the command indexed it all."""
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from practica.search.models import SearchEntry
    from practica.tests.factories import MembershipFactory

    wards = [f"ward{chr(97 + n // 26)}{chr(97 + n % 26)}" for n in range(30)]
    lines = [
        {**GOOD, "id": f"so-{n}", "title": f"Repositioning question from {ward}"}
        for n, ward in enumerate(wards)
    ]
    with override_settings(TASKS=DATABASE_TASKS):
        with django_capture_on_commit_callbacks(execute=True):  # the command's own commits
            call_command("import-threads", community.slug, write(tmp_path, *lines))
        reader = MembershipFactory(community=community).user
        client.force_login(reader)
        response = client.get(
            f"/c/{community.slug}/questions/similar.json",
            {"title": f"Repositioning on {wards[7]}", "body": "how often?"},
        )
        results = response.json()["results"]
        assert results[0]["external_id"] == "so-7"
        found = client.get("/search.json", {"q": "turning clock"}).json()
        assert found["results"], found
        # Indexing was done in the command, and evaluations coalesced into one drain.
        paths = list(DBTaskResult.objects.values_list("task_path", flat=True))
        assert [p for p in paths if "index" in p] == []
        assert paths.count("practica.communities.tasks.evaluate_pending") == 1
    assert SearchEntry.objects.filter(kind="reply").count() == 60


def test_reimport_rewrites_changed_replies_keeps_history_and_drops_removed_ones(
    tmp_path, community
):
    from practica.conversations.models import PostRevision
    from practica.search.models import SearchEntry

    call_command("import-threads", community.slug, write(tmp_path, GOOD))
    changed = {
        **GOOD,
        "replies": [{**GOOD["replies"][0], "body": "Use a risk score, and review it daily."}],
    }
    call_command("import-threads", community.slug, write(tmp_path, changed))
    thread = Thread.objects.get()
    reply = thread.posts.get(is_opening=False)
    assert "review it daily" in reply.body_html
    assert thread.accepted_post == reply and thread.reply_count == 1
    assert PostRevision.objects.filter(post=reply).count() == 2
    replies = SearchEntry.objects.filter(kind="reply", parent_id=thread.pk)
    assert [r.body for r in replies] == ["Use a risk score, and review it daily."]


def test_a_repeated_id_in_one_file_updates_the_first_line(tmp_path, community):
    second = {**GOOD, "title": "How often do you reposition bed-bound patients?"}
    call_command("import-threads", community.slug, write(tmp_path, GOOD, second))
    assert list(Thread.objects.values_list("title", flat=True)) == [second["title"]]


def test_a_bad_author_fails_its_own_line_only(tmp_path, community, capsys):
    lines = [
        {**GOOD, "id": "a1"},
        {**GOOD, "id": "a2", "author": "not an email@"},
        {**GOOD, "id": "a3"},
    ]
    with pytest.raises(CommandError, match="1 line"):
        call_command("import-threads", community.slug, write(tmp_path, *lines), batch=10)
    assert "line 2: author:" in capsys.readouterr().err
    assert set(Thread.objects.values_list("external_id", flat=True)) == {"a1", "a3"}


def test_mentions_of_members_are_linked_in_imported_posts(tmp_path, community):
    from practica.tests.factories import MembershipFactory

    MembershipFactory(community=community, user__username="carla")
    line = {**GOOD, "replies": [{"body": "Ask @carla, she audits this.", "author": "ben"}]}
    call_command("import-threads", community.slug, write(tmp_path, line))
    reply = Thread.objects.get().posts.get(is_opening=False)
    assert 'href="/people/carla/"' in reply.body_html


def test_batches_rendered_by_worker_processes_read_as_rendered_here(tmp_path, community):
    from practica.markdown import render_markdown
    from practica.tests.factories import MembershipFactory

    MembershipFactory(community=community, user__username="carla")
    lines = [
        {
            **GOOD,
            "id": f"w{n}",
            "body": f"Turn **every {n + 2} hours**, and:\n\n- check heels\n- ask @carla",
            "replies": [{"body": f"Reply *{n}* with a [guide](https://example.org/{n})."}]
            if n % 2
            else [],
        }
        for n in range(7)
    ]
    for line in lines:
        for reply in line["replies"]:
            reply["author"] = "ben"
    call_command("import-threads", community.slug, write(tmp_path, *lines), batch=2, workers=2)
    assert Thread.objects.count() == 7
    for thread in Thread.objects.prefetch_related("posts"):
        for post in thread.posts.all():
            if "@carla" in post.body:
                assert 'href="/people/carla/"' in post.body_html
            else:
                assert post.body_html == render_markdown(post.body)


def test_imported_posts_wear_their_authors_lanyard_at_import(tmp_path, community):
    from practica.communities.stages import Stage
    from practica.conversations.models import PostRevision
    from practica.tests.factories import MembershipFactory

    MembershipFactory(
        community=community, user__username="ben", user__profession="pharmacist", stage=Stage.FULL
    )
    call_command("import-threads", community.slug, write(tmp_path, GOOD))
    reply = Thread.objects.get().posts.get(author__username="ben")
    assert (reply.written_stage, reply.written_profession) == (Stage.FULL, "pharmacist")
    revision = PostRevision.objects.get(post=reply)
    assert revision.written_stage == Stage.FULL
    opening = Thread.objects.get().posts.get(is_opening=True)
    assert opening.written_stage == Stage.PERIPHERAL  # a new member starts there


def test_an_address_written_with_other_capitals_is_the_member_who_has_it(
    tmp_path, community, django_assert_max_num_queries
):
    from practica.conversations.services.imports import Directory

    nina = User.objects.create_user(username="nina", email="Nina.Nurse@Example.org")
    directory = Directory(community)
    # One lookup by exact address, one by address whatever its capitals, however many.
    with django_assert_max_num_queries(8):
        directory.resolve({"nina.nurse@example.org", "NINA.NURSE@EXAMPLE.ORG", "new@example.org"})
    assert directory.users["nina.nurse@example.org"] == nina
    assert directory.users["NINA.NURSE@EXAMPLE.ORG"] == nina
    assert User.objects.filter(email__iexact="nina.nurse@example.org").count() == 1


def test_imported_replies_are_found_by_their_words_not_their_markup(tmp_path, community):
    from practica.search.models import SearchEntry

    record = dict(
        GOOD,
        replies=[{"body": "Use the **SSKIN** bundle, see [the policy](/p/).", "author": "ben"}],
    )
    call_command("import-threads", community.slug, write(tmp_path, record))
    reply = SearchEntry.objects.get(kind="reply")
    assert reply.body == "Use the SSKIN bundle, see the policy."


def test_imported_entries_are_what_a_reindex_writes(tmp_path, community):
    from practica.search.models import SearchEntry

    other = dict(GOOD, id="so-102", title="Which mattress for heels?", tags=["Heels", "Beds"])
    call_command("import-threads", community.slug, write(tmp_path, GOOD, other))
    before = {(e.kind, e.object_id): e for e in SearchEntry.objects.filter(community=community)}
    assert len(before) == 6  # two threads, four replies
    call_command("reindex", stdout=None, stderr=None)
    after = {(e.kind, e.object_id): e for e in SearchEntry.objects.filter(community=community)}
    assert after.keys() == before.keys()
    # Nothing was rewritten: every entry already read as a rebuilt one does.
    assert all(after[key].updated_at == before[key].updated_at for key in before)
