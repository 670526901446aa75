"""`practica worker`: run background tasks (email, digests, indexing, progression).

Any number of workers may run against the same database: each task is claimed by one.
With `--with-scheduler`, the worker also runs the periodic scheduler (digests, email
retries, the nightly progression sweep) in a thread; several workers may do so at once,
because each job is claimed once per period in the ScheduledRun table. docs/scheduling.md
explains the mechanism.
"""

import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

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
        parser.add_argument(
            "--with-scheduler",
            action="store_true",
            help="Also enqueue periodic jobs (digests, email retries, progression sweep).",
        )

    def handle(self, *args, batch, interval, with_scheduler, **options):
        stop = threading.Event()
        if with_scheduler:
            threading.Thread(
                target=run_scheduler, args=(stop,), name="practica-scheduler", daemon=True
            ).start()
            self.stdout.write("Scheduler running: periodic jobs are enqueued every minute.")
        worker_options = {"queue_name": "*", "interval": interval, "reload": False}
        if batch:
            worker_options["batch"] = True
        try:
            call_command("db_worker", **worker_options)
        finally:
            stop.set()
