"""`practica bench-pages`: serve the demo with gunicorn and measure page throughput.

Drives the real server over loopback with wrk (Debian's package), for visitors and for a
signed-in member, and prints requests per second and latency percentiles per page. The
figures are for comparing builds on the same machine, never asserted by tests.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from practica.people.models import User

PAGES = [
    "/",
    "/c/",
    "/c/ward-care/",
    "/c/ward-care/conversations/",
    "/c/ward-care/library/",
    "/c/ward-care/events/",
    "/people/",
    "/bulletin/",
]
LATENCY_LINE = re.compile(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, *, seconds: int, connections: int, cookie: str = "") -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    latency = {p: float(v) * UNIT_MS[u] for p, v, u in LATENCY_LINE.findall(output)}
    return {"rps": rps, "p50": latency.get("50"), "p99": latency.get("99"),
            "errors": int(errors.group(1)) if errors else 0}  # fmt: skip


class Command(BaseCommand):
    help = "Measure requests per second of the main pages against a running gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8190)
        parser.add_argument("--seconds", type=int, default=8)
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--member", default="learner@example.com")

    def handle(self, *args, port, seconds, connections, member, **options):
        if shutil.which("wrk") is None:
            raise CommandError(
                "wrk is not installed: `apt-get install wrk` (make bench-pages does)."
            )
        user = User.objects.filter(email=member).first()
        if user is None:
            raise CommandError(f"No member {member}: run `practica seed-demo` first.")
        client = Client()
        client.force_login(user)
        cookie = f"sessionid={client.cookies['sessionid'].value}"

        practica = shutil.which("practica", path=os.path.dirname(sys.executable)) or "practica"
        server = subprocess.Popen(  # noqa: S603
            [practica, "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            self._wait_until_up(base)
            self.stdout.write(
                f"{'page':<32} {'who':<8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
            )
            for path in PAGES:
                for who, with_cookie in (("visitor", ""), ("member", cookie)):
                    wrk(base + path, seconds=1, connections=4, cookie=with_cookie)  # warm up
                    r = wrk(
                        base + path, seconds=seconds, connections=connections, cookie=with_cookie
                    )
                    self.stdout.write(
                        f"{path:<32} {who:<8} {r['rps']:>8.0f} {r['p50'] or 0:>8.1f} "
                        f"{r['p99'] or 0:>8.1f} {r['errors']:>8}"
                    )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    def _wait_until_up(self, base: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.3)
        raise CommandError("The server did not start within 30 seconds.")
