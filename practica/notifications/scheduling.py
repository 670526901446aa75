"""The periodic scheduler: one mechanism, safe with any number of workers.

Every minute each scheduler (every `practica worker` unless PRACTICA_SCHEDULER=0, or cron running
`practica schedule-tick`) calls `tick`. For each job it works out the current period and
tries to insert a ScheduledRun row for (job, period); the unique constraint lets exactly one
insert succeed, and only that scheduler enqueues the job. See docs/scheduling.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from practica.notifications.models import ScheduledRun

log = logging.getLogger("practica.scheduler")

# Progression sweeps run nightly from this UTC hour.
SWEEP_HOUR_UTC = 2
KEEP_RUNS = timedelta(days=30)


def _every_minutes(minutes: int) -> Callable[[datetime], str | None]:
    def period(now: datetime) -> str:
        floored = now.replace(minute=now.minute - now.minute % minutes, second=0, microsecond=0)
        return floored.strftime("%Y-%m-%dT%H:%M")

    return period


def _nightly(now: datetime) -> str | None:
    return now.strftime("%Y-%m-%d") if now.hour >= SWEEP_HOUR_UTC else None


@dataclass(frozen=True)
class Job:
    name: str
    period: Callable[[datetime], str | None]
    task: str  # the dotted path of a django-tasks task


JOBS = [
    # Digests: each member's morning comes at a different UTC hour, so look often; the
    # DigestRun constraint keeps each digest single whatever happens here.
    Job("digests", _every_minutes(15), "practica.notifications.tasks.plan_digests"),
    Job("retry-email", _every_minutes(5), "practica.notifications.tasks.retry_email"),
    Job("progression-sweep", _nightly, "practica.notifications.tasks.progression_sweep"),
    # Owners hear once per review date; the notification's source keeps it once.
    Job("reviews-due", _nightly, "practica.notifications.tasks.notify_reviews_due"),
    # Picks up bulletin deliveries a killed worker left claimed but unsent.
    Job("bulletin-sweep", _every_minutes(5), "practica.bulletin.tasks.sweep_deliveries"),
    # Keeps the task table small: successes go after a day, failures after 30 days.
    Job("prune-tasks", _every_minutes(60), "practica.reliability.tasks.prune_task_results"),
    # Community-health rollups: yesterday and today, hourly, so the dashboard is an hour fresh.
    Job("insights-rollup", _every_minutes(60), "practica.insights.tasks.rollup_recent"),
    Job("story-prompts", _nightly, "practica.insights.tasks.prompt_stories"),
]


def claim(job: str, period: str) -> bool:
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(job=job, period=period)
    except IntegrityError:
        return False
    return True


def tick(now: datetime | None = None) -> list[str]:
    """Enqueue each job whose period has no run yet; returns the names enqueued."""
    now = (now or timezone.now()).astimezone(UTC)
    enqueued = []
    for job in JOBS:
        period = job.period(now)
        if period is None or not claim(job.name, period):
            continue
        import_string(job.task).enqueue()
        enqueued.append(job.name)
        log.info("job enqueued", extra={"job": job.name, "period": period})
    ScheduledRun.objects.filter(created_at__lt=now - KEEP_RUNS).delete()
    return enqueued
