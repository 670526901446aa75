"""import-discourse reads a saved Discourse site (tests/discourse_site) into communities."""

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from practica.communities.models import Community, Membership, Topic
from practica.communities.stages import Stage
from practica.conversations.models import HelpfulMark, Post, Thread

pytestmark = pytest.mark.django_db
SITE = Path(__file__).parent / "discourse_site"


def run(*args) -> str:
    out = io.StringIO()
    call_command("import-discourse", str(SITE), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_top_level_categories_become_communities_with_their_threads():
    output = run()
    assert "3 threads with 8 posts" in output
    ward = Community.objects.get(slug="ward-care-forum")
    assert ward.name == "Ward care" and "Interprofessional" in ward.charter_html
    assert Community.objects.get(slug="medicines").threads.count() == 1
    # The sub-category is a topic of its parent's community, beside the topic's tags.
    question = Thread.objects.get(external_id="discourse-101")
    assert question.community == ward
    assert set(question.topics.values_list("slug", flat=True)) == {
        "night-shift",
        "handover",
        "escalation",
    }


def test_posts_keep_raw_markdown_dates_replies_likes_and_the_solved_answer():
    run()
    question = Thread.objects.get(external_id="discourse-101")
    posts = list(question.posts.order_by("created_at"))
    assert [p.author.email for p in posts] == [
        "tom.fletcher@forum-health.example", "alex@imported.invalid",
        "sam.okafor@forum-health.example", "tom.fletcher@forum-health.example",
    ]  # fmt: skip
    assert "<strong>ISBAR</strong>" in posts[0].body_html
    assert posts[0].created_at.isoformat() == "2025-03-02T03:14:00+00:00"
    assert question.kind == "question" and question.accepted_post == posts[2]
    assert posts[2].reply_to == posts[0] and posts[3].reply_to == posts[2]
    assert posts[2].helpful_count == 1 and posts[2].helpful_marks.get().user.username == "tom"
    discussion = Thread.objects.get(external_id="discourse-102")
    assert discussion.kind == "discussion" and discussion.is_pinned
    assert sorted(HelpfulMark.objects.filter(post__thread=discussion).values_list("user__email", flat=True)) == [
        "mira.patel@forum-health.example", "tom.fletcher@forum-health.example",
    ]  # fmt: skip
    assert discussion.helpful_count == 2
    assert Thread.objects.get(external_id="discourse-103").is_locked


def test_names_and_trust_levels_carry_over_as_stages_recorded_with_a_reason():
    run()
    ward = Community.objects.get(slug="ward-care-forum")
    mira = Membership.objects.get(community=ward, user__email="mira.patel@forum-health.example")
    assert mira.stage == Stage.STEWARD and mira.user.display_name == "Mira Patel"
    assert "Imported from Discourse" in mira.stage_changes.get().reason
    sam = Membership.objects.get(community=ward, user__email="sam.okafor@forum-health.example")
    assert sam.stage == Stage.FULL
    alex = Membership.objects.get(community=ward, user__username="alex")
    assert alex.stage == Stage.PERIPHERAL and alex.user.display_name == "Alex Kim"


def test_into_one_community_categories_become_topics_and_importing_again_duplicates_nothing(
    community,
):
    run("--community", community.slug)
    run("--community", community.slug)
    assert Thread.objects.filter(community=community).count() == 3
    assert Post.objects.filter(thread__community=community).count() == 8
    assert HelpfulMark.objects.filter(post__thread__community=community).count() == 3
    assert {"ward-care", "medicines", "night-shift"} <= set(
        Topic.objects.filter(community=community).values_list("slug", flat=True)
    ) | {"ward-care"}
    assert Topic.objects.filter(community=community, name="Medicines").exists()


def test_a_topic_saved_without_raw_markdown_is_refused_naming_the_file(tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(SITE, copy)
    page = json.loads((copy / "t" / "103.json").read_text())
    del page["post_stream"]["posts"][1]["raw"]
    (copy / "t" / "103.json").write_text(json.dumps(page))
    with pytest.raises(CommandError, match=r"t/103.json: post 2 of topic 103 has no “raw”"):
        call_command("import-discourse", str(copy), stdout=io.StringIO(), stderr=io.StringIO())


def test_broken_json_is_refused_with_its_file_and_line(tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(SITE, copy)
    (copy / "t" / "102.json").write_text('{\n  "id": 102,\n  "title": oops\n}')
    with pytest.raises(CommandError, match=r"t/102.json line 3: not valid JSON"):
        call_command("import-discourse", str(copy), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Thread.objects.exists()
