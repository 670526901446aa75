"""`practica bench-api`: thread list and thread detail through the API, beside their pages.

Serves the demo with gunicorn, makes a read token for a demo member, and drives the real
server over loopback with wrk: the JSON endpoints with the token, the HTML pages with the
same member's session. Prints requests per second and p50/p99 latency. The server runs
with the API's rate limit raised, or the limit would be what is measured.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from practica.api import tokens
from practica.conversations.models import Thread
from practica.management.commands import _bench
from practica.people.models import User


class Command(BaseCommand):
    help = "Measure API throughput for thread list and detail beside the same HTML pages."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8191)
        parser.add_argument("--seconds", type=int, default=8)
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--member", default="learner@example.com")
        parser.add_argument("--community", default="ward-care")

    def handle(self, *args, port, seconds, connections, member, community, **options):
        if shutil.which("wrk") is None:
            raise CommandError("wrk is not installed: `apt-get install wrk` (make bench-api does).")
        user = User.objects.filter(email=member).first()
        if user is None:
            raise CommandError(f"No member {member}: run `practica seed-demo` first.")
        thread = (
            Thread.objects.filter(community__slug=community, status="published")
            .order_by("-reply_count", "pk")
            .first()
        )
        if thread is None:
            raise CommandError(f"No threads in {community}: run `practica seed-demo` first.")
        made = tokens.create_personal_token(
            actor=user, name="bench-api", scope="read", expires_in_days=7
        )
        client = Client()
        client.force_login(user)
        cookie = f"sessionid={client.cookies['sessionid'].value}"
        bearer = f"Authorization: Bearer {made.secret}"
        targets = [
            ("thread list", "API", f"/api/v1/communities/{community}/threads", bearer),
            ("thread list", "HTML", f"/c/{community}/conversations/", f"Cookie: {cookie}"),
            ("thread detail", "API", f"/api/v1/communities/{community}/threads/{thread.pk}",
             bearer),
            ("thread posts", "API",
             f"/api/v1/communities/{community}/threads/{thread.pk}/posts", bearer),
            ("thread detail", "HTML", thread.get_absolute_url(), f"Cookie: {cookie}"),
        ]  # fmt: skip
        practica = shutil.which("practica", path=os.path.dirname(sys.executable)) or "practica"
        env = {**os.environ, "API_READS_PER_MINUTE": "100000000"}
        server = subprocess.Popen(  # noqa: S603
            [practica, "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _bench.wait_until_up(base)
            self.stdout.write(
                f"{'what':<14} {'as':<5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
                f"  path"
            )
            for what, kind, path, header in targets:
                _bench.wrk(base + path, seconds=1, connections=4, header=header)  # warm up
                r = _bench.wrk(base + path, seconds=seconds, connections=connections, header=header)
                self.stdout.write(
                    f"{what:<14} {kind:<5} {r['rps']:>8.0f} {r['p50'] or 0:>8.1f} "
                    f"{r['p99'] or 0:>8.1f} {r['errors']:>8}  {path}"
                )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            tokens.revoke_token(actor=user, token=made.token)
