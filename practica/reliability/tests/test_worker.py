"""A worker that stays up: leases, tasks safe to run twice, database trouble, pruning.

"Run twice" is what a lease does: a worker did a task's work and died before recording it,
so the task is still "running" under a worker without a heartbeat; the next worker makes it
ready again and runs it. Each kind of task must then change nothing more.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from practica.communities.stages import Stage
from practica.reliability.models import Heartbeat
from practica.reliability.worker import Worker, beat, release_expired_leases
from practica.tests.factories import CommunityFactory, MembershipFactory, UserFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _database_queue(settings):
    settings.TASKS = DATABASE_TASKS


def run_worker() -> None:
    call_command("worker", batch=True, interval=0)


def statuses(name: str) -> list[str]:
    return list(
        DBTaskResult.objects.filter(task_path__endswith=name).values_list("status", flat=True)
    )


def die_after_the_work(name: str) -> None:
    """Make the tasks `name` look as a worker killed before recording them leaves them."""
    # Not the follow-ups a task queued for later (a bulletin's next batch, a retry).
    done = DBTaskResult.objects.filter(task_path__endswith=name).exclude(
        Q(status=TaskResultStatus.READY)
        & Q(run_after__gt=timezone.now())
        & ~Q(run_after=get_date_max())
    )
    ids = []
    for row in done:
        ids.append(row.pk)
        row.status = TaskResultStatus.RUNNING
        row.started_at = timezone.now() - timedelta(minutes=10)
        row.worker_ids = [*row.worker_ids, "killed-worker"]
        row.save(update_fields=["status", "started_at", "worker_ids"])
    return ids


def run_again(name: str) -> None:
    """The killed worker's lease expires; the next worker runs the task again."""
    ids = die_after_the_work(name)
    run_worker()
    rows = DBTaskResult.objects.filter(pk__in=ids)
    assert rows.exists()
    for row in rows:
        assert row.status == TaskResultStatus.SUCCESSFUL, row.traceback
        assert row.worker_ids[-2] == "killed-worker"  # taken over, not left running


# --- leases -----------------------------------------------------------------------------------


def test_a_task_left_running_by_a_dead_worker_is_taken_up_after_its_lease():
    from practica.reliability.tasks import prune_task_results

    result = prune_task_results.enqueue()
    die_after_the_work("prune_task_results")
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert len(row.worker_ids) == 2


def test_a_task_a_live_worker_is_running_is_left_to_it():
    from practica.reliability.tasks import prune_task_results

    result = prune_task_results.enqueue()
    die_after_the_work("prune_task_results")
    beat("killed-worker", current_task=str(result.id))  # alive after all, and on this task
    assert release_expired_leases() == []
    beat("killed-worker", current_task="another-task")  # alive, but it lost this one
    assert release_expired_leases() == [str(result.id)]


def test_a_task_started_within_its_lease_is_not_taken(settings):
    from practica.reliability.tasks import prune_task_results

    settings.TASK_LEASE_SECONDS = 3600
    prune_task_results.enqueue()
    die_after_the_work("prune_task_results")  # ten minutes ago, inside an hour's lease
    assert release_expired_leases() == []


def test_a_batch_worker_leaves_no_heartbeat_behind():
    run_worker()
    assert not Heartbeat.objects.filter(name__startswith="worker:").exists()


# --- every kind of task is safe to run twice ---------------------------------------------------


def test_an_email_task_run_twice_sends_once():
    from practica.notifications.models import EmailDelivery, Notification
    from practica.notifications.services import notify

    member = UserFactory()
    notify(recipient=member, kind=Notification.Kind.MENTION, text="Mira mentioned you")
    run_worker()
    run_again("send_email")
    assert len(mail.outbox) == 1
    assert EmailDelivery.objects.get().status == EmailDelivery.Status.SENT


def test_an_email_a_dead_worker_left_half_sent_goes_out_when_its_task_is_taken_over():
    from practica.notifications.models import EmailDelivery, Notification
    from practica.notifications.services import notify

    member = UserFactory()
    notify(recipient=member, kind=Notification.Kind.MENTION, text="Mira mentioned you")
    # The killed worker claimed the email (status "sending") and died before the SMTP call.
    EmailDelivery.objects.update(status=EmailDelivery.Status.SENDING, attempts=1)
    run_again("send_email")
    assert len(mail.outbox) == 1
    assert EmailDelivery.objects.get().status == EmailDelivery.Status.SENT


