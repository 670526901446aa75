"""Sending an issue: exactly once per subscriber, through crashes and SMTP failures."""

import datetime
import smtplib
from collections import Counter

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from practica.bulletin.models import Delivery, DeliveryStatus
from practica.bulletin.services import publication, sending
from practica.bulletin.tests.factories import ArticleFactory, IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside the loop: nothing after it runs."""


def _published_without_sending(issue, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        publication.publish_issue(actor=editor, issue=issue)


def _recipients() -> Counter:
    return Counter(address for message in mail.outbox for address in message.to)


def test_publishing_sends_every_confirmed_subscriber_the_issue_once(
    draft_issue, editor, subscribers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_issue(actor=editor, issue=draft_issue)
    assert _recipients() == Counter({s.email: 1 for s in subscribers})
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert all(d.sent_at and d.attempts == 1 for d in Delivery.objects.all())


def test_every_issue_email_has_text_html_contents_and_one_click_unsubscribe(
    draft_issue, editor, subscribers, django_capture_on_commit_callbacks, client
):
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_issue(actor=editor, issue=draft_issue)
    message = mail.outbox[0]
    assert message.subject == "Riverside Research Bulletin: Volume 11, Issue 5, June 2007"
    assert "FOCUS on communities of practice" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "FOCUS on communities of practice" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and unsubscribe.endswith(">")
    # RFC 8058: the mail client POSTs with no cookie and no CSRF token.
    client = client.__class__(enforce_csrf_checks=True)
    path = unsubscribe[1:-1].split("://", 1)[1].split("/", 1)[1]
    response = client.post("/" + path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    recipient = Delivery.objects.get(subscriber__email=message.to[0]).subscriber
    recipient.refresh_from_db()
    assert recipient.status == "unsubscribed"


def test_a_worker_killed_mid_batch_and_restarted_sends_each_subscriber_exactly_once(
    bulletin, editor, monkeypatch, django_capture_on_commit_callbacks
):
    issue = IssueFactory(bulletin=bulletin)
    ArticleFactory(issue=issue)
    readers = SubscriberFactory.create_batch(12, bulletin=bulletin)
    _published_without_sending(issue, editor, django_capture_on_commit_callbacks)
    monkeypatch.setattr(sending, "BATCH_SIZE", 8)

    real_deliver = sending._deliver
    calls = {"n": 0}

    def dies_on_the_fourth(connection, message):
        calls["n"] += 1
        if calls["n"] == 4:
            raise WorkerKilled
        real_deliver(connection, message)

    monkeypatch.setattr(sending, "_deliver", dies_on_the_fourth)
    with pytest.raises(WorkerKilled):
        sending.send_batch(issue_id=issue.pk)
    assert len(mail.outbox) == 3
    statuses = Counter(Delivery.objects.values_list("status", flat=True))
    assert statuses == {DeliveryStatus.SENT: 3, DeliveryStatus.SENDING: 5, DeliveryStatus.QUEUED: 4}

    # The restarted worker sends what was never claimed, but leaves the dead worker's
    # claims alone until they time out: that worker might still be alive and sending.
    monkeypatch.setattr(sending, "_deliver", real_deliver)
    sending.sweep()
    assert len(mail.outbox) == 7
    assert Delivery.objects.filter(status=DeliveryStatus.SENDING).count() == 5

    later = timezone.now() + sending.CLAIM_TIMEOUT + datetime.timedelta(seconds=1)
    sending.sweep(now=later)
    sending.sweep(now=later + datetime.timedelta(hours=1))  # and again: nothing more

    assert _recipients() == Counter({r.email: 1 for r in readers})
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_row_marked_sent_is_never_sent_again_even_if_its_claim_looks_stale(
    draft_issue, editor, subscribers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_issue(actor=editor, issue=draft_issue)
    Delivery.objects.update(claimed_at=timezone.now() - datetime.timedelta(days=1))
    sending.sweep(now=timezone.now() + datetime.timedelta(days=1))
    assert len(mail.outbox) == len(subscribers)


def test_two_workers_never_claim_the_same_row(
    draft_issue, editor, subscribers, django_capture_on_commit_callbacks
):
    _published_without_sending(draft_issue, editor, django_capture_on_commit_callbacks)
    now = timezone.now()
    first = sending._claim(draft_issue.pk, "a" * 32, now, 3)
    second = sending._claim(draft_issue.pk, "b" * 32, now, 10)
    assert len(first) == 3 and len(second) == len(subscribers) - 3
    assert not {d.pk for d in first} & {d.pk for d in second}


def test_an_smtp_failure_is_logged_retried_with_backoff_and_never_lost(
    draft_issue, editor, subscribers, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    _published_without_sending(draft_issue, editor, django_capture_on_commit_callbacks)
    unlucky = subscribers[2].email
    real_deliver = sending._deliver

    def flaky(connection, message):
        if unlucky in message.to:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        real_deliver(connection, message)

    monkeypatch.setattr(sending, "_deliver", flaky)
    with caplog.at_level("WARNING", logger="practica.bulletin.sending"):
        sending.send_batch(issue_id=draft_issue.pk)
    assert "bulletin delivery failed" in caplog.text
    failed = Delivery.objects.get(subscriber__email=unlucky)
    assert failed.status == DeliveryStatus.QUEUED
    assert failed.attempts == 1
    assert "SMTPServerDisconnected" in failed.last_error
    assert failed.next_attempt_at > timezone.now()
    assert unlucky not in _recipients()

    monkeypatch.setattr(sending, "_deliver", real_deliver)
    sending.sweep()  # not due yet
    assert unlucky not in _recipients()
    sending.sweep(now=failed.next_attempt_at + datetime.timedelta(seconds=1))
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT and failed.attempts == 2
    assert _recipients() == Counter({s.email: 1 for s in subscribers})


def test_after_the_last_attempt_a_delivery_is_failed_and_an_editor_can_retry_it(
    draft_issue, editor, subscribers, monkeypatch, django_capture_on_commit_callbacks
):
    _published_without_sending(draft_issue, editor, django_capture_on_commit_callbacks)

    def down(connection, message):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(sending, "_deliver", down)
    now = timezone.now()
    for _attempt in range(sending.MAX_ATTEMPTS):
        sending.sweep(now=now)
        now += datetime.timedelta(hours=3)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
    assert sending.progress(draft_issue)["failed"] == len(subscribers)

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.retry_failed(actor=editor, issue=draft_issue) == len(subscribers)
    assert sending.progress(draft_issue)["sent"] == len(subscribers)


def test_a_subscriber_who_unsubscribes_before_their_turn_is_skipped(
    draft_issue, editor, subscribers, django_capture_on_commit_callbacks
):
    from practica.bulletin.services.subscriptions import unsubscribe

    _published_without_sending(draft_issue, editor, django_capture_on_commit_callbacks)
    unsubscribe(subscriber=subscribers[0])
    sending.sweep()
    assert subscribers[0].email not in _recipients()
    assert Delivery.objects.get(subscriber=subscribers[0]).status == DeliveryStatus.SKIPPED


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_sends_a_published_issue(bulletin, subscribers):
    from practica.tests.factories import UserFactory

    editor = UserFactory(is_staff=True)
    issue = IssueFactory(bulletin=bulletin)
    ArticleFactory(issue=issue)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        publication.publish_issue(actor=editor, issue=issue)
        assert mail.outbox == []  # queued, not sent, until a worker runs
        call_command("db_worker", batch=True, queue_name="*", reload=False, verbosity=0)
    assert _recipients() == Counter({s.email: 1 for s in subscribers})
    assert sending.progress(issue)["sent"] == len(subscribers)
