"""Subscribing without an account, through the pages and the emailed links."""

import re

import pytest
from django.core import mail, signing
from django.urls import reverse

from practica.bulletin.models import Subscriber, SubscriberStatus
from practica.bulletin.tests.factories import ArticleFactory, SubscriberFactory, TopicFactory
from practica.bulletin.tokens import confirm_token, manage_token

pytestmark = pytest.mark.django_db


def _subscribe(client, bulletin, **data):
    return client.post(
        reverse("bulletin:subscribe", args=[bulletin.slug]), {"scope": "all", **data}
    )


def _link(message, name) -> str:
    match = re.search(rf"http://[^\s]+/bulletin/{name}/[^\s/]+/", message.body)
    assert match, message.body
    return match.group(0).split("://", 1)[1].split("/", 1)[1]


def test_a_visitor_subscribes_confirms_by_the_emailed_link_and_manages_topics(
    client, bulletin, django_capture_on_commit_callbacks
):
    topic = TopicFactory(name="Communities of practice")
    ArticleFactory(issue__bulletin=bulletin, topics=[topic])
    with django_capture_on_commit_callbacks(execute=True):
        response = _subscribe(client, bulletin, email="Ada@Example.ORG")
    assert response.status_code == 302
    assert "Check your inbox" in client.get(response["Location"]).content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Ada@example.org" and subscriber.status == SubscriberStatus.PENDING
    [message] = mail.outbox
    assert message.to == ["Ada@example.org"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    confirm_path = "/" + _link(message, "confirm")
    page = client.get(confirm_path)
    assert "Confirm your subscription" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING  # a link scanner's GET confirms nothing
    response = client.post(confirm_path)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    preferences = response["Location"]
    assert "Confirmed:" in client.get(preferences).content.decode()
    response = client.post(preferences, {"scope": "topics", "topics": [topic.pk]})
    assert "Saved" in response.content.decode()
    subscriber.refresh_from_db()
    assert not subscriber.all_topics and list(subscriber.topics.all()) == [topic]


@pytest.mark.parametrize("email", ["not-an-email", "ada@", "@example.org", "ada example@x.org"])
def test_a_malformed_email_is_refused_beside_the_field_and_kept(client, bulletin, email):
    response = _subscribe(client, bulletin, email=email)
    html = response.content.decode()
    assert response.status_code == 400
    assert "doesn’t look like an email address" in html
    assert 'id="id_email_error"' in html
    assert Subscriber.objects.count() == 0


def test_topics_scope_needs_a_topic(client, bulletin):
    ArticleFactory(issue__bulletin=bulletin, topics=[TopicFactory(name="Nutrition")])
    response = _subscribe(client, bulletin, email="ada@example.org", scope="topics")
    assert response.status_code == 400
    assert "Choose at least one topic" in response.content.decode()


def test_a_duplicate_subscription_resends_confirmation_and_reveals_nothing(
    client, bulletin, django_capture_on_commit_callbacks
):
    confirmed = SubscriberFactory(bulletin=bulletin, email="known@example.org", all_topics=True)
    with django_capture_on_commit_callbacks(execute=True):
        fresh = _subscribe(client, bulletin, email="new@example.org")
        known = _subscribe(client, bulletin, email="KNOWN@example.org")
    assert fresh.status_code == known.status_code == 302
    assert client.get(known["Location"]).status_code == 200
    assert [m.to for m in mail.outbox] == [["new@example.org"], ["known@example.org"]]
    confirmed.refresh_from_db()
    assert confirmed.status == SubscriberStatus.CONFIRMED and confirmed.all_topics
    assert Subscriber.objects.filter(email__iexact="known@example.org").count() == 1


def test_repeated_subscriptions_do_not_flood_an_inbox(
    client, bulletin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            _subscribe(client, bulletin, email="ada@example.org")
    assert len(mail.outbox) == 1


def test_subscription_posts_are_rate_limited_per_address(client, bulletin):
    for i in range(10):
        assert _subscribe(client, bulletin, email=f"a{i}@example.org").status_code == 302
    response = _subscribe(client, bulletin, email="late@example.org")
    assert response.status_code == 429
    assert "Too many subscription requests" in response.content.decode()
    assert 'value="late@example.org"' in response.content.decode()


def test_an_expired_confirmation_link_says_so(client, bulletin, monkeypatch):
    subscriber = SubscriberFactory(bulletin=bulletin, status="pending", confirmed_at=None)
    token = confirm_token(subscriber)
    monkeypatch.setattr("practica.bulletin.tokens.CONFIRM_MAX_AGE", -1)
    response = client.get(reverse("bulletin:confirm", args=[token]))
    assert response.status_code == 400
    assert "has expired" in response.content.decode()


@pytest.mark.parametrize("name", ["confirm", "unsubscribe", "preferences"])
def test_a_forged_link_is_refused_with_a_clear_message(client, bulletin, name):
    subscriber = SubscriberFactory(bulletin=bulletin)
    forged = signing.Signer(salt="something else").sign_object(
        {"s": subscriber.pk, "e": subscriber.email}
    )
    response = client.post(reverse(f"bulletin:{name}", args=[forged]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED


def test_a_token_for_another_address_does_not_work(client, bulletin):
    subscriber = SubscriberFactory(bulletin=bulletin)
    token = manage_token(subscriber)
    subscriber.email = "changed@example.org"
    subscriber.save()
    response = client.post(reverse("bulletin:unsubscribe", args=[token]))
    assert response.status_code == 400
    assert "no longer exists" in response.content.decode()


def test_unsubscribe_page_asks_before_a_post_unsubscribes(client, bulletin):
    subscriber = SubscriberFactory(bulletin=bulletin)
    url = reverse("bulletin:unsubscribe", args=[manage_token(subscriber)])
    assert "Unsubscribe from" in client.get(url).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert "You are unsubscribed" in client.post(url).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


def test_confirming_after_unsubscribing_asks_to_subscribe_again(client, bulletin):
    subscriber = SubscriberFactory(bulletin=bulletin, status="unsubscribed")
    response = client.post(reverse("bulletin:confirm", args=[confirm_token(subscriber)]))
    assert response.status_code == 400
    assert "Subscribe again" in response.content.decode()


def test_resubscribing_after_unsubscribing_needs_a_new_confirmation(
    client, bulletin, django_capture_on_commit_callbacks
):
    subscriber = SubscriberFactory(
        bulletin=bulletin, email="back@example.org", status="unsubscribed"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(client, bulletin, email="back@example.org")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING
    assert len(mail.outbox) == 1


def test_subscribing_from_a_topic_preselects_that_topic(client, bulletin):
    topic = TopicFactory(name="Medicines")
    ArticleFactory(issue__bulletin=bulletin, topics=[topic])
    html = client.get(
        reverse("bulletin:subscribe", args=[bulletin.slug]), {"topic": "medicines"}
    ).content.decode()
    assert f'value="{topic.pk}" id="id_topics_0" checked' in html
