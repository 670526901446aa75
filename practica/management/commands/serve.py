"""`practica serve`: gunicorn in front of Practica, static files from WhiteNoise.

Background work runs in a separate process, `practica worker`; run one or more beside
every deployment (or pass --with-worker to start one alongside, as the demo does: it is
watched and started again whenever it exits).
"""

import os
import shutil
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from practica.gunicorn_worker import LIMIT_REQUEST_LINE


def default_workers() -> int:
    # Gunicorn's rule of thumb, capped so a big machine doesn't exhaust database connections.
    return min(2 * (os.cpu_count() or 1) + 1, 12)


def gunicorn_command(gunicorn: str, *, host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command line `practica serve` runs (the tests run it too)."""
    return [
        gunicorn,
        "practica.wsgi:application",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--worker-class", "practica.gunicorn_worker.PracticaSyncWorker",
        "--limit-request-line", str(LIMIT_REQUEST_LINE),
        "--max-requests", "5000",
        "--max-requests-jitter", "500",
        "--timeout", os.environ.get("WEB_TIMEOUT", "60"),
        "--access-logfile", "-",
        "--access-logformat", '{"remote":"%(h)s","request":"%(r)s","status":%(s)s,"bytes":%(b)s,"ms":%(M)s}',
    ]  # fmt: skip


class Command(BaseCommand):
    help = "Serve Practica with gunicorn (production-grade), optionally with a task worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", default_workers()))
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also start one `practica worker` process and stop it with the server.",
        )

    def handle(self, *args, host, port, workers, with_worker, **options):
        bindir = os.path.dirname(sys.executable)
        gunicorn = shutil.which("gunicorn", path=bindir) or shutil.which("gunicorn")
        command = gunicorn_command(gunicorn, host=host, port=port, workers=workers)
        # The server and the worker write links (emails, feeds) to the address served here,
        # unless SITE_URL names the public one, e.g. behind a proxy.
        if not os.environ.get("SITE_URL"):
            local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
            os.environ["SITE_URL"] = f"http://{local}:{port}"
            settings.SITE_URL = os.environ["SITE_URL"]
        from practica.reliability.supervise import Supervised

        worker = None
        if with_worker:
            practica = shutil.which("practica", path=bindir) or "practica"
            worker = Supervised([practica, "worker"], name="worker")
            worker.start()
            self.stdout.write(f"Started a task worker (pid {worker.pid}), restarted if it exits.")
        self.stdout.write(f"Serving Practica on http://{host}:{port}/ with {workers} workers.")
        server = subprocess.Popen(command)  # noqa: S603
        stopping = []
        signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
        try:
            while server.poll() is None and not stopping:
                if worker is not None:
                    worker.check()
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                server.wait()
            if worker is not None:
                worker.stop()
