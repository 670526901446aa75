"""Background work of notifications, run by `practica worker`."""

from __future__ import annotations

import logging
from datetime import date

from django.core.management import call_command, get_commands
from django_tasks import task

log = logging.getLogger("practica.notifications.tasks")


@task()
def send_email(email_id: int) -> str:
    """Send one logged email (a notification's or a digest's)."""
    from practica.notifications.mail import deliver
    from practica.reliability.worker import retaken

    return deliver(email_id, retaken=retaken())


@task()
def send_digest(user_id: int, cadence: str, period_start: str) -> str:
    from practica.notifications.digests import send_digest as send
    from practica.reliability.worker import retaken

    return send(
        user_id=user_id,
        cadence=cadence,
        start=date.fromisoformat(period_start),
        retaken=retaken(),
    )


@task()
def plan_digests() -> int:
    """Enqueue every digest whose morning has come; returns how many."""
    from practica.notifications.digests import due

    found = due()
    for user_id, cadence, start in found:
        send_digest.enqueue(user_id, cadence, start.isoformat())
    return len(found)


@task()
def notify_reviews_due() -> int:
    """Tell owners what they look after is due for review (once per review date)."""
    from practica.notifications.reviews import notify_reviews_due as notify_all

    return notify_all()


@task()
def retry_email() -> int:
    from practica.notifications.mail import due_retries

    found = due_retries()
    for email_id in found:
        send_email.enqueue(email_id)
    return len(found)


@task()
def progression_sweep() -> str:
    """The nightly re-evaluation of every member (what only time changes, such as days)."""
    if "evaluate-progression" not in get_commands():
        log.warning("progression sweep skipped: the evaluate-progression command is missing")
        return "skipped"
    call_command("evaluate-progression")
    return "done"
