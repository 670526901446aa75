"""Redaction removes a passage or a whole text from every stored copy, for good."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models
from django.db.models.functions import Cast

from practica.communities.stages import Stage
from practica.conversations import services as conversations
from practica.conversations.models import FlagReason, Post, PostRevision, StagingComment
from practica.conversations.services.moderation import flag_post
from practica.conversations.services.staging import comment_on_staged
from practica.library.models import Revision
from practica.library.services import articles
from practica.library.tests.factories import make_article
from practica.notifications.models import Notification
from practica.notifications.services import notify, queue_email
from practica.privacy import redaction
from practica.privacy.models import Redaction
from practica.search.indexing import index_objects
from practica.search.models import SearchEntry

pytestmark = pytest.mark.django_db

NAME = "Jane Smith"


def places_holding(text: str) -> list[str]:
    """Every text column of every model that holds `text` (model.field: count)."""
    found = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.CharField | models.TextField | models.JSONField):
                continue
            rows = (
                model._default_manager.annotate(_t=Cast(f.name, models.TextField()))
                .filter(_t__icontains=text)
                .count()
            )
            if rows:
                found.append(f"{model._meta.label}.{f.name}: {rows}")
    return found


def index_matches(word: str) -> int:
    """Rows the full-text index itself still finds `word` in (its own tables, not SearchEntry)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, search_fts, 'row')"
            )
            cursor.execute("SELECT count(*) FROM temp.fts_terms WHERE term = %s", [word])
        else:
            cursor.execute(
                "SELECT count(*) FROM search_searchentry WHERE search_vector @@ to_tsquery('english', %s)",
                [word],
            )
        return cursor.fetchone()[0]


@pytest.fixture
def thread_world(community, member_at, django_capture_on_commit_callbacks):
    steward = member_at(Stage.STEWARD)
    author = member_at(Stage.PARTICIPANT)
    other = member_at(Stage.PARTICIPANT)
    with django_capture_on_commit_callbacks(execute=True):
        thread = conversations.start_thread(
            actor=author, community=community, kind="question",
            title=f"Falls at night: Mrs {NAME} in bed 4",
            body=f"Mrs {NAME} fell at 03:00 on the way to the toilet.", confirm_guard=True,
        )  # fmt: skip
        post = thread.posts.get(is_opening=True)
        conversations.edit_post(
            actor=author, post=post, confirm_guard=True,
            body=f"Mrs {NAME} fell at 03:00 and at 05:00 on the way to the toilet.",
        )  # fmt: skip
        reply = conversations.reply(
            actor=other, thread=thread, confirm_guard=True,
            body=f"> Mrs {NAME} fell at 03:00\n\nWas a bed alarm on?",
        )  # fmt: skip
        flag_post(actor=other, post=post, reason=FlagReason.OTHER, note=f"Names {NAME}")
        told = notify(
            recipient=other, kind=Notification.Kind.REPLY, community=community,
            text=f"{author.name} replied to “{thread.title}”.",
            url=f"{thread.get_absolute_url()}#post-{post.pk}",
        )  # fmt: skip
        queue_email(told)
    index_objects("thread", [thread.pk])
    return {
        "community": community, "steward": steward, "author": author, "other": other,
        "thread": thread, "post": post, "reply": reply,
    }  # fmt: skip


def test_the_world_holds_the_name_in_every_kind_of_copy(thread_world):
    where = {p.split(":")[0] for p in places_holding(NAME)}
    assert {
        "conversations.Thread.title",
        "conversations.Post.body",
        "conversations.Post.body_html",
        "conversations.PostRevision.body",
        "conversations.PostRevision.title",
        "conversations.Flag.note",
        "notifications.Notification.text",
        "notifications.EmailDelivery.subject",
        "search.SearchEntry.title",
        "search.SearchEntry.body",
    } <= where
    assert index_matches("jane") > 0


