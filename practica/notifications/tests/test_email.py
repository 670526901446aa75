from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from practica.communities.models import Visibility
from practica.communities.stages import Stage
from practica.notifications import mail as notification_mail
from practica.notifications.models import (
    Delivery,
    DigestRun,
    EmailDelivery,
    Notification,
    NotificationPreference,
)
from practica.notifications.preferences import delivery_for, set_preferences
from practica.notifications.scheduling import tick
from practica.notifications.services import notify
from practica.notifications.tasks import send_digest

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def test_preferences_resolve_community_then_default_then_built_in(community, user):
    assert delivery_for(user, Kind.MENTION, community) == Delivery.IMMEDIATE
    set_preferences(user=user, choices={(None, Kind.MENTION): Delivery.WEEKLY})
    assert delivery_for(user, Kind.MENTION, community) == Delivery.WEEKLY
    set_preferences(user=user, choices={(community.pk, Kind.MENTION): Delivery.OFF})
    assert delivery_for(user, Kind.MENTION, community) == Delivery.OFF
    assert delivery_for(user, Kind.MENTION, None) == Delivery.WEEKLY


def test_turned_off_kinds_record_nothing(community, user):
    set_preferences(user=user, choices={(None, Kind.EVENT): Delivery.OFF})
    assert notify(recipient=user, kind=Kind.EVENT, text="x", community=community) is None


def test_immediate_email_is_sent_as_text_and_html_with_one_click_unsubscribe(
    community, member_at, django_capture_on_commit_callbacks
):
    member = member_at(Stage.PERIPHERAL)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipient=member,
            kind=Kind.MENTION,
            text="Aisha mentioned you",
            url="/c/x/",
            community=community,
        )
    (message,) = mail.outbox
    assert message.to == [member.email]
    assert "Aisha mentioned you" in message.subject
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("http") and "/notifications/unsubscribe/" in url
    log = EmailDelivery.objects.get()
    assert (log.status, log.attempts) == (EmailDelivery.Status.SENT, 1)
    assert Notification.objects.get().emailed_at is not None


def test_one_click_unsubscribe_stops_that_kind_of_email(client, user):
    token = notification_mail.unsubscribe_token(user, Kind.MENTION)
    response = client.post(
        reverse("notifications:unsubscribe", args=[token]),
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    assert delivery_for(user, Kind.MENTION) == Delivery.IN_APP
    forged = client.post(reverse("notifications:unsubscribe", args=[token[:-3] + "abc"]))
    assert forged.status_code == 404


def test_email_about_a_community_the_member_can_no_longer_see_is_not_sent(
    community, member_at, django_capture_on_commit_callbacks
):
    member = member_at(Stage.PERIPHERAL)
    community.visibility = Visibility.PRIVATE
    community.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipient=member, kind=Kind.MENTION, text="Psst", community=community)
    member.memberships.update(suspended=True)
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    log = EmailDelivery.objects.get()
    assert log.status == EmailDelivery.Status.SKIPPED
    assert "can no longer see" in log.last_error


def test_failed_email_is_logged_and_retried_until_it_goes(
    community, member_at, django_capture_on_commit_callbacks
):
    member = member_at(Stage.PERIPHERAL)
    with (
        mock.patch(
            "django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("SMTP down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(recipient=member, kind=Kind.MENTION, text="Hello", community=community)
    log = EmailDelivery.objects.get()
    assert (log.status, log.attempts) == (EmailDelivery.Status.FAILED, 1)
    assert "SMTP down" in log.last_error
    assert notification_mail.due_retries() == []
    later = log.next_attempt_at + timedelta(seconds=1)
    assert notification_mail.due_retries(later) == [log.pk]
    EmailDelivery.objects.filter(pk=log.pk).update(next_attempt_at=datetime.now(UTC))
    with mock.patch("practica.notifications.tasks.progression_sweep"):
        assert "retry-email" in tick(datetime.now(UTC))
    log.refresh_from_db()
    assert log.status == EmailDelivery.Status.SENT and log.attempts == 2
    assert len(mail.outbox) == 1


def test_each_scheduled_job_is_enqueued_once_per_period():
    now = datetime(2026, 11, 21, 3, 7, tzinfo=UTC)
    with mock.patch("practica.notifications.tasks.progression_sweep") as sweep:
        first = tick(now)
        second = tick(now + timedelta(seconds=30))
    assert "progression-sweep" in first and second == []
    assert sweep.enqueue.call_count == 1


# --- digests -------------------------------------------------------------------------------


def test_daily_digest_gathers_notifications_and_is_never_sent_twice(community, member_at):
    member = member_at(Stage.PERIPHERAL)
    notify(recipient=member, kind=Kind.REPLY, text="New reply in Handover", community=community)
    period = date(2026, 11, 21)
    assert send_digest.call(member.pk, "daily", period.isoformat()).startswith("digest")
    assert send_digest.call(member.pk, "daily", period.isoformat()) == "already done"
    (message,) = mail.outbox
    assert "daily digest" in message.subject.lower()
    assert "New reply in Handover" in message.body
    assert "List-Unsubscribe" in message.extra_headers
    assert DigestRun.objects.get().status == DigestRun.Status.SENT
    assert Notification.objects.get().emailed_at is not None
    # The next day's digest has nothing new: it is skipped, not sent empty.
    assert send_digest.call(member.pk, "daily", "2026-11-22") == "empty"
    assert len(mail.outbox) == 1


def test_digests_are_due_from_seven_in_the_members_morning(community, member_at):
    from practica.notifications.digests import due

    toronto = member_at(Stage.PERIPHERAL, user__timezone="America/Toronto")
    sydney = member_at(Stage.PERIPHERAL, user__timezone="Australia/Sydney")
    # 20:30 UTC on Sunday 22 Nov = 07:30 Monday in Sydney, 15:30 Sunday in Toronto.
    now = datetime(2026, 11, 22, 20, 30, tzinfo=UTC)
    found = due(now)
    assert (sydney.pk, "daily", date(2026, 11, 23)) in found
    assert all(user_id != toronto.pk for user_id, _, _ in found)
    NotificationPreference.objects.create(user=sydney, kind=Kind.REPLY, delivery=Delivery.WEEKLY)
    assert (sydney.pk, "weekly", date(2026, 11, 23)) in due(now)
