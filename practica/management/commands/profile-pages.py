"""`practica profile-pages`: where each main page's time goes, in this process.

Requests each page through Django's test client with the request timer on
(practica/timing.py) — as a visitor with the page cache off and as a signed-in member —
and prints per request the queries, milliseconds in SQL, in templates and elsewhere, and
the CPU milliseconds, medians of `--requests` runs after one warm-up. No server and no
network: the figures are the application's own cost, which bounds what a server process
can answer (two cores give at most 2,000 / CPU ms requests a second).
"""

from __future__ import annotations

import logging
import os
import re
import statistics

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.test import Client, override_settings

TIMING = re.compile(r"(\w+);dur=([\d.]+)(?:;desc=\"(\d+) queries\")?")


def _pages(community, member) -> list[tuple[str, str]]:
    from practica.conversations.models import Thread
    from practica.library.models import Article

    threads = Thread.objects.filter(community=community, status="published").annotate(
        posts_n=Count("posts")
    )
    pages = [("community home", f"/c/{community.slug}/")]
    for kind in ("question", "discussion"):
        thread = threads.filter(kind=kind).order_by("-posts_n", "pk").first()
        if thread is not None:
            pages.append((f"{kind} page ({thread.posts_n} posts)", thread.get_absolute_url()))
    pages.append(("thread list", f"/c/{community.slug}/conversations/"))
    pages.append(("search", "/search/?q=handover"))
    pages.append(("search JSON", "/search.json?q=handover"))
    article = Article.objects.filter(community=community, status="published").first()
    if article is not None:
        pages.append(("article", article.get_absolute_url()))
    pages.append(("trajectory", f"/c/{community.slug}/trajectory/"))
    pages.append(("home", "/"))
    pages.append(("/healthz", "/healthz"))
    return pages


class Command(BaseCommand):
    help = "Queries, SQL ms, template ms and CPU ms per request of the main pages."

    def add_arguments(self, parser):
        parser.add_argument("--community", default="ward-care")
        parser.add_argument("--member", default="participant@example.com")
        parser.add_argument("--requests", type=int, default=10)

    def handle(self, *args, community, member, requests, **options):
        from practica.communities.models import Community
        from practica.people.models import User

        place = Community.objects.filter(slug=community).first()
        user = User.objects.filter(email=member).first()
        if place is None or user is None:
            raise CommandError("Run `practica seed-demo` first (or name --community/--member).")
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        self.stdout.write(f"load average {load}; medians of {requests} requests")
        self.stdout.write(
            f"{'page':<28} {'who':<8} {'status':>6} {'queries':>7} {'SQL ms':>7} "
            f"{'tpl ms':>7} {'other ms':>8} {'CPU ms':>7}"
        )
        from django.conf import settings

        logging.disable(logging.WARNING)  # one log line a request would drown the table
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        with override_settings(
            REQUEST_TIMING=True, ANONYMOUS_CACHE_SECONDS=0, DEBUG=False, ALLOWED_HOSTS=hosts
        ):
            visitor, signed_in = Client(), Client()
            signed_in.force_login(user)
            for name, url in _pages(place, user):
                for who, client in (("visitor", visitor), ("member", signed_in)):
                    if who == "visitor" and name in ("trajectory", "home"):
                        continue
                    self._row(name, who, client, url, requests)

    def _row(self, name, who, client, url, requests) -> None:
        client.get(url)  # warm-up: templates compiled, caches filled
        runs = []
        for _ in range(requests):
            response = client.get(url)
            parts = {
                key: (float(ms), desc)
                for key, ms, desc in TIMING.findall(response["Server-Timing"])
            }
            runs.append((response.status_code, parts))
        status = runs[-1][0]

        def median(key: str) -> float:
            return statistics.median(parts[key][0] for _status, parts in runs)

        queries = int(runs[-1][1]["db"][1] or 0)
        self.stdout.write(
            f"{name:<28} {who:<8} {status:>6} {queries:>7} {median('db'):>7.1f} "
            f"{median('tpl'):>7.1f} {median('app'):>8.1f} {median('cpu'):>7.1f}"
        )
