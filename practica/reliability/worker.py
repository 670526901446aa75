"""The task worker that stays up: database trouble is waited out, never fatal.

django-tasks-db's worker claims a ready task in a transaction, runs it and records the
result. Its loop ends on the first database error it does not expect, so a PostgreSQL
restart used to end `practica worker` and leave the task it held "running" for good. This
worker adds:

- **Backoff and reconnect.** A database error (the connection closed, refused, a server
  shutting down) closes every connection and waits 0.5, 1, 2 … 30 s before trying again.
- **Tasks interrupted by the database are put back.** A task whose own queries lost the
  connection is returned to the queue (a little later) instead of being marked failed; a
  result that cannot be recorded is retried once the database answers.
- **A heartbeat** (`Heartbeat` row `worker:<id>`, every WORKER_HEARTBEAT_SECONDS) naming the
  task being run. `/healthz?full=1` reads it.
- **Leases.** A task left running by a worker whose heartbeat stopped for
  TASK_LEASE_SECONDS (killed, machine lost) is made ready again by any live worker. Every
  task is written to be safe to run twice, so the rare second run changes nothing.
"""

from __future__ import annotations

import contextvars
import logging
import os
import random
import socket
import threading
import time
from contextlib import suppress
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from practica.reliability.models import Heartbeat

log = logging.getLogger("practica.worker")

# Database errors that mean "the database is not answering now", not "this task is wrong".
DATABASE_TROUBLE = (OperationalError, InterfaceError)
# A task put back this many times by database trouble is recorded as failed after all.
MAX_ATTEMPTS = 5
WORKER_PREFIX = "worker:"

# How many workers have claimed the task being run in this thread (1 = its first run).
_attempt: contextvars.ContextVar[int] = contextvars.ContextVar("task_attempt", default=1)


def retaken() -> bool:
    """Whether the running task was claimed before by a worker that did not finish it
    (it died, or lost the database): a task then completes what that worker left."""
    return _attempt.get() > 1


def backoff(failures: int, *, cap: float = 30.0) -> float:
    """Seconds to wait after `failures` consecutive database errors: 0.5, 1, 2 … `cap`."""
    return min(cap, 0.5 * 2 ** max(failures - 1, 0)) * random.uniform(0.8, 1.2)  # noqa: S311


def reconnect() -> None:
    """Drop every connection of this thread; the next query opens a fresh one.

    An in-memory SQLite database lives only in its connection (the test suite shares one
    between the live server's threads): dropping it would throw the database away, so it
    is kept.
    """
    for connection in connections.all(initialized_only=True):
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            continue
        with suppress(DatabaseError):
            connection.close()
        # A connection closed while broken may still hold its handle: forget it.
        connection.connection = None


def once_more_after_a_cut(action, *args):
    """Run a commit callback's write, and again on a fresh connection if the first try finds
    the connection cut.

    A connection terminated just after a transaction's COMMIT leaves the work saved while
    the follow-up that `on_commit` was about to queue (a notification, an index update)
    would be lost; one reconnect and retry keeps it.
    """
    from django.db import InterfaceError, OperationalError

    try:
        return action(*args)
    except (OperationalError, InterfaceError):
        log.warning("a commit follow-up found its connection cut; retrying once")
        reconnect()
        return action(*args)


def new_worker_id() -> str:
    host = socket.gethostname().split(".")[0][:30]
    return f"{host}-{os.getpid()}-{get_random_string(8)}"


def heartbeat_name(worker_id: str) -> str:
    return f"{WORKER_PREFIX}{worker_id}"


def beat(worker_id: str, *, current_task: str = "", details: dict | None = None) -> None:
    Heartbeat.objects.update_or_create(
        name=heartbeat_name(worker_id),
        defaults={
            "beat_at": timezone.now(),
            "current_task": current_task,
            "details": details or {},
        },
    )


def release_expired_leases(*, now=None, lease: timedelta | None = None) -> list[str]:
    """Make ready again the running tasks no live worker is running; returns their ids.

    A task is released when it started more than a lease ago and its worker has not beaten
    its heart within the lease, or beats it while naming another task (it lost this one).
    """
    now = now or timezone.now()
    lease = lease or timedelta(seconds=settings.TASK_LEASE_SECONDS)
    running = list(
        DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=now - lease
        ).values_list("id", "worker_ids")
    )
    if not running:
        return []
    alive = dict(
        Heartbeat.objects.filter(
            name__startswith=WORKER_PREFIX, beat_at__gte=now - lease
        ).values_list("name", "current_task")
    )
    stale = []
    for task_id, worker_ids in running:
        holder = heartbeat_name(worker_ids[-1]) if worker_ids else ""
        if alive.get(holder) != str(task_id):
            stale.append(task_id)
    if stale:
        DBTaskResult.objects.filter(id__in=stale, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY
        )
        log.warning("task leases expired", extra={"tasks": [str(t) for t in stale]})
    return [str(t) for t in stale]


