"""Webhooks: registered by stewards, refused for private addresses, signed, retried,
logged and redelivered, delivered to a real HTTP receiver on this machine."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings

from practica.api.models import DeliveryStatus, Webhook, WebhookDelivery
from practica.api.webhooks import addresses, services, signing
from practica.communities.stages import Stage
from practica.conversations import services as conversations
from practica.conversations.tests.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """An HTTP server on 127.0.0.1 that records what it is sent and answers `status`."""

    def __init__(self):
        self.received = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"thanks")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://0.0.0.0/hook",
        "ftp://example.org/hook",
        "https://user:pw@example.org/hook",
    ],
)
def test_private_loopback_and_odd_addresses_are_refused(url):
    with pytest.raises(ValidationError) as refused:
        addresses.check_url(url)
    assert "url" in refused.value.message_dict


@override_settings(WEBHOOKS_ALLOW_LOOPBACK=True)
def test_the_loopback_setting_allows_only_this_machine():
    addresses.check_url("http://127.0.0.1:9/hook")
    with pytest.raises(ValidationError):
        addresses.check_url("http://10.0.0.1/hook")


def test_only_stewards_register_webhooks(community, member_at, loopback_allowed, receiver):
    full = member_at(Stage.FULL)
    with pytest.raises(PermissionDenied, match="Steward"):
        services.register_webhook(
            actor=full, community=community, url=receiver.url, events=["thread.created"]
        )
    steward = member_at(Stage.STEWARD)
    hook = services.register_webhook(
        actor=steward, community=community, url=receiver.url, events=["thread.created"]
    )
    assert hook.secret.startswith("whsec_")


def test_a_new_thread_is_delivered_signed_to_a_real_receiver(
    community, member_at, loopback_allowed, receiver
):
    steward = member_at(Stage.STEWARD)
    hook = services.register_webhook(
        actor=steward, community=community, url=receiver.url, events=["thread.created"]
    )
    thread = conversations.start_thread(
        actor=steward,
        community=community,
        kind="question",
        title="Which falls risk tool do you use?",
        body="We are reviewing ours.",
    )
    assert len(receiver.received) == 1
    sent = receiver.received[0]
    payload = json.loads(sent["body"])
    assert payload["event"] == "thread.created"
    assert payload["data"]["thread"]["id"] == thread.pk
    assert signing.verify(
        hook.secret,
        sent["headers"]["Practica-Timestamp"],
        sent["body"],
        sent["headers"]["Practica-Signature"],
    )
    assert not signing.verify(
        "whsec_other",
        sent["headers"]["Practica-Timestamp"],
        sent["body"],
        sent["headers"]["Practica-Signature"],
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.response_code == 200


def test_a_failed_delivery_is_logged_for_retry_and_can_be_redelivered(
    community, member_at, loopback_allowed, receiver
):
    steward = member_at(Stage.STEWARD)
    full = member_at(Stage.FULL)
    learner = member_at(Stage.PERIPHERAL)
    hook = services.register_webhook(
        actor=steward, community=community, url=receiver.url, events=["answer.accepted"]
    )
    thread = conversations.start_thread(
        actor=learner,
        community=community,
        kind="question",
        title="How long do you keep a cannula in?",
        body="Our policy is unclear.",
    )
    reply = PostFactory(thread=thread, author=full)
    receiver.status = 503
    conversations.accept_answer(actor=learner, post=reply)
    failed = WebhookDelivery.objects.get()
    assert failed.status == DeliveryStatus.RETRYING
    assert failed.response_code == 503 and failed.attempts == 1
    assert failed.next_attempt_at is not None
    receiver.status = 200
    browser = Client()
    browser.force_login(steward)
    page = browser.get(f"/c/{community.slug}/webhooks/{hook.pk}/")
    assert "503" in page.content.decode()
    browser.post(f"/c/{community.slug}/webhooks/{hook.pk}/deliveries/{failed.pk}/redeliver/")
    again = WebhookDelivery.objects.exclude(pk=failed.pk).get()
    assert again.status == DeliveryStatus.SUCCEEDED and again.event_id == failed.event_id
    assert len(receiver.received) == 2


def test_unreachable_receiver_is_logged_with_the_error(community, member_at, loopback_allowed):
    steward = member_at(Stage.STEWARD)
    services.register_webhook(
        actor=steward,
        community=community,
        url="http://127.0.0.1:9/closed",
        events=["thread.created"],
    )
    conversations.start_thread(
        actor=steward,
        community=community,
        kind="discussion",
        title="Handover at the bedside: pros and cons",
        body="Let us collect views.",
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert "Connection" in delivery.error or "refused" in delivery.error.lower()


def test_steward_page_registers_and_refuses_a_private_address(community, member_at):
    steward = member_at(Stage.STEWARD)
    browser = Client()
    browser.force_login(steward)
    refused = browser.post(
        f"/c/{community.slug}/webhooks/",
        {"url": "https://10.0.0.5/hook", "events": ["thread.created"]},
    )
    assert refused.status_code == 400
    assert "private network" in refused.content.decode()
    assert not Webhook.objects.exists()


def test_learner_cannot_open_the_webhooks_page(community, member_at):
    browser = Client()
    browser.force_login(member_at(Stage.PERIPHERAL))
    response = browser.get(f"/c/{community.slug}/webhooks/")
    assert response.status_code == 403
    assert "Steward" in response.content.decode()


def test_a_delivery_task_run_twice_posts_once(community, member_at, loopback_allowed, receiver):
    """A worker that dies after a delivery succeeded leaves its task to be taken up again:
    the second run finds the delivery done and sends nothing (issue 17, tasks safe twice)."""
    from practica.api.tasks import deliver_webhook

    steward = member_at(Stage.STEWARD)
    services.register_webhook(
        actor=steward, community=community, url=receiver.url, events=["thread.created"]
    )
    conversations.start_thread(
        actor=steward, community=community, kind="question", title="Bed rails?", body="Views?"
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED and len(receiver.received) == 1
    assert deliver_webhook.call(delivery.pk) == DeliveryStatus.SUCCEEDED
    assert services.deliver(delivery.pk) == DeliveryStatus.SUCCEEDED
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and len(receiver.received) == 1
