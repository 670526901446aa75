"""Measure `practica import-threads` and `practica reindex` on the current database.

    .venv/bin/python -m practica.conversations.bench_import                # 10,000 threads, 100,000 posts
    .venv/bin/python -m practica.conversations.bench_import --threads 1000 --posts 10000

Writes a deterministic JSON Lines file (threads with replies of about 1,900 characters of
Markdown each, written by 2,000 members, tagged from 30 topics) and imports it into a
throw-away community (`bench-import`) through the command itself, as an operator would.
Prints threads/s and posts/s, checks that a reply is found by search the moment the
command has returned and counts the tasks it left queued; then times importing the same
file again (every thread updated, nothing changed), `practica reindex` over the index as
it stands and `practica reindex` from an empty index, in entries/s. The community is
removed afterwards unless --keep is given.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import tempfile
import time

from practica.search.bench_similar import ASKS, DETAILS, SUBJECTS

SLUG = "bench-import"
TOPICS = [s.title() for s in SUBJECTS[:30]]
OPENERS = [
    "Thanks for raising this.",
    "We had the same problem last winter.",
    "Speaking as the ward's practice educator:",
    "From the pharmacy side,",
    "Our unit changed this after an audit.",
]
STEPS = [
    "check the **care plan** before handover",
    "document it in the electronic record at the time",
    "ask the nurse in charge to confirm at the safety huddle",
    "use the ward's laminated checklist for new starters",
    "escalate to the on-call registrar if the score rises",
    "review the medicines chart with pharmacy the next morning",
]


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practica.settings")
    os.environ.setdefault("DEBUG", "1")  # settings need a key; DEBUG is switched off below
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: it would skew the timings


def _post_text(rng: random.Random, words: list[str], target: int = 1900) -> str:
    """About `target` characters of Markdown: paragraphs, a list, some emphasis, a link."""
    parts = [f"{rng.choice(OPENERS)} {rng.choice(DETAILS)}"]
    while sum(len(p) for p in parts) < target - 300:
        roll = rng.random()
        if roll < 0.2:
            parts.append("\n".join(f"- {step}" for step in rng.sample(STEPS, 3)))
        elif roll < 0.3:
            parts.append(f"> {rng.choice(DETAILS)}")
        else:
            sentences = rng.sample(DETAILS, 3)
            topic = rng.choice(SUBJECTS)
            parts.append(
                f"On *{topic}*: {' '.join(sentences)} We also {rng.choice(STEPS)}, "
                f"which {' '.join(rng.sample(words, 6))} made easier."
            )
    parts.append(f"See [the ward guideline](https://example.org/guidelines/{rng.randint(1, 500)}).")
    return "\n\n".join(parts)[:target]


def write_file(path: str, *, threads: int, posts: int, members: int, seed: int = 2024) -> int:
    """The JSON Lines file; returns the number of posts it holds (openings included)."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pra", "den", "gol", "bri"]
    words = sorted(
        {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(4000)}
    )
    people = [f"member{n}@bench-import.invalid" for n in range(members)]
    replies_each = max(0, posts - threads) / threads
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for n in range(threads):
            count = int(replies_each) + (rng.random() < replies_each % 1)
            day = 1 + n % 28
            record = {
                "id": f"bench-{n}",
                "title": rng.choice(ASKS).format(s=rng.choice(SUBJECTS))
                + f" ({rng.choice(words)})",
                "body": _post_text(rng, words),
                "kind": "question" if rng.random() < 0.7 else "discussion",
                "author": rng.choice(people),
                "created": f"2024-{1 + n % 12:02d}-{day:02d}T09:00:00Z",
                "tags": rng.sample(TOPICS, 2),
                "replies": [
                    {
                        "body": _post_text(rng, words),
                        "author": rng.choice(people),
                        "created": f"2024-{1 + n % 12:02d}-{day:02d}T{10 + r % 12:02d}:00:00Z",
                    }
                    for r in range(count)
                ],
            }
            out.write(json.dumps(record) + "\n")
            written += 1 + count
    return written


def _cleanup(community) -> None:
    """Remove the bench rows with plain SQL (no signals or tasks), then the community."""
    from django.db import connection, transaction

    from practica.people.models import User

    thread_ids = "SELECT id FROM conversations_thread WHERE community_id = %s"
    post_ids = f"SELECT id FROM conversations_post WHERE thread_id IN ({thread_ids})"  # noqa: S608
    statements = [
        "DELETE FROM search_searchentry WHERE community_id = %s",
        f"DELETE FROM conversations_postrevision WHERE post_id IN ({post_ids})",  # noqa: S608
        f"UPDATE conversations_thread SET accepted_post_id = NULL WHERE id IN ({thread_ids})",  # noqa: S608
        f"DELETE FROM conversations_thread_topics WHERE thread_id IN ({thread_ids})",  # noqa: S608
        f"DELETE FROM conversations_post WHERE thread_id IN ({thread_ids})",  # noqa: S608
        "DELETE FROM conversations_thread WHERE community_id = %s",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, [community.pk])
    community.delete()
    people = User.objects.filter(email__endswith="@bench-import.invalid")
    from practica.search.models import SearchEntry

    SearchEntry.objects.filter(kind="person", object_id__in=people.values("pk")).delete()
    people.delete()


