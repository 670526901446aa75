"""Background work of the bulletin: confirmation emails, sending issues, scheduling."""

from __future__ import annotations

from django_tasks import task


@task()
def send_confirmation(subscriber_id: int) -> str:
    """Email the double opt-in link to one subscriber."""
    from practica.bulletin.services.emails import send_confirmation_email

    return send_confirmation_email(subscriber_id=subscriber_id)


@task()
def send_issue_batch(issue_id: int) -> dict:
    """Send the next batch of one issue's deliveries; the batch queues the one after."""
    from dataclasses import asdict

    from practica.bulletin.services.sending import send_batch

    return asdict(send_batch(issue_id=issue_id))


@task()
def publish_scheduled_issue(issue_id: int) -> str:
    """Publish a scheduled issue whose time has come (enqueued to run at that time)."""
    from practica.bulletin.services.publication import publish_due_issues

    published = publish_due_issues()
    return f"published {len(published)} issue(s)"


@task()
def sweep_deliveries() -> int:
    """Publish due issues and resume any sending left unfinished (safe to run any time)."""
    from practica.bulletin.services.sending import sweep

    return sweep()
