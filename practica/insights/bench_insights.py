"""Measure the community-health rollups and dashboard on the current database.

    .venv/bin/python -m practica.insights.bench_insights                  # 100,000 threads, 1,000,000 posts
    .venv/bin/python -m practica.insights.bench_insights --threads 10000 --posts 100000

Builds a deterministic community (`bench-insights`) of --members members and --threads
questions with replies up to --posts, spread over two years, inserted in bulk (no signals,
no tasks); a tenth of the questions get an accepted answer. Then times the rollup of one
day and of the last year (`practica rollup`'s code), and renders /c/bench-insights/insights/
as its steward for 30, 90 and 365 days (--renders times each, through the whole Django
stack), printing the median and p95 render time (wall clock and this process's CPU time, as the
machine may be shared) and the queries per render, which must be
the same for every period. The community is removed afterwards unless --keep is given (a
kept one is reused).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import UTC, timedelta

SLUG = "bench-insights"
DAYS = 730


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practica.settings")
    os.environ.setdefault("DEBUG", "1")  # settings need a key; DEBUG is switched off below
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: it would skew the timings
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Pages render without a collectstatic run: plain static URLs, no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _members(community, count: int, rng, now):
    from practica.communities.models import Membership, StageChange
    from practica.communities.stages import Stage
    from practica.people.models import Profession, User

    existing = list(Membership.objects.filter(community=community).select_related("user"))
    if existing:
        return [m.user for m in existing]
    professions = Profession.values
    users = User.objects.bulk_create(
        [
            User(username=f"bench.insights.{n}", email=f"bench.insights.{n}@bench.invalid",
                 display_name=f"Bench member {n}", profession=professions[n % len(professions)])
            for n in range(count)
        ],
        batch_size=2000,
    )  # fmt: skip
    stages = [Stage.STEWARD] + [Stage.FULL] * (count // 10) + [Stage.PARTICIPANT] * (count // 4)
    memberships = []
    for n, user in enumerate(users):
        joined = now - timedelta(days=rng.randint(5, DAYS), hours=rng.randint(0, 23))
        stage = stages[n] if n < len(stages) else Stage.PERIPHERAL
        memberships.append(
            Membership(
                user=user,
                community=community,
                stage=stage,
                joined_at=joined,
                stage_changed_at=joined,
            )
        )
    memberships = Membership.objects.bulk_create(memberships, batch_size=2000)
    changes = []
    for m in memberships:
        changes.append(
            StageChange(
                membership=m,
                kind="joined",
                from_stage=0,
                to_stage=Stage.PERIPHERAL,
                reason="Joined.",
                created_at=m.joined_at,
            )
        )
        if m.stage > Stage.PERIPHERAL:
            up = m.joined_at + (now - m.joined_at) * rng.uniform(0.2, 0.8)
            changes.append(
                StageChange(
                    membership=m,
                    kind="promoted",
                    from_stage=Stage.PERIPHERAL,
                    to_stage=m.stage,
                    reason="Criteria met.",
                    created_at=up,
                )
            )
    StageChange.objects.bulk_create(changes, batch_size=5000)
    return users


def _content(community, users, threads: int, posts: int, rng, now) -> float:
    from django.db import transaction

    from practica.conversations.models import Post, Thread, ThreadKind

    if Thread.objects.filter(community=community).exists():
        print("  reusing the kept bench community")
        return 0.0
    start = time.perf_counter()
    replies_per_thread = max(0, posts - threads) / max(1, threads)
    batch = 5000
    for offset in range(0, threads, batch):
        size = min(batch, threads - offset)
        with transaction.atomic():
            created = [now - timedelta(days=rng.uniform(0, DAYS)) for _ in range(size)]
            made = Thread.objects.bulk_create(
                [
                    Thread(community=community, kind=ThreadKind.QUESTION, title=f"Bench question {offset + i}",
                           author=rng.choice(users), created_at=when, published_at=when, last_activity_at=when)
                    for i, when in enumerate(created)
                ]
            )  # fmt: skip
            rows = []
            accepted = []
            for thread in made:
                rows.append(
                    Post(
                        thread=thread,
                        author=thread.author,
                        is_opening=True,
                        body="Details.",
                        body_html="<p>Details.</p>",
                        created_at=thread.created_at,
                    )
                )
                count = int(replies_per_thread) + (
                    1 if rng.random() < replies_per_thread % 1 else 0
                )
                when = thread.created_at
                for _ in range(count):
                    when = min(now, when + timedelta(minutes=rng.expovariate(1 / 600)))
                    rows.append(
                        Post(
                            thread=thread,
                            author=rng.choice(users),
                            body="A reply.",
                            body_html="<p>A reply.</p>",
                            created_at=when,
                        )
                    )
                thread.reply_count = count
            Post.objects.bulk_create(rows, batch_size=10000)
            for thread in made:
                if thread.reply_count and rng.random() < 0.1:
                    accepted.append(thread)
            if accepted:
                first = {
                    p.thread_id: p
                    for p in Post.objects.filter(thread__in=accepted, is_opening=False).order_by(
                        "-created_at"
                    )
                }
                for thread in accepted:
                    thread.accepted_post = first[thread.pk]
                    thread.accepted_at = first[thread.pk].created_at + timedelta(
                        hours=rng.uniform(1, 48)
                    )
            Thread.objects.bulk_update(
                made, ["reply_count", "accepted_post", "accepted_at"], batch_size=2000
            )
        done = offset + size
        if done % 20000 == 0 or done == threads:
            print(f"  {done:,} threads inserted ({time.perf_counter() - start:.0f}s)")
    return time.perf_counter() - start


def _cleanup(community) -> None:
    from django.db import connection, transaction

    from practica.people.models import User

    statements = [
        "DELETE FROM insights_memberday WHERE community_id = %s",
        "DELETE FROM insights_dailyrollup WHERE community_id = %s",
        "DELETE FROM insights_dailybreakdown WHERE community_id = %s",
        "UPDATE conversations_thread SET accepted_post_id = NULL WHERE community_id = %s",
        "DELETE FROM conversations_post WHERE thread_id IN (SELECT id FROM conversations_thread WHERE community_id = %s)",
        "DELETE FROM conversations_thread WHERE community_id = %s",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, [community.pk])
    community.delete()
    User.objects.filter(username__startswith="bench.insights.").delete()


def percentile(values: list[float], fraction: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=1_000_000, help="opening posts included")
    parser.add_argument("--members", type=int, default=3_000)
    parser.add_argument("--renders", type=int, default=30, help="renders of each period")
    parser.add_argument("--keep", action="store_true", help="keep the bench community")
    args = parser.parse_args()
    _setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from practica.communities.models import Community, Membership
    from practica.communities.stages import Stage
    from practica.insights.rollups import rollup

    rng = random.Random(22)
    now = timezone.now()
    community, _ = Community.objects.get_or_create(
        slug=SLUG, defaults={"name": "Insights benchmark"}
    )
    print(
        f"Database: {connection.vendor}; {args.threads:,} threads, {args.posts:,} posts, {args.members:,} members"
    )
    try:
        users = _members(community, args.members, rng, now)
        took = _content(community, users, args.threads, args.posts, rng, now)
        if took:
            print(f"Bulk insert: {took:.0f}s")
        today = now.astimezone(UTC).date()
        ids = [community.pk]
        start = time.perf_counter()
        rollup(today - timedelta(days=1), today - timedelta(days=1), community_ids=ids)
        one_day = time.perf_counter() - start
        start = time.perf_counter()
        rows = rollup(today - timedelta(days=364), today, community_ids=ids)
        one_year = time.perf_counter() - start
        # The first render after a rollup computes the figures; later ones read them cached.
        steward = (
            Membership.objects.filter(community=community, stage=Stage.STEWARD)
            .select_related("user")
            .first()
            .user
        )
        cold = Client()
        cold.force_login(steward)
        start = time.perf_counter()
        cold.get(f"/c/{SLUG}/insights/", {"period": "365"})
        print(
            f"Dashboard, first render after the rollup (365 days): {(time.perf_counter() - start) * 1000:.0f} ms"
        )
        print(f"Rollup: one day {one_day:.2f}s; one year ({rows} days) {one_year:.1f}s")

        steward = (
            Membership.objects.filter(community=community, stage=Stage.STEWARD)
            .select_related("user")
            .first()
            .user
        )
        client = Client()
        client.force_login(steward)
        url = f"/c/{SLUG}/insights/"
        counts, timings, cpu = {}, {}, {}
        for period in ("30", "90", "365"):
            client.get(url, {"period": period})  # warm up
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, {"period": period})
            assert response.status_code == 200, response.status_code
            counts[period] = len(captured.captured_queries)
            timings[period], cpu[period] = [], []
            for _ in range(args.renders):
                start, start_cpu = time.perf_counter(), time.process_time()
                client.get(url, {"period": period})
                timings[period].append((time.perf_counter() - start) * 1000)
                cpu[period].append((time.process_time() - start_cpu) * 1000)
        every = [t for values in timings.values() for t in values]
        every_cpu = [t for values in cpu.values() for t in values]
        for period, values in timings.items():
            print(
                f"Dashboard {period:>3} days: median {statistics.median(values):.0f} ms, "
                f"p95 {percentile(values, 0.95):.0f} ms (CPU median {statistics.median(cpu[period]):.0f} ms, "
                f"p95 {percentile(cpu[period], 0.95):.0f} ms), {counts[period]} queries"
            )
        print(
            f"Dashboard overall: median {statistics.median(every):.0f} ms, p95 {percentile(every, 0.95):.0f} ms "
            f"(CPU median {statistics.median(every_cpu):.0f} ms, p95 {percentile(every_cpu, 0.95):.0f} ms; "
            f"{len(every)} renders; target p95 < 150 ms)"
        )
        assert len(set(counts.values())) == 1, f"query counts differ by period: {counts}"
        print(f"Queries per render: {counts['30']} for every period")
    finally:
        if not args.keep:
            _cleanup(community)


if __name__ == "__main__":
    main()
