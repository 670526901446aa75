import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from practica.notifications.models import EmailDelivery, Notification
from practica.notifications.services import notify
from practica.tests.factories import UserFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_email_goes_out_through_the_database_worker():
    """The production path: queued in the database on commit, sent by `db_worker`."""
    member = UserFactory()
    with override_settings(TASKS=DATABASE_TASKS):
        notify(recipient=member, kind=Notification.Kind.MENTION, text="You were mentioned")
        assert mail.outbox == []
        assert EmailDelivery.objects.get().status == EmailDelivery.Status.QUEUED
        call_command("db_worker", batch=True, queue_name="*", reload=False)
    (message,) = mail.outbox
    assert message.subject == "You were mentioned"
    log = EmailDelivery.objects.get()
    assert (log.status, log.attempts) == (EmailDelivery.Status.SENT, 1)
