"""Evidence and adopted practices past their review-by date go to their owners in digests."""

import datetime

import pytest
from django.core import mail

from practica.communities.capabilities import forget_memberships
from practica.communities.models import Visibility
from practica.communities.stages import Stage
from practica.evidence.models import ProposalStatus
from practica.evidence.querysets import due_for_owner
from practica.evidence.tests.factories import EvidenceSummaryFactory, PracticeProposalFactory
from practica.notifications.models import DigestRun
from practica.notifications.tasks import send_digest
from practica.tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
LAST_MONTH = TODAY - datetime.timedelta(days=30)


@pytest.fixture
def owner(member_at):
    return member_at(Stage.FULL)


def test_owner_is_listed_for_summaries_they_wrote_or_review_and_practices_they_proposed(
    community, owner, member_at, django_assert_max_num_queries
):
    written = EvidenceSummaryFactory(community=community, created_by=owner, review_by=LAST_MONTH)
    reviewed = EvidenceSummaryFactory(community=community, review_by=LAST_MONTH)
    reviewed.reviewers.add(owner, member_at(Stage.FULL))
    adopted = PracticeProposalFactory(
        community=community, proposed_by=owner, status=ProposalStatus.ADOPTED, review_by=LAST_MONTH
    )
    # Not theirs, not yet due, or no longer a practice in use: left out.
    EvidenceSummaryFactory(community=community, review_by=LAST_MONTH)
    EvidenceSummaryFactory(
        community=community, created_by=owner, review_by=TODAY + datetime.timedelta(days=3)
    )
    PracticeProposalFactory(
        community=community, proposed_by=owner, status=ProposalStatus.RETIRED, review_by=LAST_MONTH
    )
    with django_assert_max_num_queries(3):
        items = due_for_owner(owner, today=TODAY)
    assert sorted(item.title for item in items) == sorted(
        [written.title, reviewed.title, adopted.title]
    )
    assert {item.url for item in items} >= {written.get_absolute_url(), adopted.get_absolute_url()}


def test_items_in_a_private_community_the_owner_left_are_not_listed(owner):
    private = CommunityFactory(visibility=Visibility.PRIVATE)
    membership = MembershipFactory(community=private, user=owner, stage=Stage.FULL)
    EvidenceSummaryFactory(community=private, created_by=owner, review_by=LAST_MONTH)
    assert len(due_for_owner(owner, today=TODAY)) == 1
    membership.delete()
    forget_memberships(owner)
    assert due_for_owner(owner, today=TODAY) == []


def test_digest_with_only_items_due_for_review_is_sent_not_empty(community, owner):
    summary = EvidenceSummaryFactory(community=community, created_by=owner, review_by=LAST_MONTH)
    adopted = PracticeProposalFactory(
        community=community, proposed_by=owner, status=ProposalStatus.ADOPTED, review_by=LAST_MONTH
    )
    result = send_digest.call(owner.pk, "daily", TODAY.isoformat())
    assert result.startswith("digest")
    run = DigestRun.objects.get(user=owner)
    assert run.status == DigestRun.Status.SENT and run.item_count == 2
    (message,) = mail.outbox
    assert "2 due for review" in message.subject
    assert "DUE FOR REVIEW" in message.body
    assert f"Evidence summary: {summary.title}" in message.body
    assert f"Adopted practice: {adopted.title}" in message.body
    assert summary.get_absolute_url() in message.body
    html = message.alternatives[0][0]
    assert "Due for review" in html and adopted.get_absolute_url() in html


def test_digest_without_anything_due_stays_empty(community, owner):
    EvidenceSummaryFactory(
        community=community, created_by=owner, review_by=TODAY + datetime.timedelta(days=30)
    )
    assert send_digest.call(owner.pk, "daily", TODAY.isoformat()) == "empty"
    assert not mail.outbox