def test_reply_notifications_run_twice_tell_each_watcher_once():
    from practica.conversations.models import Watch
    from practica.conversations.services import reply
    from practica.conversations.tests.factories import ThreadFactory
    from practica.notifications.models import Notification

    community = CommunityFactory()
    thread = ThreadFactory(community=community)
    watchers = [MembershipFactory(community=community).user for _ in range(3)]
    for watcher in watchers:
        Watch.objects.create(user=watcher, thread=thread)
    author = MembershipFactory(community=community, stage=Stage.PARTICIPANT).user
    reply(actor=author, thread=thread, body="We moved the falls huddle to 07:45.")
    run_worker()
    run_again("notify_new_post_task")
    told = Counter(Notification.objects.values_list("recipient_id", flat=True))
    assert told == Counter({w.pk: 1 for w in watchers})


def test_indexing_run_twice_leaves_one_entry_per_post():
    from practica.conversations.services import reply
    from practica.conversations.tests.factories import ThreadFactory
    from practica.search.models import PendingIndex, SearchEntry

    community = CommunityFactory()
    thread = ThreadFactory(community=community, title="Pressure injury rounds")
    author = MembershipFactory(community=community, stage=Stage.PARTICIPANT).user
    for n in range(3):
        reply(actor=author, thread=thread, body=f"Heel checks every two hours, note {n}.")
    keys = list(PendingIndex.objects.values("label", "object_id"))
    assert keys
    run_worker()
    # Died after indexing, before deleting the pending rows: they are all still there.
    PendingIndex.objects.bulk_create([PendingIndex(**key) for key in keys])
    run_again("index_pending")
    replies = SearchEntry.objects.filter(kind=SearchEntry.Kind.REPLY, parent_id=thread.pk)
    assert replies.count() == 3
    assert not PendingIndex.objects.exists()


def test_a_progression_evaluation_run_twice_promotes_once(monkeypatch):
    from practica.communities import progression_sources
    from practica.communities.models import CriterionKind, StageChange
    from practica.communities.services.progression import request_evaluation
    from practica.notifications.models import Notification

    for kind, value in {"contributions": 3, "helpful": 1}.items():
        monkeypatch.setitem(
            progression_sources._SOURCES, CriterionKind(kind), lambda m, c, v=value: v
        )
    membership = MembershipFactory(
        community=CommunityFactory(), joined_at=timezone.now() - timedelta(days=9)
    )
    request_evaluation(membership.pk)
    run_worker()
    from practica.communities.models import PendingEvaluation

    PendingEvaluation.objects.create(membership_id=membership.pk)
    run_again("evaluate_pending")
    membership.refresh_from_db()
    assert membership.stage == Stage.PARTICIPANT
    assert StageChange.objects.filter(membership=membership).count() == 1
    assert Notification.objects.filter(recipient=membership.user).count() <= 1


def test_a_digest_run_twice_is_sent_once():
    from practica.notifications.models import DigestRun, Notification
    from practica.notifications.services import notify
    from practica.notifications.tasks import send_digest

    community = CommunityFactory()
    member = MembershipFactory(community=community).user
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ):
        notify(
            recipient=member,
            kind=Notification.Kind.REPLY,
            text="New in Handover",
            community=community,
        )
    send_digest.enqueue(member.pk, "daily", "2026-11-21")
    run_worker()
    run_again("send_digest")
    assert len([m for m in mail.outbox if "digest" in m.subject.lower()]) == 1
    assert DigestRun.objects.get().status == DigestRun.Status.SENT


def test_a_digest_a_dead_worker_claimed_and_left_is_sent_when_taken_over():
    from practica.notifications.models import DigestRun, Notification
    from practica.notifications.services import notify
    from practica.notifications.tasks import send_digest

    community = CommunityFactory()
    member = MembershipFactory(community=community).user
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ):
        notify(
            recipient=member,
            kind=Notification.Kind.REPLY,
            text="New in Handover",
            community=community,
        )
    mail.outbox.clear()
    # The killed worker had claimed the period and died before putting the digest together.
    DigestRun.objects.create(user=member, cadence="daily", period_start="2026-11-21")
    send_digest.enqueue(member.pk, "daily", "2026-11-21")
    run_again("send_digest")
    (message,) = mail.outbox
    assert "digest" in message.subject.lower()
    assert DigestRun.objects.get().status == DigestRun.Status.SENT


