"""/healthz tells the truth: a database that refuses writes is down for load balancers, and
`?full=1` shows the worker's heartbeat and the age of the oldest waiting task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from practica.reliability.models import Heartbeat
from practica.reliability.worker import beat


def _refuse_writes(on: bool) -> None:
    """Make this database connection read-only, as a replica or a full disk would be."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA query_only = {'ON' if on else 'OFF'}")
        else:
            cursor.execute(f"SET default_transaction_read_only = {'on' if on else 'off'}")


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_refuses_writes(client):
    _refuse_writes(True)
    try:
        response = client.get("/healthz")
        full = client.get("/healthz?full=1")
    finally:
        _refuse_writes(False)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "read-only"}
    assert full.status_code == 503
    assert full.json()["status"] == "unavailable"
    assert full.json()["checks"]["database"]["state"] == "read-only"
    assert client.get("/healthz").json() == {"status": "ok"}  # writable again


@pytest.mark.django_db
def test_healthz_writes_a_heartbeat_row(client):
    assert client.get("/healthz").status_code == 200
    first = Heartbeat.objects.get(name="web").beat_at
    client.get("/healthz")
    assert Heartbeat.objects.get(name="web").beat_at >= first
    assert Heartbeat.objects.filter(name="web").count() == 1


@pytest.mark.django_db
def test_full_health_is_degraded_without_a_live_worker(client):
    Heartbeat.objects.create(name="worker:old", beat_at=timezone.now() - timedelta(minutes=5))
    response = client.get("/healthz?full=1")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["worker"] == {
        "ok": False,
        "alive": 0,
        "last_beat_age_s": pytest.approx(300, abs=5),
    }
    # The load balancer's answer stays 200: the site itself serves.
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_full_health_is_ok_with_a_live_worker_and_a_moving_queue(client):
    beat("w1")
    response = client.get("/healthz?full=1")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["worker"]["alive"] == 1
    assert body["checks"]["queue"]["oldest_ready_age_s"] == 0


@pytest.mark.django_db
def test_full_health_reports_the_oldest_ready_task(client, settings):
    from django_tasks_db.models import DBTaskResult

    from practica.reliability.tasks import prune_task_results

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    beat("w1")
    waiting = prune_task_results.enqueue()
    DBTaskResult.objects.filter(pk=waiting.id).update(
        enqueued_at=timezone.now() - timedelta(minutes=12)
    )
    body = client.get("/healthz?full=1").json()
    assert body["status"] == "degraded"
    assert body["checks"]["queue"]["ready"] == 1
    assert body["checks"]["queue"]["oldest_ready_age_s"] >= 720
