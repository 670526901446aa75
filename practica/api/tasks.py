"""Background work of the API: webhook deliveries, run by the worker."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhook(delivery_id: int) -> str:
    from practica.api.webhooks.services import deliver

    return deliver(delivery_id)