def test_a_bulletin_batch_run_twice_emails_each_subscriber_once():
    from practica.bulletin.services import publication
    from practica.bulletin.tests.factories import (
        ArticleFactory,
        BulletinFactory,
        IssueFactory,
        SubscriberFactory,
    )

    bulletin = BulletinFactory()
    subscribers = SubscriberFactory.create_batch(4, bulletin=bulletin)
    issue = IssueFactory(bulletin=bulletin)
    ArticleFactory(issue=issue)
    publication.publish_issue(actor=UserFactory(is_staff=True), issue=issue)
    run_worker()
    run_again("send_issue_batch")
    issue_mail = [m for m in mail.outbox if m.to[0] in {s.email for s in subscribers}]
    assert Counter(m.to[0] for m in issue_mail) == Counter({s.email: 1 for s in subscribers})


# --- database trouble ---------------------------------------------------------------------------


def test_the_worker_rides_out_its_connections_being_cut():
    """pg_terminate_backend ends every session of the worker, as a PostgreSQL restart does;
    the worker reconnects and finishes the tasks queued before and after."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite is a file: there is no connection to lose")
    from practica.reliability.tasks import prune_task_results

    worker = Worker(
        queue_names=["*"],
        interval=0.1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="cut-off-worker",
        excluded_queue_names=[],
    )
    errors = []

    def work():
        try:
            worker.run()
        except BaseException as error:  # noqa: BLE001 - the assertion reports it
            errors.append(error)
        finally:
            connection.close()

    before = [prune_task_results.enqueue().id for _ in range(3)]
    thread = threading.Thread(target=work)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and set(statuses("prune_task_results")) != {"SUCCESSFUL"}:
            time.sleep(0.1)
        for _ in range(3):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            time.sleep(0.3)
        after = [prune_task_results.enqueue().id for _ in range(3)]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and set(statuses("prune_task_results")) != {"SUCCESSFUL"}:
            time.sleep(0.2)
    finally:
        worker.running = False
        thread.join(10)
    assert errors == []
    done = DBTaskResult.objects.filter(id__in=before + after, status=TaskResultStatus.SUCCESSFUL)
    assert done.count() == 6


# --- pruning ----------------------------------------------------------------------------------------


def test_pruning_keeps_failures_longer_than_successes_and_never_touches_waiting_tasks():
    from practica.reliability.pruning import prune_task_results
    from practica.reliability.tasks import prune_task_results as task

    now = timezone.now()
    ages = {"old-success": 2, "new-success": 0.5, "old-failure": 40, "recent-failure": 3}
    ids = {}
    for name, days in ages.items():
        row = DBTaskResult.objects.get(pk=task.enqueue().id)
        row.status = TaskResultStatus.FAILED if "failure" in name else TaskResultStatus.SUCCESSFUL
        row.finished_at = now - timedelta(days=days)
        row.save()
        ids[name] = row.pk
    waiting = task.enqueue().id
    Heartbeat.objects.create(name="worker:gone", beat_at=now - timedelta(days=3))
    assert prune_task_results(now=now) == {"succeeded": 1, "failed": 1, "heartbeats": 1}
    left = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert left == {str(ids["new-success"]), str(ids["recent-failure"]), str(waiting)}


def test_the_scheduler_prunes_every_hour():
    from datetime import UTC, datetime

    from practica.notifications.scheduling import tick

    assert "prune-tasks" in tick(datetime(2026, 11, 21, 10, 5, tzinfo=UTC))
    assert "prune-tasks" not in tick(datetime(2026, 11, 21, 10, 35, tzinfo=UTC))
    assert "prune-tasks" in tick(datetime(2026, 11, 21, 11, 0, tzinfo=UTC))


def test_reconnecting_keeps_an_in_memory_sqlite_database_and_what_it_holds():
    """The suite's in-memory database is shared by the live server's threads: a retried
    request must not throw it (and the test's own rows) away."""
    from practica.people.models import User
    from practica.reliability.worker import reconnect

    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        pytest.skip("only an in-memory SQLite database lives in its connection")
    import gc

    member = UserFactory()
    reconnect()
    gc.collect()  # a dropped handle is gone for good once collected
    assert User.objects.filter(pk=member.pk).exists()


def test_a_commit_follow_up_cut_off_once_is_written_on_a_fresh_connection():
    """pg_terminate_backend between a reply's COMMIT and its follow-up: the follow-up is
    queued anyway (the fault test saw one watcher's email lost to this)."""
    from django.db import OperationalError

    from practica.reliability.worker import once_more_after_a_cut

    written = []

    def write_follow_up(name):
        if not written:
            written.append("cut")
            raise OperationalError("terminating connection due to administrator command")
        written.append(name)
        return name

    assert once_more_after_a_cut(write_follow_up, "notify") == "notify"
    assert written == ["cut", "notify"]
