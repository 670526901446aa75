"""Owners of anything with a review date hear once that it is due for review."""

import datetime

import pytest
from django.core import mail

from practica.communities.stages import Stage
from practica.evidence.models import ProposalStatus
from practica.evidence.tests.factories import EvidenceSummaryFactory, PracticeProposalFactory
from practica.library.models import Article
from practica.library.tests.factories import make_article
from practica.notifications import scheduling
from practica.notifications.models import Delivery, EmailDelivery, Notification
from practica.notifications.preferences import set_preferences
from practica.notifications.reviews import everything_due, notify_reviews_due
from practica.notifications.tasks import send_digest

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
LAST_WEEK = TODAY - datetime.timedelta(days=7)
Kind = Notification.Kind


def told(user):
    return list(Notification.objects.filter(recipient=user, kind=Kind.REVIEW_DUE))


def overdue_article(community, owners, title="Pressure injury prevention", **kwargs):
    article = make_article(community, title=title, **kwargs)
    article.owners.set(owners)
    Article.objects.filter(pk=article.pk).update(review_due=LAST_WEEK)
    article.refresh_from_db()
    return article


def test_finding_what_is_due_takes_the_same_queries_however_much_is_due(
    community, member_at, django_assert_max_num_queries
):
    owner = member_at(Stage.FULL)
    for n in range(3):
        overdue_article(community, [owner, member_at(Stage.FULL)], title=f"Guide {n}")
        summary = EvidenceSummaryFactory(community=community, review_by=LAST_WEEK)
        summary.reviewers.add(owner)
        PracticeProposalFactory(
            community=community, status=ProposalStatus.ADOPTED, review_by=LAST_WEEK
        )
    with django_assert_max_num_queries(5):
        assert len(everything_due(TODAY)) == 9


def test_every_owner_of_an_overdue_article_is_told_once_per_review_date(community, member_at):
    first, second = member_at(Stage.FULL), member_at(Stage.PARTICIPANT)
    article = overdue_article(community, [first, second])
    assert notify_reviews_due(today=TODAY) == 2
    for owner in (first, second):
        (notice,) = told(owner)
        assert notice.url == article.get_absolute_url()
        assert "library article “Pressure injury prevention”" in notice.text
        assert notice.community == community
    # Every night it stays overdue, and a second run the same night: nobody hears again.
    assert notify_reviews_due(today=TODAY) == 0
    assert notify_reviews_due(today=TODAY + datetime.timedelta(days=1)) == 0
    assert len(told(first)) == 1
    # A new review date that passes in its turn is news again.
    Article.objects.filter(pk=article.pk).update(review_due=TODAY)
    assert notify_reviews_due(today=TODAY + datetime.timedelta(days=1)) == 2
    assert len(told(first)) == 2


def test_an_article_without_owners_is_looked_after_by_its_author(community, member_at):
    author = member_at(Stage.FULL)
    overdue_article(community, [], author=author)
    notify_reviews_due(today=TODAY)
    assert len(told(author)) == 1


def test_drafts_and_items_not_yet_due_tell_nobody(community, member_at):
    owner = member_at(Stage.FULL)
    article = overdue_article(community, [owner])
    Article.objects.filter(pk=article.pk).update(review_due=TODAY)
    EvidenceSummaryFactory(community=community, created_by=owner, review_by=TODAY)
    draft = make_article(community, title="A draft", publish=False)
    draft.owners.set([owner])
    Article.objects.filter(pk=draft.pk).update(review_due=LAST_WEEK)
    assert notify_reviews_due(today=TODAY) == 0


def test_evidence_authors_reviewers_and_the_proposer_of_an_adopted_practice_are_told(
    community, member_at
):
    author, reviewer, proposer = (member_at(Stage.FULL) for _ in range(3))
    summary = EvidenceSummaryFactory(community=community, created_by=author, review_by=LAST_WEEK)
    summary.reviewers.add(reviewer)
    adopted = PracticeProposalFactory(
        community=community,
        proposed_by=proposer,
        status=ProposalStatus.ADOPTED,
        review_by=LAST_WEEK,
    )
    PracticeProposalFactory(
        community=community,
        proposed_by=proposer,
        status=ProposalStatus.RETIRED,
        review_by=LAST_WEEK,
    )
    assert notify_reviews_due(today=TODAY) == 3
    assert [n.url for n in told(author)] == [summary.get_absolute_url()]
    assert [n.url for n in told(reviewer)] == [summary.get_absolute_url()]
    assert [n.url for n in told(proposer)] == [adopted.get_absolute_url()]
    assert "adopted practice" in told(proposer)[0].text


def test_owners_who_left_or_were_suspended_are_not_told(community, member_at):
    left, suspended, staying = (member_at(Stage.FULL) for _ in range(3))
    overdue_article(community, [left, suspended, staying])
    left.memberships.filter(community=community).delete()
    suspended.memberships.filter(community=community).update(suspended=True)
    assert notify_reviews_due(today=TODAY) == 1
    assert told(left) == [] and told(suspended) == [] and len(told(staying)) == 1


def test_owners_hear_on_the_channel_they_chose_for_due_for_review(community, member_at):
    by_email, off, default = (member_at(Stage.FULL) for _ in range(3))
    set_preferences(user=by_email, choices={(None, Kind.REVIEW_DUE): Delivery.IMMEDIATE})
    set_preferences(user=off, choices={(None, Kind.REVIEW_DUE): Delivery.OFF})
    overdue_article(community, [by_email, off, default])
    notify_reviews_due(today=TODAY)
    assert EmailDelivery.objects.filter(user=by_email, category=Kind.REVIEW_DUE).count() == 1
    assert told(off) == []
    (notice,) = told(default)
    assert notice.delivery == Delivery.DAILY


def test_the_digest_lists_an_overdue_article_once(community, member_at):
    owner = member_at(Stage.FULL)
    article = overdue_article(community, [owner])
    notify_reviews_due(today=TODAY)
    assert send_digest.call(owner.pk, "daily", TODAY.isoformat()).startswith("digest")
    (message,) = mail.outbox
    assert "1 due for review" in message.subject
    assert message.body.count(article.title) == 1
    assert f"Library article: {article.title}" in message.body
    # The notice went out with the digest: it is not held for the next one.
    assert told(owner)[0].emailed_at is not None


def test_the_scheduler_runs_the_due_for_review_job_once_a_night(community, member_at):
    owner = member_at(Stage.FULL)
    overdue_article(community, [owner])
    night = datetime.datetime.combine(TODAY, datetime.time(3, 0), tzinfo=datetime.UTC)
    assert "reviews-due" in scheduling.tick(night)
    assert len(told(owner)) == 1
    assert "reviews-due" not in scheduling.tick(night + datetime.timedelta(hours=5))
    assert "reviews-due" in scheduling.tick(night + datetime.timedelta(days=1))