def test_steward_redacts_a_name_from_every_stored_copy(
    thread_world, django_capture_on_commit_callbacks
):
    w = thread_world
    target = redaction.target_for("post", w["post"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        done = redaction.redact(
            actor=w["steward"], target=target, span=NAME, reason="patient's name"
        )
    assert places_holding(NAME) == []
    assert places_holding("Jane") == []
    assert index_matches("jane") == 0
    stand_in = f"[removed by {w['steward'].name}: patient's name]"
    post = Post.objects.get(pk=w["post"].pk)
    assert post.body == f"Mrs {stand_in} fell at 03:00 and at 05:00 on the way to the toilet."
    assert stand_in in post.body_html
    assert all(stand_in in r.body for r in PostRevision.objects.filter(post=post))
    assert stand_in in SearchEntry.objects.get(url=w["thread"].get_absolute_url()).title
    # The record says who, why and which object, never what was removed.
    assert (done.actor, done.what, done.target, done.scope) == (
        w["steward"], "post", post, Redaction.Scope.SPAN,
    )  # fmt: skip
    assert done.reason == "patient's name"
    assert done.rows_changed >= 8


def test_the_whole_text_of_a_post_goes_from_it_and_its_history(thread_world):
    w = thread_world
    target = redaction.target_for("post", w["post"].pk)
    redaction.redact(actor=w["steward"], target=target, whole=True, reason="patient details")
    stand_in = f"[removed by {w['steward'].name}: patient details]"
    post = Post.objects.get(pk=w["post"].pk)
    assert post.body == stand_in
    assert {r.body for r in post.revisions.all()} == {stand_in}
    assert "03:00 and at 05:00" not in str(places_holding("05:00"))
    assert places_holding("on the way to the toilet") == []


def test_redacting_one_revision_whole_keeps_the_others(thread_world):
    w = thread_world
    first = w["post"].revisions.order_by("created_at", "pk").first()
    target = redaction.target_for("post-revision", first.pk)
    redaction.redact(actor=w["author"], target=target, whole=True, reason="my mistake")
    post = Post.objects.get(pk=w["post"].pk)
    first.refresh_from_db()
    assert first.body.startswith("[removed by")
    assert "05:00" in post.body  # the current text is another revision


def test_a_redaction_without_a_reason_is_refused_and_changes_nothing(thread_world):
    w = thread_world
    target = redaction.target_for("post", w["post"].pk)
    with pytest.raises(ValidationError) as refused:
        redaction.redact(actor=w["steward"], target=target, span=NAME, reason="  ")
    assert "reason" in refused.value.message_dict
    assert "conversations.Post.body: 2" in places_holding(NAME)
    assert not Redaction.objects.exists()


def test_words_not_in_the_text_and_a_reason_repeating_them_are_refused(thread_world):
    w = thread_world
    target = redaction.target_for("post", w["post"].pk)
    with pytest.raises(ValidationError) as absent:
        redaction.redact(actor=w["steward"], target=target, span="John Brown", reason="name")
    assert "span" in absent.value.message_dict
    with pytest.raises(ValidationError) as repeated:
        redaction.redact(actor=w["steward"], target=target, span=NAME, reason=f"{NAME} named")
    assert "reason" in repeated.value.message_dict


def test_a_failure_half_way_leaves_every_copy_as_it_was(thread_world, monkeypatch):
    w = thread_world
    before = places_holding(NAME)
    target = redaction.target_for("post", w["post"].pk)

    def index_breaks(*args, **kwargs):
        raise RuntimeError("the search index is unavailable")

    # The texts, revisions and notifications are rewritten before the index step fails.
    monkeypatch.setattr("practica.search.indexing.index_objects", index_breaks)
    with pytest.raises(RuntimeError):
        redaction.redact(actor=w["steward"], target=target, span=NAME, reason="patient's name")
    assert places_holding(NAME) == before
    assert not Redaction.objects.exists()


def test_the_author_redacts_their_own_post_and_nobody_else_can(thread_world):
    w = thread_world
    target = redaction.target_for("post", w["post"].pk)
    with pytest.raises(PermissionDenied):
        redaction.redact(actor=w["other"], target=target, span=NAME, reason="a name")
    redaction.redact(actor=w["author"], target=target, span=NAME, reason="I named her")
    assert places_holding(NAME) == []


def test_a_staging_comment_is_redacted(community, member_at):
    learner = member_at(Stage.PERIPHERAL)
    steward = member_at(Stage.STEWARD)
    from practica.conversations.models import ThreadStatus
    from practica.conversations.tests.factories import ThreadFactory

    staged = ThreadFactory(community=community, author=learner, status=ThreadStatus.STAGED)
    comment = comment_on_staged(
        actor=steward, thread=staged, body=f"Leave out Mr {NAME}'s bed.", confirm_guard=True
    )
    target = redaction.target_for("staging-comment", comment.pk)
    redaction.redact(actor=steward, target=target, span=NAME, reason="a name")
    comment = StagingComment.objects.get(pk=comment.pk)
    assert NAME not in comment.body and NAME not in comment.body_html
    assert places_holding(NAME) == []


def test_an_article_revision_and_comment_lose_the_name_everywhere(community, member_at):
    steward = member_at(Stage.STEWARD)
    learner = member_at(Stage.PERIPHERAL)
    article = make_article(
        community,
        author=steward,
        title="Falls",
        body=f"As with Mr {NAME}, check footwear.",
        confirm_guard=True,
    )
    articles.save_revision(
        actor=steward, article=article, base_revision_id=article.current_revision_id,
        title="Falls", summary="", body=f"As with Mr {NAME}, check footwear and lighting.",
        confirm_guard=True,
    )  # fmt: skip
    comment = articles.add_comment(
        actor=learner, article=article, body=f"Mr {NAME} again?", confirm_guard=True
    )
    index_objects("article", [article.pk])
    first = Revision.objects.get(article=article, number=1)
    redaction.redact(
        actor=steward, target=redaction.target_for("article-revision", first.pk),
        span=NAME, reason="patient's name",
    )  # fmt: skip
    assert places_holding(NAME) == []
    article.refresh_from_db()
    assert "check footwear and lighting" in article.body_html
    redaction.redact(
        actor=learner, target=redaction.target_for("article-comment", comment.pk),
        whole=True, reason="not needed",
    )  # fmt: skip
    comment.refresh_from_db()
    assert comment.body == f"[removed by {learner.name}: not needed]"
    assert "again?" not in comment.body_html
