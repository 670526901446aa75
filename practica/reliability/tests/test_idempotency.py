"""Every creating write happens once per submission key, repeated in sequence or in parallel."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from practica.bulletin.models import Delivery
from practica.bulletin.services import publication
from practica.bulletin.tests.factories import ArticleFactory as BulletinArticleFactory
from practica.bulletin.tests.factories import SubscriberFactory
from practica.communities.stages import Stage
from practica.conversations import services as conversations
from practica.conversations.models import Post, StagingComment, Thread, ThreadStatus
from practica.conversations.tests.factories import ThreadFactory
from practica.events import services as events
from practica.events.models import Event, EventType
from practica.evidence.models import PracticeProposal
from practica.evidence.services import proposals as evidence_proposals
from practica.library.models import Article, ArticleComment, ProposedEdit, Resource
from practica.library.services import articles, proposals, resources
from practica.library.tests.factories import make_article
from practica.reliability.idempotency import SubmissionKeyReused, run_once
from practica.reliability.models import SubmissionKey
from practica.tests.factories import CommunityFactory, MembershipFactory, UserFactory


def _member(community, stage):
    return MembershipFactory(community=community, stage=stage).user


def reply_case(community):
    actor = _member(community, Stage.PERIPHERAL)
    thread = ThreadFactory(community=community)
    posts = Post.objects.filter(thread=thread, is_opening=False)

    def write(key):
        return conversations.reply(
            actor=actor, thread=thread, body="Try the ISBAR card.", submission_key=key
        )

    return actor, write, posts.count


def thread_case(community):
    actor = _member(community, Stage.PARTICIPANT)

    def write(key):
        return conversations.start_thread(
            actor=actor,
            community=community,
            kind="question",
            title="Who checks the night-time fluid balance charts?",
            body="On our ward nobody seems to own them.",
            submission_key=key,
        )

    return actor, write, Thread.objects.filter(community=community).count


def staging_comment_case(community):
    asker = _member(community, Stage.PERIPHERAL)
    actor = _member(community, Stage.FULL)
    thread = ThreadFactory(community=community, author=asker, status=ThreadStatus.STAGED)

    def write(key):
        return conversations.comment_on_staged(
            actor=actor, thread=thread, body="Say which ward this is about.", submission_key=key
        )

    return actor, write, StagingComment.objects.filter(thread=thread).count


def article_case(community):
    actor = _member(community, Stage.FULL)

    def write(key):
        return articles.create_article(
            actor=actor,
            community=community,
            title="Falls prevention at night",
            body="Keep the bed low.",
            kind="guide",
            publish=True,
            submission_key=key,
        )

    return actor, write, Article.objects.filter(community=community).count


def comment_case(community):
    article = make_article(community)
    actor = _member(community, Stage.PERIPHERAL)

    def write(key):
        return articles.add_comment(
            actor=actor, article=article, body="Does this apply to day surgery?", submission_key=key
        )

    return actor, write, ArticleComment.objects.filter(article=article).count


def event_case(community):
    actor = _member(community, Stage.FULL)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)

    def write(key):
        return events.create_event(
            actor=actor,
            community=community,
            title="Journal club: delirium screening",
            kind=EventType.JOURNAL_CLUB,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            timezone_name="Europe/London",
            join_url="https://meet.example.org/jc",
            submission_key=key,
        )

    return actor, write, Event.objects.filter(community=community).count


def upload_case(community):
    actor = _member(community, Stage.PARTICIPANT)

    def write(key):
        return resources.add_resource(
            actor=actor,
            community=community,
            title="Bed board template",
            uploaded=SimpleUploadedFile("beds.csv", b"bed,nurse\n1,A\n"),
            submission_key=key,
        )

    return actor, write, Resource.objects.filter(community=community).count


def proposal_case(community):
    article = make_article(community)
    actor = _member(community, Stage.PERIPHERAL)

    def write(key):
        return proposals.propose_edit(
            actor=actor,
            article=article,
            base_revision_id=article.current_revision_id,
            title=article.title,
            summary="",
            body="Use ISBAR, and read back what you heard.",
            submission_key=key,
        )

    return actor, write, ProposedEdit.objects.filter(article=article).count


def practice_proposal_case(community):
    actor = _member(community, Stage.FULL)

    def write(key):
        return evidence_proposals.propose_change(
            actor=actor,
            community=community,
            title="Use ISBAR for every nursing handover",
            change="Every handover follows ISBAR, on the printed card.",
            submission_key=key,
        )

    return actor, write, PracticeProposal.objects.filter(community=community).count


def bulletin_send_case(community):
    actor = UserFactory(is_staff=True)
    article = BulletinArticleFactory()
    issue = article.issue
    SubscriberFactory.create_batch(3, bulletin=issue.bulletin)

    def write(key):
        return publication.publish_issue(actor=actor, issue=issue, submission_key=key)

    return actor, write, Delivery.objects.filter(issue=issue).count


CASES = {
    "reply": reply_case,
    "thread": thread_case,
    "staging-comment": staging_comment_case,
    "article": article_case,
    "article-comment": comment_case,
    "event": event_case,
    "upload": upload_case,
    "proposed-edit": proposal_case,
    "practice-proposal": practice_proposal_case,
    "bulletin-send": bulletin_send_case,
}


def _same(first, second) -> bool:
    return (
        first == second
        if not hasattr(first, "pk")
        else (type(first), first.pk)
        == (
            type(second),
            second.pk,
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_repeated_submission_key_returns_the_first_result_and_writes_once(case):
    community = CommunityFactory()
    _actor, write, count = case(community)
    first = write("form-7c1e")
    made = count()
    second = write("form-7c1e")
    assert made >= 1
    assert count() == made
    assert _same(first, second)


@pytest.mark.django_db
@pytest.mark.parametrize("case", [reply_case, thread_case], ids=["reply", "thread"])
def test_a_new_key_writes_again(case):
    community = CommunityFactory()
    _actor, write, count = case(community)
    write("first-form")
    write("second-form")
    assert count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_parallel_submissions_with_one_key_write_once(case):
    """Two requests with the same key at the same moment (a double click): one write.

    Runs on PostgreSQL, where the two transactions really overlap; on SQLite every
    write transaction starts with BEGIN IMMEDIATE, so they take turns by construction.
    """
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL; SQLite serialises write transactions")
    community = CommunityFactory()
    _actor, write, count = case(community)
    start = threading.Barrier(3)
    results, errors = [], []

    def submit():
        try:
            start.wait()
            results.append(write("double-click"))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 3
    assert all(_same(results[0], other) for other in results[1:])
    assert SubmissionKey.objects.filter(key="double-click").count() == 1
    made = count()
    assert made >= 1
    write("double-click")
    assert count() == made


@pytest.mark.django_db
def test_a_failed_write_frees_its_key_for_the_next_attempt(community):
    actor, write, count = thread_case(community)
    with pytest.raises(ValidationError):
        conversations.start_thread(
            actor=actor,
            community=community,
            kind="question",
            title="",
            body="No title yet.",
            submission_key="retry-me",
        )
    assert not SubmissionKey.objects.filter(key="retry-me").exists()
    write("retry-me")
    assert count() == 1


@pytest.mark.django_db
def test_a_key_used_for_another_kind_of_write_is_refused(community):
    actor, write_thread, _count = thread_case(community)
    write_thread("one-key")
    thread = ThreadFactory(community=community)
    with pytest.raises(SubmissionKeyReused):
        conversations.reply(actor=actor, thread=thread, body="Hello", submission_key="one-key")


@pytest.mark.django_db
def test_keys_belong_to_their_member(community):
    thread = ThreadFactory(community=community)
    one, other = (_member(community, Stage.PERIPHERAL) for _ in range(2))
    conversations.reply(actor=one, thread=thread, body="From one.", submission_key="k")
    conversations.reply(actor=other, thread=thread, body="From other.", submission_key="k")
    assert Post.objects.filter(thread=thread, is_opening=False).count() == 2


@pytest.mark.django_db
def test_a_result_that_is_not_a_row_is_replayed(user):
    calls = []

    def write():
        calls.append(1)
        return {"queued": 3}

    assert run_once(actor=user, key="api-1", action="test.value", write=write) == {"queued": 3}
    assert run_once(actor=user, key="api-1", action="test.value", write=write) == {"queued": 3}
    assert calls == [1]


@pytest.mark.django_db
def test_an_unreadable_key_is_refused(user):
    with pytest.raises(ValidationError, match="visible ASCII"):
        run_once(actor=user, key="x" * 101, action="test.value", write=lambda: None)
