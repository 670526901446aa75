"""Export a community and import it again: here, elsewhere, and from bad archives."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from practica.communities.models import Community, Membership, StageChange
from practica.communities.stages import Stage
from practica.conversations.models import Post, Thread
from practica.conversations.services.marks import accept_answer, mark_helpful
from practica.conversations.services.threads import reply, start_thread
from practica.people.models import User
from practica.portability.compare import differences
from practica.portability.exporting import export_community
from practica.portability.importing import import_community
from practica.portability.reading import ArchiveError, open_archive
from practica.portability.schema import KINDS, kind_for_model, written_fields, written_m2m

pytestmark = pytest.mark.django_db


def test_every_reference_in_every_kind_points_into_the_archive():
    outside = {"people.User", "people.Organisation", "communities.Community"}
    for kind in KINDS[2:]:  # people and organisations are written by hand
        for f in [*written_fields(kind), *written_m2m(kind)]:
            if f.is_relation:
                label = f.related_model._meta.label
                assert label in outside or kind_for_model(f.related_model), (kind.name, f.name)


@pytest.fixture
def small_community(community, member_at):
    asker = member_at(Stage.PERIPHERAL)
    expert = member_at(Stage.FULL)
    question = start_thread(
        actor=asker, community=community, kind="question",
        title="How do we hand over at night?", body="We keep missing things.",
    )  # fmt: skip
    other = start_thread(
        actor=expert, community=community, kind="discussion",
        title="Night handover notes template",
        body=f"See [the question](/c/{community.slug}/conversations/{question.pk}/).",
    )  # fmt: skip
    answer = reply(
        actor=expert,
        thread=question,
        body=f"Use the template in /c/{community.slug}/conversations/{other.pk}/",
    )
    mark_helpful(actor=asker, post=answer)
    accept_answer(actor=asker, post=answer)
    return {"community": community, "asker": asker, "expert": expert, "question": question}


def archive_of(community) -> io.BytesIO:
    buffer = io.BytesIO()
    export_community(community, buffer)
    buffer.seek(0)
    return buffer


def test_the_archive_lists_every_file_with_its_count_and_checksum(small_community):
    buffer = archive_of(small_community["community"])
    with zipfile.ZipFile(buffer) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["format"] == "practica-community-archive" and manifest["version"] == 1
        for name, about in manifest["files"].items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == about["sha256"]
        assert manifest["files"]["threads.jsonl"]["rows"] == 2
        assert manifest["files"]["posts.jsonl"]["rows"] == 3
        people = [json.loads(line) for line in archive.read("people.jsonl").splitlines()]
        assert {p["email"] for p in people} >= {small_community["asker"].email}
        assert all("password" not in p for p in people)
        assert all(
            "body_html" not in json.loads(line) for line in archive.read("posts.jsonl").splitlines()
        )


def test_import_under_a_new_slug_matches_people_rewrites_links_and_keeps_stages(small_community):
    community = small_community["community"]
    people_before = User.objects.count()
    result = import_community(open_archive(archive_of(community)), slug="night-shift")
    assert result.people_created == 0 and result.people_matched == 2
    assert User.objects.count() == people_before
    copy = Community.objects.get(slug="night-shift")
    question = Thread.objects.get(community=copy, kind="question")
    assert question.pk != small_community["question"].pk
    assert question.accepted_post.body.startswith("Use the template")
    assert (
        question.accepted_post.helpful_count == 1
        and question.accepted_post.helpful_marks.count() == 1
    )
    assert question.created_at == small_community["question"].created_at
    discussion = Thread.objects.get(community=copy, kind="discussion")
    opening = discussion.posts.get(is_opening=True)
    assert f"/c/night-shift/conversations/{question.pk}/" in opening.body
    assert f'href="/c/night-shift/conversations/{question.pk}/"' in opening.body_html
    assert f"/c/night-shift/conversations/{discussion.pk}/" in question.accepted_post.body
    stages = dict(Membership.objects.filter(community=copy).values_list("user__email", "stage"))
    assert stages[small_community["expert"].email] == Stage.FULL
    assert (
        StageChange.objects.filter(membership__community=copy).count()
        == StageChange.objects.filter(membership__community=community).count()
    )
    assert copy.progression_rules.count() == community.progression_rules.count()


def test_a_dry_run_reports_and_writes_nothing(small_community):
    threads = Thread.objects.count()
    result = import_community(
        open_archive(archive_of(small_community["community"])), slug="x-copy", dry_run=True
    )
    assert result.counts["threads"] == 2 and result.dry_run
    assert (
        Thread.objects.count() == threads and not Community.objects.filter(slug="x-copy").exists()
    )


def rewritten(buffer, change) -> io.BytesIO:
    """A copy of the archive with `change(files)` applied to its {name: bytes}."""
    with zipfile.ZipFile(buffer) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    change(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    out.seek(0)
    return out


def resign(files, name):
    manifest = json.loads(files["manifest.json"])
    manifest["files"][name]["sha256"] = hashlib.sha256(files[name]).hexdigest()
    files["manifest.json"] = json.dumps(manifest).encode()


def broken_json(files):
    lines = files["posts.jsonl"].splitlines()
    lines[1] = lines[1][:-5]
    files["posts.jsonl"] = b"\n".join(lines) + b"\n"
    resign(files, "posts.jsonl")


def wrong_checksum(files):
    files["threads.jsonl"] = files["threads.jsonl"].replace(b"night", b"nite")


def newer_version(files):
    manifest = json.loads(files["manifest.json"])
    manifest["version"] = 99
    files["manifest.json"] = json.dumps(manifest).encode()


def missing_file(files):
    del files["events.jsonl"]


def dangling_reference(files):
    lines = files["posts.jsonl"].splitlines()
    row = json.loads(lines[2])
    row["thread"] = 987654
    lines[2] = json.dumps(row).encode()
    files["posts.jsonl"] = b"\n".join(lines) + b"\n"
    resign(files, "posts.jsonl")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (broken_json, "posts.jsonl line 2: not valid JSON"),
        (wrong_checksum, "threads.jsonl: its SHA-256 checksum does not match"),
        (newer_version, "format version 99, newer than this instance reads"),
        (missing_file, "events.jsonl is listed in manifest.json but missing"),
        (dangling_reference, "posts.jsonl line 3: “thread” refers to threads.jsonl id 987654"),
    ],
)
def test_a_bad_archive_is_refused_naming_the_file_and_line_and_nothing_changes(
    small_community, change, message
):
    bad = rewritten(archive_of(small_community["community"]), change)
    counts = (Community.objects.count(), User.objects.count(), Post.objects.count())
    with pytest.raises(ArchiveError, match=message):
        import_community(open_archive(bad), slug="copy")
    assert (Community.objects.count(), User.objects.count(), Post.objects.count()) == counts


def test_a_slug_already_taken_is_refused_by_the_command(small_community, tmp_path):
    path = tmp_path / "c.zip"
    path.write_bytes(archive_of(small_community["community"]).getvalue())
    with pytest.raises(CommandError, match="community.jsonl line 1: a community with the slug"):
        call_command("import-community", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Community.objects.count() == 1


def empty_the_database():
    """`flush` inside the test's transaction; PostgreSQL truncates only once the
    deferred foreign-key checks of the rows written so far have run."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_the_demo_community_round_trips_through_an_empty_database(tmp_path):
    call_command("seed-demo", stdout=io.StringIO())
    first = tmp_path / "first.zip"
    call_command(
        "export-community", "ward-care", str(first), stdout=io.StringIO(), stderr=io.StringIO()
    )
    empty_the_database()
    assert not User.objects.exists()
    out = io.StringIO()
    call_command("import-community", str(first), stdout=out, stderr=io.StringIO())
    assert "posts/s" in out.getvalue()
    second = tmp_path / "second.zip"
    call_command(
        "export-community", "ward-care", str(second), stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert differences(open_archive(first), open_archive(second)) == []
    assert open_archive(first).count("posts") > 50
    steward = User.objects.get(email="steward@example.com")
    assert Membership.objects.get(user=steward, community__slug="ward-care").stage == Stage.STEWARD


def test_bulletin_modules_and_files_come_along_and_instance_wide_slugs_are_renamed(
    small_community,
):
    from django.core.files.base import ContentFile

    from practica.bulletin import models as bulletin
    from practica.communities.models import Criterion
    from practica.learning.models import Assessment, Module
    from practica.library.models import Resource, ResourceVersion

    community = small_community["community"]
    news = bulletin.Bulletin.objects.create(community=community, name="Ward news", slug="ward-news")
    issue = bulletin.Issue.objects.create(
        bulletin=news, volume=1, number=1, year=2026, month=3, status="published",
        published_at="2026-03-01T09:00:00Z",
    )  # fmt: skip
    shared = bulletin.Topic.objects.create(name="Falls", slug="falls")
    story = bulletin.Article.objects.create(
        issue=issue, title="Falls fell by a third", slug="falls-fell",
        body="See [the module](/learning/falls-basics/).[^1]\n\n[^1]: Ward audit (2026).",
    )  # fmt: skip
    story.topics.add(shared)
    bulletin.Subscriber.objects.create(
        bulletin=news, email="reader@example.org", status="confirmed"
    )
    module = Module.objects.create(
        community=community, slug="falls-basics", title="Falls", overview="Why falls happen."
    )
    Assessment.objects.create(module=module, slug="falls-quiz", title="Falls quiz")
    rule = community.progression_rules.order_by("from_stage").first()
    Criterion.objects.create(rule=rule, kind="assessment", assessment_ref="falls-quiz")
    resource = Resource.objects.create(community=community, kind="file", title="Falls checklist")
    version = ResourceVersion.objects.create(
        resource=resource, number=1, file=ContentFile(b"1. Check the bed height.\n", name="checklist.txt"),
        original_name="checklist.txt", file_type="txt", content_type="text/plain", size=25, sha256="x",
    )  # fmt: skip
    resource.current_version = version
    resource.save()

    result = import_community(open_archive(archive_of(community)), slug="ward-copy")

    copy = Community.objects.get(slug="ward-copy")
    copied_news = bulletin.Bulletin.objects.get(community=copy)
    assert copied_news.slug == "ward-news-ward-copy"
    copied_story = bulletin.Article.objects.get(issue__bulletin=copied_news)
    assert list(copied_story.topics.all()) == [shared]  # matched by slug, not duplicated
    assert "/learning/falls-basics-ward-copy/" in copied_story.body
    assert "footnote" in copied_story.body_html or "<sup" in copied_story.body_html
    assert copied_news.subscribers.get().email == "reader@example.org"
    copied_module = Module.objects.get(community=copy)
    assert copied_module.slug == "falls-basics-ward-copy"
    assert copied_module.assessment.slug == "falls-quiz-ward-copy"
    assert Criterion.objects.get(rule__community=copy, kind="assessment").assessment_ref == (
        "falls-quiz-ward-copy"
    )
    copied_resource = Resource.objects.get(community=copy)
    assert copied_resource.current_version.file.read() == b"1. Check the bed height.\n"
    assert any("falls-basics" in line for line in result.renamed)


def test_an_archives_module_snapshot_cannot_carry_script_or_a_javascript_link(community, client):
    """A module version's snapshot is HTML shown as it is (|safe): an edited archive must not
    bring a script into the module's page."""
    from practica.learning.models import Module, ModuleVersion
    from practica.learning.tests.factories import make_module

    make_module(community=community, title="Night handover")

    def poison(files):
        rows = [json.loads(line) for line in files["module_versions.jsonl"].splitlines()]
        for row in rows:
            row["snapshot"]["overview_html"] = '<p>Hi</p><script>alert("overview")</script>'
            row["snapshot"]["sections"][0]["html"] = '<img src="x" onerror="alert(1)">Read'
            row["snapshot"]["glossary"] = [
                {"term": "ISBAR", "definition_html": "<p>ok</p>", "url": "javascript:alert(2)"}
            ]
        files["module_versions.jsonl"] = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
        resign(files, "module_versions.jsonl")

    import_community(open_archive(rewritten(archive_of(community), poison)), slug="copy")
    module = Module.objects.get(community__slug="copy")
    snapshot = ModuleVersion.objects.get(module=module).snapshot
    assert "<script" not in snapshot["overview_html"] and "<p>Hi</p>" in snapshot["overview_html"]
    assert "onerror" not in snapshot["sections"][0]["html"]
    assert snapshot["glossary"][0]["url"] == ""
    page = client.get(f"/learning/{module.slug}/").content.decode()
    assert "alert(" not in page