def _queued() -> dict[str, int]:
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.ready().values_list("task_path", flat=True)
    counts: dict[str, int] = {}
    for path in rows:
        counts[path.rsplit(".", 1)[-1]] = counts.get(path.rsplit(".", 1)[-1], 0) + 1
    return counts


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the render workers)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


LAST_CPU = [0.0]


def _timed(command: str, *args) -> float:
    """Wall seconds of the command; its CPU seconds are left in LAST_CPU (the machine is
    shared, so CPU seconds say more than wall time about the code when it is busy)."""
    from django.core.management import call_command

    cpu, start = _cpu(), time.perf_counter()
    call_command(command, *args, stdout=io.StringIO(), stderr=io.StringIO())
    LAST_CPU[0] = _cpu() - cpu
    return time.perf_counter() - start


def _load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=100_000, help="opening posts included")
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench community")
    parser.add_argument("--no-reindex", action="store_true", help="skip the reindex timings")
    args = parser.parse_args()
    _setup()
    from django.db import connection

    from practica.communities.models import Community
    from practica.search import engine
    from practica.search.models import SearchEntry
    from practica.search.query import parse

    old = Community.objects.filter(slug=SLUG).first()
    if old is not None:
        _cleanup(old)
    community = Community.objects.create(slug=SLUG, name="Import benchmark")
    before = _queued()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "threads.jsonl")
        start = time.perf_counter()
        posts = write_file(path, threads=args.threads, posts=args.posts, members=args.members)
        size = os.path.getsize(path) / 1e6
        print(
            f"Database: {connection.vendor}; {args.threads:,} threads, {posts:,} posts, "
            f"{size:,.0f} MB of JSON Lines ({time.perf_counter() - start:.1f}s to write)"
        )
        try:
            print(_load())
            seconds = _timed("import-threads", SLUG, path)
            print(
                f"import-threads: {seconds:.1f}s, {args.threads / seconds:,.0f} threads/s, "
                f"{posts / seconds:,.0f} posts/s ({LAST_CPU[0]:.1f} CPU s: "
                f"{args.threads / LAST_CPU[0]:,.0f} threads a CPU second); {_load()}"
            )
            reader = community.memberships.select_related("user").first().user
            hits = engine.search(
                parse("handover"), user=reader, filters=engine.Filters(community_id=community.pk)
            )
            entries = SearchEntry.objects.filter(community=community).count()
            queued = {k: v - before.get(k, 0) for k, v in _queued().items()}
            print(
                f"  searchable on return: {entries:,} entries in the community, "
                f"a search for “handover” finds {hits.total:,}; "
                f"tasks it left queued: {queued or 'none'}"
            )
            from practica.communities.tasks import evaluate_pending

            cpu, start = _cpu(), time.perf_counter()
            members = evaluate_pending.call()
            seconds = time.perf_counter() - start
            print(
                f"  the progression drain it queued, run here: {members:,} members in "
                f"{seconds:.1f}s ({_cpu() - cpu:.1f} CPU s); {_load()}"
            )
            seconds = _timed("import-threads", SLUG, path)
            print(
                f"import-threads again (every thread updated, nothing changed): {seconds:.1f}s, "
                f"{args.threads / seconds:,.0f} threads/s ({LAST_CPU[0]:.1f} CPU s); {_load()}"
            )
            if not args.no_reindex:
                total = SearchEntry.objects.count()
                seconds = _timed("reindex")
                print(
                    f"reindex over the current index: {seconds:.1f}s for {total:,} entries, "
                    f"{total / seconds:,.0f} entries/s ({LAST_CPU[0]:.1f} CPU s); {_load()}"
                )
                SearchEntry.objects.all().delete()
                seconds = _timed("reindex")
                total = SearchEntry.objects.count()
                print(
                    f"reindex from an empty index: {seconds:.1f}s for {total:,} entries, "
                    f"{total / seconds:,.0f} entries/s ({LAST_CPU[0]:.1f} CPU s); {_load()}"
                )
        finally:
            if not args.keep:
                _cleanup(community)


if __name__ == "__main__":
    main()
