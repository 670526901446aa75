"""The publish page says exactly who gets an issue and why the others won't; test sends."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from practica.bulletin.models import Delivery, SubscriberStatus
from practica.bulletin.services import audience, publication
from practica.bulletin.tests.factories import (
    ArticleFactory,
    BulletinFactory,
    IssueFactory,
    SubscriberFactory,
    TopicFactory,
)
from practica.communities.stages import Stage
from practica.tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    community = CommunityFactory(name="Ward care")
    bulletin = BulletinFactory(community=community, name="Ward news", slug="ward-news")
    handover, sepsis, falls = (TopicFactory(name=n) for n in ("Handover", "Sepsis", "Falls"))
    issue = IssueFactory(bulletin=bulletin, volume=2, number=1, year=2026, month=11)
    ArticleFactory(issue=issue, title="Safer handover", topics=[handover, sepsis])
    everything = SubscriberFactory.create_batch(3, bulletin=bulletin)
    wants_handover = SubscriberFactory(bulletin=bulletin, all_topics=False)
    wants_handover.topics.set([handover])
    wants_falls = [SubscriberFactory(bulletin=bulletin, all_topics=False) for _ in range(2)]
    for subscriber in wants_falls:
        subscriber.topics.set([falls])
    pending = SubscriberFactory(bulletin=bulletin, status=SubscriberStatus.PENDING)
    gone = SubscriberFactory(bulletin=bulletin, status=SubscriberStatus.UNSUBSCRIBED)
    return {
        "community": community,
        "bulletin": bulletin,
        "issue": issue,
        "receive": [*everything, wants_handover],
        "other_topics": wants_falls,
        "pending": pending,
        "gone": gone,
    }


def _counts(page: str) -> dict[str, int]:
    return {
        sentence: int(count)
        for count, sentence in re.findall(r"<li><strong>(\d+)</strong> ([^<]+)</li>", page)
    }


def test_the_audience_counts_each_reason_and_publishing_sends_exactly_the_count(
    ward, django_capture_on_commit_callbacks
):
    counted = audience.audience(ward["issue"])
    assert {row.key: row.count for row in counted.rows} == {
        "all_topics": 3,
        "matching_topics": 1,
        "other_topics": 2,
        "pending": 1,
        "unsubscribed": 1,
    }
    assert counted.receiving == 4 and counted.not_receiving == 4
    steward = MembershipFactory(community=ward["community"], stage=Stage.STEWARD).user
    with django_capture_on_commit_callbacks(execute=True):
        queued = publication.publish_issue(actor=steward, issue=ward["issue"])
    assert queued == counted.receiving == Delivery.objects.count()
    assert sorted(a for m in mail.outbox for a in m.to) == sorted(s.email for s in ward["receive"])


def test_the_publish_page_gives_counts_by_reason_and_stewards_see_every_address(client, ward):
    steward = MembershipFactory(community=ward["community"], stage=Stage.STEWARD).user
    client.force_login(steward)
    url = reverse("bulletin:issue-edit", args=["ward-news", ward["issue"].pk])
    page = client.get(url).content.decode()
    assert 'emails it to <strong id="audience-count">4 subscribers</strong>' in page
    assert _counts(page) == {
        "confirmed, and take every issue": 3,
        "confirmed, and chose a topic this issue has": 1,
        "confirmed, but chose only topics this issue doesn’t have": 2,
        "never confirmed their subscription": 1,
        "unsubscribed": 1,
    }
    listing = page.split("Every address, by reason", 1)[1]
    for subscriber in [*ward["receive"], *ward["other_topics"], ward["pending"], ward["gone"]]:
        assert subscriber.email in listing
    won_t = listing.split("chose only topics this issue doesn’t have (won’t get it)", 1)[1]
    assert ward["other_topics"][0].email in won_t.split("</ul>", 1)[0]


def test_a_designated_editor_sees_the_counts_but_not_the_addresses(client, ward):
    from practica.bulletin.models import BulletinEditor

    editor = MembershipFactory(community=ward["community"], stage=Stage.FULL).user
    BulletinEditor.objects.create(bulletin=ward["bulletin"], user=editor)
    client.force_login(editor)
    page = client.get(reverse("bulletin:issue-edit", args=["ward-news", ward["issue"].pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "4 subscribers" in html
    assert ward["pending"].email not in html and "Stewards see the addresses" in html


def test_the_publish_page_counts_in_constant_queries(client, ward, django_assert_max_num_queries):
    steward = MembershipFactory(community=ward["community"], stage=Stage.STEWARD).user
    client.force_login(steward)
    url = reverse("bulletin:issue-edit", args=["ward-news", ward["issue"].pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    SubscriberFactory.create_batch(30, bulletin=ward["bulletin"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "34 subscribers" in client.get(url).content.decode()


def test_send_a_test_to_me_emails_the_editor_alone_and_publishes_nothing(client, ward):
    steward = MembershipFactory(
        community=ward["community"], stage=Stage.STEWARD, user__email="mira@example.org"
    ).user
    client.force_login(steward)
    response = client.post(
        reverse("bulletin:issue-send-test", args=["ward-news", ward["issue"].pk]), follow=True
    )
    assert "A test of this issue was sent to mira@example.org" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["mira@example.org"]]
    message = mail.outbox[0]
    assert message.subject == "[Test] Ward news: Volume 2, Issue 1, November 2026"
    assert "Safer handover" in message.body and "Safer handover" in message.alternatives[0][0]
    ward["issue"].refresh_from_db()
    assert not ward["issue"].is_published and Delivery.objects.count() == 0


def test_send_a_test_is_for_editors_only_and_limited(client, ward):
    full = MembershipFactory(community=ward["community"], stage=Stage.FULL).user
    client.force_login(full)
    url = reverse("bulletin:issue-send-test", args=["ward-news", ward["issue"].pk])
    assert client.post(url).status_code == 403
    steward = MembershipFactory(community=ward["community"], stage=Stage.STEWARD).user
    client.force_login(steward)
    for _ in range(audience.TEST_SENDS_PER_HOUR):
        client.post(url)
    response = client.post(url, follow=True)
    assert "tests in the last hour" in response.content.decode()
    assert len(mail.outbox) == audience.TEST_SENDS_PER_HOUR
