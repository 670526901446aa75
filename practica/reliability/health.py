"""What `/healthz` checks: the database accepts a write, a worker is alive, the queue moves.

The write is a one-row heartbeat (`Heartbeat` "web"): a database that answers SELECT but
refuses writes (read-only, disk full, a replica after failover) makes `/healthz` say 503.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from practica.reliability.models import Heartbeat

WEB_HEARTBEAT = "web"


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def check_database() -> dict:
    """{"ok", "state": "up" | "down" | "read-only", "write_ms"} for this request's database."""
    started = time.perf_counter()
    try:
        now = timezone.now()
        with transaction.atomic():
            if not Heartbeat.objects.filter(name=WEB_HEARTBEAT).update(beat_at=now):
                try:
                    with transaction.atomic():
                        Heartbeat.objects.create(name=WEB_HEARTBEAT, beat_at=now)
                except IntegrityError:
                    pass  # another request made the row first
    except DatabaseError as error:
        state = "read-only" if _reads(error) else "down"
        return {"ok": False, "state": state, "error": f"{type(error).__name__}: {error}"[:300]}
    return {"ok": True, "state": "up", "write_ms": _ms(started)}


def _reads(error: DatabaseError) -> bool:
    """Whether the database still answers a read (so it is the write that failed)."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def check_workers(now=None) -> dict:
    now = now or timezone.now()
    window = timedelta(seconds=settings.HEALTH_WORKER_WITHIN_SECONDS)
    beats = list(
        Heartbeat.objects.filter(name__startswith="worker:")
        .order_by("-beat_at")
        .values_list("beat_at", flat=True)[:50]
    )
    alive = [b for b in beats if b >= now - window]
    last = round((now - beats[0]).total_seconds(), 1) if beats else None
    return {"ok": bool(alive), "alive": len(alive), "last_beat_age_s": last}


def check_queue(now=None) -> dict:
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = round((now - oldest).total_seconds(), 1) if oldest else 0.0
    return {
        "ok": age <= settings.HEALTH_QUEUE_MAX_AGE_SECONDS,
        "ready": ready.count(),
        "oldest_ready_age_s": age,
        "running": DBTaskResult.objects.running().count(),
    }


def report(database: dict | None = None) -> dict:
    """Every check, for `/healthz?full=1`; status ok / degraded (the site serves, background
    work lags) / unavailable (the database)."""
    database = database or check_database()
    checks = {"database": database}
    if database["ok"]:
        try:
            checks["worker"] = check_workers()
            checks["queue"] = check_queue()
        except DatabaseError as error:
            checks["database"] = {"ok": False, "state": "down", "error": str(error)[:300]}
    if not checks["database"]["ok"]:
        status = "unavailable"
    elif all(check["ok"] for check in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return {"status": status, "checks": checks}
