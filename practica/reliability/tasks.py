"""Background work of reliability: pruning the task table."""

from __future__ import annotations

from django_tasks import task


@task()
def prune_task_results() -> dict[str, int]:
    """Delete old task results (the scheduler's hourly `prune-tasks` job)."""
    from practica.reliability.pruning import prune_task_results as prune

    return prune()
