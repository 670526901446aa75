"""Measure the task queue under posting load: tasks/s for each kind and reply-to-search lag.

    .venv/bin/python -m practica.bench_queue                  # 30 posters for 30 seconds
    .venv/bin/python -m practica.bench_queue --posters 10 --seconds 10

On the database in use (SQLite by default, PostgreSQL with DATABASE_URL) it makes a
throw-away community (`bench-queue`) with one member per poster and a thread, starts one
`practica worker` process, and has each poster reply through the reply service (the code
behind the reply form and the API) about once a second, in threads of this process. Each
reply's lag is the time from its post's creation to the moment its search entry was
written (`SearchEntry.updated_at`, stamped by the drain that indexed it). It prints the
replies' posting latency, the lag's p50, p95 and max, and for each kind of task the
worker finished during the run how many and how many a second, with the keys the
coalescing drains processed. The community is removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import threading
import time

SLUG = "bench-queue"
DOMAIN = "bench-queue.invalid"
SENTENCES = [
    "We moved the safety huddle to the start of the shift and handover improved.",
    "Pharmacy now reviews the chart the morning after every admission.",
    "The laminated checklist helps new starters with pressure area care.",
    "Escalate to the registrar when the early warning score rises by two.",
    "Our unit audits falls every month and shares the themes at the huddle.",
]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practica.settings")
    os.environ.setdefault("DEBUG", "1")  # settings need a key; DEBUG is switched off below
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _cleanup() -> None:
    from practica.communities.models import Community
    from practica.people.models import User
    from practica.search.models import SearchEntry

    community = Community.objects.filter(slug=SLUG).first()
    if community is not None:
        SearchEntry.objects.filter(community=community).delete()
        community.delete()  # a few hundred posts: the ORM's cascade finds what refers to them
    people = User.objects.filter(email__endswith="@" + DOMAIN)
    SearchEntry.objects.filter(kind="person", object_id__in=people.values("pk")).delete()
    people.delete()


def _world(posters: int):
    from practica.communities.models import Community, Membership
    from practica.communities.stages import Stage
    from practica.conversations.models import ConversationSettings
    from practica.conversations.services import start_thread
    from practica.people.models import User

    community = Community.objects.create(slug=SLUG, name="Queue benchmark")
    # Posters post far more often than a member may: the limit is not what is measured.
    ConversationSettings.objects.create(community=community, posts_per_ten_minutes=30000)
    members = []
    for n in range(posters):
        user = User.objects.create_user(
            username=f"queue{n}", email=f"queue{n}@{DOMAIN}", display_name=f"Poster {n}"
        )
        Membership.objects.create(user=user, community=community, stage=Stage.FULL)
        members.append(user)
    thread = start_thread(
        actor=members[0],
        community=community,
        kind="discussion",
        title="How do your wards run the safety huddle?",
        body="Share what works on your ward.",
    )
    return community, members, thread


def _poster(user, thread_id: int, until: float, latencies: list, errors: list, seed: int):
    from django.db import connection

    from practica.conversations.models import Thread
    from practica.conversations.services import reply

    rng = random.Random(seed)
    try:
        thread = Thread.objects.select_related("community").get(pk=thread_id)
        while time.monotonic() < until:
            start = time.perf_counter()
            try:
                reply(actor=user, thread=thread, body=" ".join(rng.sample(SENTENCES, 2)))
                latencies.append(time.perf_counter() - start)
            except Exception as error:  # noqa: BLE001 - counted and shown, the run goes on
                errors.append(type(error).__name__)
            time.sleep(max(0.0, 1.0 - (time.perf_counter() - start)) * rng.uniform(0.5, 1.5))
    finally:
        connection.close()


def _rss_mib(pid: int) -> float:
    """Resident memory of a process (Linux), in MiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _wait_for_worker(*, started) -> None:
    """Until the worker has beaten its heart: its start-up is not part of the lag."""
    from practica.reliability.models import Heartbeat

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if Heartbeat.objects.filter(name__startswith="worker:", beat_at__gte=started).exists():
            return
        time.sleep(0.2)
    raise SystemExit("The worker did not start within two minutes.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posters", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    _setup()
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from practica.conversations.models import Post
    from practica.search.models import SearchEntry

    _cleanup()
    community, members, thread = _world(args.posters)
    practica = shutil.which("practica", path=os.path.dirname(sys.executable)) or "practica"
    worker = subprocess.Popen(  # noqa: S603
        [practica, "worker", "--interval", "0.2", "--no-scheduler"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_worker(started=timezone.now())
        began = timezone.now()
        latencies: list[float] = []
        errors: list[str] = []
        until = time.monotonic() + args.seconds
        load_before = os.getloadavg()
        posters = [
            threading.Thread(
                target=_poster, args=(user, thread.pk, until, latencies, errors, n), daemon=True
            )
            for n, user in enumerate(members)
        ]
        for poster in posters:
            poster.start()
        for poster in posters:
            poster.join()
        replies = Post.objects.filter(thread=thread, is_opening=False, created_at__gte=began)
        wanted = dict(replies.values_list("pk", "created_at"))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            found = SearchEntry.objects.filter(kind="reply", object_id__in=list(wanted)).count()
            if found == len(wanted):
                break
            time.sleep(0.5)
        indexed = dict(
            SearchEntry.objects.filter(kind="reply", object_id__in=list(wanted)).values_list(
                "object_id", "updated_at"
            )
        )
        lags = [
            (indexed[pk] - created).total_seconds()
            for pk, created in wanted.items()
            if pk in indexed
        ]
        finished = timezone.now()
        load_after = os.getloadavg()
        print(
            f"Database: {connection.vendor}; {args.posters} posters for {args.seconds}s; "
            f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
        )
        print(
            f"replies: {len(latencies):,} posted ({len(latencies) / args.seconds:.1f}/s), "
            f"{len(errors)} refused or failed {sorted(set(errors)) or ''}; posting p50 "
            f"{_percentile(latencies, 50) * 1000:.0f} ms, p99 {_percentile(latencies, 99) * 1000:.0f} ms"
        )
        print(
            f"reply to search: {len(lags):,} of {len(wanted):,} indexed; lag p50 "
            f"{_percentile(lags, 50):.2f}s, p95 {_percentile(lags, 95):.2f}s, "
            f"max {max(lags, default=0):.2f}s"
        )
        window = (finished - began).total_seconds()
        done = (
            DBTaskResult.objects.filter(finished_at__gte=began, finished_at__lte=finished)
            .values("task_path", "status")
            .annotate(n=Count("id"))
            .order_by("task_path")
        )
        print(f"tasks the worker finished in the {window:.0f}s from the first reply:")
        for row in done:
            keys = [
                value
                for value in DBTaskResult.objects.filter(
                    task_path=row["task_path"], finished_at__gte=began, finished_at__lte=finished
                ).values_list("return_value", flat=True)
                if isinstance(value, int)
            ]
            name = row["task_path"].rsplit(".", 1)[-1]
            print(
                f"  {name:<28} {row['status']:<10} {row['n']:>6} tasks, "
                f"{row['n'] / window:>6.1f} tasks/s"
                + (f", {sum(keys):,} keys ({sum(keys) / window:.1f}/s)" if sum(keys) else "")
            )
        print(f"worker RSS after the run: {_rss_mib(worker.pid):.0f} MiB")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        _cleanup()


if __name__ == "__main__":
    main()