class Worker(DatabaseWorker):
    """django-tasks-db's worker, made to survive database trouble and dead peers."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.current_task = ""
        self.heartbeat_seconds = max(settings.WORKER_HEARTBEAT_SECONDS, 0.2)
        self.lease = timedelta(seconds=settings.TASK_LEASE_SECONDS)
        self._next_lease_check = 0.0
        self._stop = threading.Event()

    # --- heartbeat ------------------------------------------------------------------------

    def _beat_forever(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                beat(
                    self.worker_id,
                    current_task=self.current_task,
                    details={"pid": os.getpid(), "tasks_run": self._run_tasks},
                )
                failures = 0
            except DatabaseError:
                failures += 1
                reconnect()
            finally:
                if failures == 0:
                    connections.close_all()
            self._stop.wait(self.heartbeat_seconds if failures == 0 else backoff(failures))
        connections.close_all()

    def _forget_heartbeat(self) -> None:
        with suppress(DatabaseError):
            Heartbeat.objects.filter(name=heartbeat_name(self.worker_id)).delete()

    # --- the loop -------------------------------------------------------------------------

    def run(self) -> None:
        log.info("worker started", extra={"worker_id": self.worker_id})
        if not self.batch:
            # A thread, so the heart beats on through a long task; a batch run beats from
            # its loop instead (and leaves no thread or connection behind).
            threading.Thread(
                target=self._beat_forever, name="practica-heartbeat", daemon=True
            ).start()
        try:
            self._loop()
        finally:
            self._stop.set()
            self._forget_heartbeat()

    def _loop(self) -> None:
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - spreads workers started together
        failures = 0
        while self.running:
            try:
                task_result, retrieved = self._step()
                failures = 0
            except DATABASE_TROUBLE as error:
                failures += 1
                delay = backoff(failures)
                log.warning(
                    "database unavailable, retrying",
                    extra={"error": str(error)[:300], "retry_in_s": round(delay, 2)},
                )
                reconnect()
                self._sleep(delay)
                continue
            if self.batch and retrieved and task_result is None:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if self.running and task_result is None:
                self._sleep(self.interval)

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while self.running and time.monotonic() < deadline:
            time.sleep(min(0.2, max(deadline - time.monotonic(), 0)))

    def _step(self) -> tuple[DBTaskResult | None, bool]:
        """Release expired leases now and then, claim one ready task and run it."""
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        if self.batch:
            beat(self.worker_id)
        if time.monotonic() >= self._next_lease_check:
            release_expired_leases(lease=self.lease)
            self._next_lease_check = time.monotonic() + max(self.lease.total_seconds() / 4, 1)
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        task_result = None
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
        except OperationalError as error:
            if not is_locked_database_exception(error):
                raise
            return None, False
        if task_result is not None:
            self.run_task(task_result)
        return task_result, True

    # --- one task -------------------------------------------------------------------------

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.running_task = True
        self.current_task = str(db_task_result.id)
        try:
            self._run(db_task_result)
        finally:
            self.current_task = ""
            self.running_task = False
            self._run_tasks += 1

    def _run(self, db_task_result: DBTaskResult) -> None:
        from django_tasks.base import TaskContext
        from django_tasks.signals import task_finished, task_started

        task = db_task_result.task
        task_result = db_task_result.task_result
        sender = type(task.get_backend())
        task_started.send(sender=sender, task_result=task_result)
        attempt = _attempt.set(max(len(db_task_result.worker_ids), 1))
        try:
            if task.takes_context:
                value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
        except DATABASE_TROUBLE as error:
            if len(db_task_result.worker_ids) < MAX_ATTEMPTS:
                log.warning(
                    "task interrupted by the database, put back",
                    extra={"task_id": str(db_task_result.id), "error": str(error)[:300]},
                )
                self._record(partial(self._put_back, db_task_result))
                return
            self._record(partial(db_task_result.set_failed, error))
        except (KeyboardInterrupt, SystemExit):
            # Stopped by a second Ctrl+C or SIGTERM: the task did not fail, run it again later.
            with suppress(DatabaseError):
                self._put_back(db_task_result)
            raise
        except Exception as error:  # noqa: BLE001 - a task's failure is recorded on its row
            self._record(partial(db_task_result.set_failed, error))
        else:
            self._record(partial(db_task_result.set_successful, value))
        finally:
            _attempt.reset(attempt)
        task_finished.send(sender=sender, task_result=db_task_result.task_result)

    def _put_back(self, db_task_result: DBTaskResult) -> None:
        run_after = db_task_result.run_after
        if run_after == get_date_max() or run_after is None:
            run_after = timezone.now()
        DBTaskResult.objects.filter(pk=db_task_result.pk).update(
            status=TaskResultStatus.READY,
            run_after=max(run_after, timezone.now() + timedelta(seconds=2)),
        )

    def _record(self, save) -> None:
        """Save a task's outcome, waiting for the database to come back if it must."""
        for failures in range(1, 9):
            try:
                save()
                return
            except DATABASE_TROUBLE:
                reconnect()
                if not self.running and failures > 2:
                    raise
                time.sleep(backoff(failures))
        save()  # the last try raises; the lease hands the task to another worker
