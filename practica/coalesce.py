"""Follow-up work that coalesces: many writes ask, one background run does it, in bulk.

A write that needs work after it (re-index a thread, re-evaluate a member) calls
`request(queue, keys)`. Once the write's transaction commits, the keys are recorded in the
queue's *pending* table in one INSERT, and one drain task is enqueued unless one is already
waiting. The drain reads pending rows in batches, does each key's work once per batch,
however many writes asked for it, and then deletes the rows it read. The task queue so
holds a drain or two per kind instead of a task per write, and the work is done in bulk.

Why nothing is lost or done on stale data:

- Keys are recorded after the write commits, so the drain that reads them sees the write.
- A drain deletes only the rows it read, and only after their work succeeded: a key
  recorded while it runs stays for the next batch, and a drain that dies (or is run twice
  by a worker whose lease expired) leaves its rows to the next run. Every kind of work
  here is safe to repeat: it recomputes from the current data.
- A drain is enqueued unless one is waiting and not yet started; a waiting drain reads
  every row recorded before it starts. A drain that stops with rows left (its batch was
  full and its time budget spent) enqueues its successor before it returns.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string


class PendingWork(models.Model):
    """A key some write asked a drain to process; concrete tables add the key's columns."""

    id = models.BigAutoField(primary_key=True)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Queue:
    """A kind of coalesced work: its pending table, the columns of a key, and its drain task."""

    name: str
    model: str  # "app_label.Model", a PendingWork subclass
    fields: tuple[str, ...]
    task: str  # dotted path of a task that takes no arguments and calls `drain`

    def pending_model(self):
        return apps.get_model(self.model)

    def drain_task(self):
        return import_string(self.task)


# --- asking ------------------------------------------------------------------------------


class _Batch:
    """The keys one transaction asked for, recorded together when it commits.

    Every `request` registers the batch's flush with `on_commit` (a savepoint that rolls
    back drops only its own callbacks); the first flush to run records every key, later
    ones find nothing left to do.
    """

    def __init__(self, queue: Queue):
        self.queue = queue
        self.keys: dict[tuple, None] = {}

    def flush(self) -> None:
        from practica.reliability.worker import once_more_after_a_cut

        keys, self.keys = list(self.keys), {}
        once_more_after_a_cut(record, self.queue, keys)


def _due(batch: _Batch) -> bool:
    """Whether one of the batch's commit callbacks is still due (not run, not rolled back)."""
    return any(callback == batch.flush for _sids, callback, _robust in connection.run_on_commit)


def request(queue: Queue, keys: Iterable[tuple]) -> None:
    """Ask for `keys` to be processed once the current transaction commits (now if none)."""
    keys = [tuple(key) for key in keys]
    if not keys:
        return
    if not connection.in_atomic_block:
        record(queue, keys)
        return
    batches = connection.__dict__.setdefault("_practica_pending", {})
    batch = batches.get(queue.name)
    if batch is None or not _due(batch):
        batch = batches[queue.name] = _Batch(queue)
    batch.keys.update(dict.fromkeys(keys))
    transaction.on_commit(batch.flush)


def record(queue: Queue, keys: Sequence[tuple]) -> None:
    """Write `keys` to the pending table now and make sure a drain is waiting.

    For bulk operations that have committed their own work, and for `request`'s commit
    callback. Both statements commit together, so a key is never left without a drain.
    """
    if not keys:
        return
    model = queue.pending_model()
    with transaction.atomic():
        model.objects.bulk_create(
            [model(**dict(zip(queue.fields, key, strict=True))) for key in dict.fromkeys(keys)],
            batch_size=1000,
        )
        enqueue_once(queue.drain_task())


def enqueue_once(task) -> None:
    """Enqueue `task` (one that takes no arguments) unless one is already waiting to run.

    Only the database backend can tell what is waiting; other backends (the immediate one
    in tests) always enqueue, which runs the task at once.
    """
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.ready().filter(
            task_path=task.module_path, backend_name=task.backend
        )
        if waiting.exists():
            return
    task.enqueue()


# --- draining ----------------------------------------------------------------------------


def drain(
    queue: Queue,
    process: Callable[[list[tuple]], object],
    *,
    batch: int = 500,
    seconds: float = 20.0,
) -> int:
    """Process pending keys in batches of `batch` rows until none are left or `seconds` pass.

    `process` gets each batch's distinct keys, oldest first, and must be safe to repeat.
    Returns how many distinct keys were processed.
    """
    model = queue.pending_model()
    started = time.monotonic()
    done = 0
    while True:
        rows = list(model.objects.order_by("pk").values_list("pk", *queue.fields)[:batch])
        if not rows:
            return done
        keys = list(dict.fromkeys(tuple(row[1:]) for row in rows))
        process(keys)
        model.objects.filter(pk__in=[row[0] for row in rows]).delete()
        done += len(keys)
        if len(rows) < batch:
            # Rows recorded since this read found this drain running, not waiting, so
            # they enqueued a drain of their own.
            return done
        if time.monotonic() - started > seconds:
            enqueue_once(queue.drain_task())  # rows are left that nobody else will drain
            return done


def forget_before(queue: Queue, last_id: int) -> int:
    """Drop pending rows up to `last_id`: for a rebuild that read everything after they were
    recorded (the rows were written after their writes committed)."""
    deleted, _ = queue.pending_model().objects.filter(pk__lte=last_id).delete()
    return deleted


def last_pending_id(queue: Queue) -> int:
    last = queue.pending_model().objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0
