"""`practica worker`: run background tasks (email, digests, indexing, progression).

Any number of workers may run against the same database: each task is claimed by one.
The worker rides out database outages (it waits and reconnects), beats its heart so that
health checks see it, and takes up tasks a dead worker left running once their lease has
expired (practica/reliability/worker.py).

Every worker also runs the periodic scheduler (digests, email retries, the nightly
progression sweep, pruning old task results) in a thread, unless PRACTICA_SCHEDULER=0 or
`--no-scheduler`; several workers may do so at once, because each job is claimed once per
period in the ScheduledRun table. docs/scheduling.md explains the mechanism.
"""

import logging
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS

log = logging.getLogger("practica.scheduler")

TICK_SECONDS = 60


def run_scheduler(stop: threading.Event, every: float = TICK_SECONDS) -> None:
    """Call the scheduler's tick every `every` seconds until `stop` is set."""
    from practica.notifications.scheduling import tick

    while not stop.is_set():
        close_old_connections()
        try:
            tick()
        except Exception:  # noqa: BLE001 - a failed tick is logged and tried again next minute
            log.exception("scheduler tick failed")
        finally:
            connection.close()
        stop.wait(every)


class Command(BaseCommand):
    help = "Process background tasks from the database queue until stopped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Process what is queued, then exit."
        )
        parser.add_argument("--interval", type=float, default=1.0)
        scheduler = parser.add_mutually_exclusive_group()
        scheduler.add_argument(
            "--with-scheduler",
            action="store_true",
            dest="with_scheduler",
            default=None,
            help="Run the periodic scheduler even if PRACTICA_SCHEDULER is off.",
        )
        scheduler.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="with_scheduler",
            help="Do not run the periodic scheduler in this worker.",
        )
        parser.add_argument("--worker-id", default="", help="Unique id (default: host-pid-random).")

    def handle(self, *args, batch, interval, with_scheduler, worker_id, **options):
        from practica.reliability.worker import Worker, new_worker_id

        if with_scheduler is None:
            with_scheduler = settings.PRACTICA_SCHEDULER and not batch
        stop = threading.Event()
        if with_scheduler:
            threading.Thread(
                target=run_scheduler, args=(stop,), name="practica-scheduler", daemon=True
            ).start()
            self.stdout.write("Scheduler running: periodic jobs are enqueued every minute.")
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not batch,
            max_tasks=None,
            worker_id=worker_id or new_worker_id(),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
            worker.reset_signals()
