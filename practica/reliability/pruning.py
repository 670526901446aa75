"""Pruning: the task table keeps recent results only (failures longer than successes)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from practica.reliability.models import Heartbeat

BATCH = 2000
# A heartbeat this old belongs to a worker long gone.
KEEP_HEARTBEATS = timedelta(days=1)


def _delete_in_batches(queryset) -> int:
    """Delete in short transactions, so writers are never held up for long."""
    deleted = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return deleted
        deleted += DBTaskResult.objects.filter(pk__in=ids).delete()[0]


def prune_task_results(*, now=None) -> dict[str, int]:
    """Delete successful results older than TASK_KEEP_SUCCEEDED_HOURS and failed ones
    older than TASK_KEEP_FAILED_DAYS; ready and running tasks are never touched."""
    now = now or timezone.now()
    succeeded = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__lt=now - timedelta(hours=settings.TASK_KEEP_SUCCEEDED_HOURS),
    )
    failed = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED,
        finished_at__lt=now - timedelta(days=settings.TASK_KEEP_FAILED_DAYS),
    )
    heartbeats = Heartbeat.objects.filter(beat_at__lt=now - KEEP_HEARTBEATS).delete()[0]
    return {
        "succeeded": _delete_in_batches(succeeded),
        "failed": _delete_in_batches(failed),
        "heartbeats": heartbeats,
    }
