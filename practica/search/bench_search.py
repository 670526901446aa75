"""Measure site search on the current database.

    .venv/bin/python -m practica.search.bench_search                 # 100,000 threads, 1,000,000 posts
    .venv/bin/python -m practica.search.bench_search --threads 10000 --posts 100000

Builds a deterministic synthetic instance in a throw-away community (`bench-search`):
threads with an opening post each and replies up to --posts, inserted in bulk (no signals,
no tasks). Then builds their search entries with one INSERT … SELECT per kind (timed: on
SQLite the FTS5 triggers fill the index, on PostgreSQL the tsvector column and GIN index
are computed) and times 200 mixed queries through `engine.search` — the function behind
/search/ and /search.json, counts per type, one page and its snippets included — as a
signed-in member. Prints the build time and the median and p95 latency. The community is
removed with plain SQL afterwards unless --keep is given (a kept one is reused).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from practica.search.bench_similar import ASKS, DETAILS, SUBJECTS

SLUG = "bench-search"
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pra", "den", "gol", "bri", "tun"]


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practica.settings")
    os.environ.setdefault("DEBUG", "1")  # settings need a key; DEBUG is switched off below
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: it would skew the timings


def _vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _thread_text(rng, vocabulary) -> tuple[str, str]:
    title = rng.choice(ASKS).format(s=rng.choice(SUBJECTS))
    body = " ".join(rng.sample(DETAILS, 2)) + " " + " ".join(rng.sample(vocabulary, 3))
    return title, body


def _reply_text(rng, vocabulary) -> str:
    return f"On {rng.choice(SUBJECTS)}: {rng.choice(DETAILS)} " + " ".join(
        rng.sample(vocabulary, 4)
    )


def _insert_content(community, authors, threads: int, posts: int, rng, vocabulary) -> None:
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from practica.conversations.models import Post, Thread, ThreadKind

    if Thread.objects.filter(community=community).exists():
        print("  reusing the kept bench community")
        return
    start = time.perf_counter()
    now = timezone.now()
    replies = max(0, posts - threads)
    batch = 5000
    thread_ids: list[int] = []
    for offset in range(0, threads, batch):
        size = min(batch, threads - offset)
        texts = [_thread_text(rng, vocabulary) for _ in range(size)]
        with transaction.atomic():
            made = Thread.objects.bulk_create(
                [
                    Thread(
                        community=community, author=rng.choice(authors),
                        kind=ThreadKind.QUESTION if rng.random() < 0.8 else ThreadKind.DISCUSSION,
                        title=title, published_at=now,
                        created_at=now - timedelta(days=rng.randint(0, 1500)),
                    )
                    for title, _body in texts
                ]
            )  # fmt: skip
            Post.objects.bulk_create(
                [
                    Post(thread=t, author=t.author, is_opening=True, body=body, body_html="")
                    for t, (_title, body) in zip(made, texts, strict=True)
                ]
            )
        thread_ids += [t.pk for t in made]
        print(f"  threads {offset + size:,} / {threads:,}", end="\r", flush=True)
    print()
    for offset in range(0, replies, batch):
        size = min(batch, replies - offset)
        with transaction.atomic():
            Post.objects.bulk_create(
                [
                    Post(
                        thread_id=rng.choice(thread_ids), author=rng.choice(authors),
                        body=_reply_text(rng, vocabulary), body_html="",
                        created_at=now - timedelta(days=rng.randint(0, 1500)),
                    )
                    for _ in range(size)
                ]
            )  # fmt: skip
        print(f"  replies {offset + size:,} / {replies:,}", end="\r", flush=True)
    print(f"\n  content in place ({time.perf_counter() - start:.1f}s to insert)")


def _build_index(community) -> float:
    """Entries for the community's threads and replies, in two INSERT … SELECTs; seconds."""
    from django.db import connection, transaction

    url = f"/c/{community.slug}/conversations/"
    common = (
        "INSERT INTO search_searchentry (kind, object_id, community_id, audience, parent_id, "
        "title, context, body, url, external_id, author_id, author_profession, topics, "
        "topic_slugs, is_public, created_at, updated_at) "
    )
    threads_sql = common + (  # noqa: S608 - constants only
        "SELECT t.kind, t.id, t.community_id, 'community', NULL, t.title, '', p.body, "
        "CAST(%s AS TEXT) || t.id || '/', '', t.author_id, u.profession, '', '', %s, t.created_at, "
        "t.created_at FROM conversations_thread t "
        "JOIN conversations_post p ON p.thread_id = t.id AND p.is_opening "
        "JOIN people_user u ON u.id = t.author_id WHERE t.community_id = %s"
    )
    replies_sql = common + (  # noqa: S608 - constants only
        "SELECT 'reply', p.id, t.community_id, 'community', t.id, '', t.title, p.body, "
        "CAST(%s AS TEXT) || t.id || '/#post-' || p.id, '', p.author_id, u.profession, '', '', %s, "
        "p.created_at, p.created_at FROM conversations_post p "
        "JOIN conversations_thread t ON t.id = p.thread_id "
        "JOIN people_user u ON u.id = p.author_id "
        "WHERE t.community_id = %s AND NOT p.is_opening"
    )
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_searchentry WHERE community_id = %s", [community.pk])
        cursor.execute(threads_sql, [url, True, community.pk])
        cursor.execute(replies_sql, [url, True, community.pk])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in ["search_fts", "search_fts_title"]:
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608 - constant names
        else:  # what autovacuum does after a bulk load: statistics and the visibility map
            cursor.execute("VACUUM ANALYZE search_searchentry")
    return time.perf_counter() - start


def _queries(rng, vocabulary, count: int) -> list[tuple[str, str, dict]]:
    """(label, q, filters): single words, phrases, filtered words and as-you-type prefixes."""
    import datetime

    from practica.people.models import Profession

    subjects = [s.lower() for s in SUBJECTS]
    mixed = []
    for n in range(count):
        kind = n % 4
        if kind == 0:
            word = rng.choice(vocabulary) if n % 8 == 0 else rng.choice(subjects).split()[-1]
            mixed.append(("word", word, {}))
        elif kind == 1:
            mixed.append(("phrase", f'"{rng.choice(subjects)}"', {}))
        elif kind == 2:
            filters = rng.choice(
                [
                    {"kinds": ["question"]},
                    {"profession": rng.choice(Profession.values)},
                    {"date_from": datetime.date.today() - datetime.timedelta(days=365)},
                ]
            )
            mixed.append(("filter", rng.choice(subjects).split()[0], filters))
        else:
            word = rng.choice(subjects + vocabulary).split()[0]
            mixed.append(("prefix", word[: rng.randint(3, max(3, len(word)))] + "*", {}))
    return mixed


def _cleanup(community) -> None:
    """Remove the bulk rows with plain SQL (no signals or tasks), then the community."""
    from django.db import connection, transaction

    from practica.people.models import User

    statements = [
        "DELETE FROM search_searchentry WHERE community_id = %s",
        "DELETE FROM conversations_post WHERE thread_id IN "
        "(SELECT id FROM conversations_thread WHERE community_id = %s)",
        "DELETE FROM conversations_thread WHERE community_id = %s",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, [community.pk])
    community.delete()
    User.objects.filter(username__startswith="bench.search.").delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=1_000_000, help="opening posts included")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the bench community")
    parser.add_argument(
        "--reuse-index", action="store_true", help="with a kept community, keep its entries too"
    )
    args = parser.parse_args()
    _setup()
    from django.db import connection

    from practica.communities.models import Community, Membership
    from practica.people.models import Profession, User
    from practica.search import engine
    from practica.search.query import parse

    rng = random.Random(100_000)
    vocabulary = _vocabulary(rng)
    community, _ = Community.objects.get_or_create(slug=SLUG, defaults={"name": "Search benchmark"})
    authors = []
    for n, profession in enumerate(Profession.values):
        author, _ = User.objects.get_or_create(
            username=f"bench.search.{n}",
            defaults={"email": f"bench.search.{n}@bench.invalid", "profession": profession},
        )
        authors.append(author)
    searcher = authors[0]
    Membership.objects.get_or_create(user=searcher, community=community)
    print(f"Database: {connection.vendor}; {args.threads:,} threads, {args.posts:,} posts")
    try:
        _insert_content(community, authors, args.threads, args.posts, rng, vocabulary)
        entries = engine.SearchEntry.objects.filter(community=community).count()
        if args.reuse_index and entries:
            print(f"Index build: skipped, reusing {entries:,} entries")
        else:
            build = _build_index(community)
            entries = engine.SearchEntry.objects.filter(community=community).count()
            print(f"Index build: {build:.1f}s for {entries:,} entries")
        queries = _queries(rng, vocabulary, args.queries)
        for _label, q, filters in queries[:10]:  # warm the caches
            engine.search(parse(q), user=searcher, filters=engine.Filters(**filters))
        timings: dict[str, list[float]] = {}
        for label, q, filters in queries:
            searcher = User.objects.get(pk=searcher.pk)  # a fresh request: memberships reloaded
            start = time.perf_counter()
            engine.search(parse(q), user=searcher, filters=engine.Filters(**filters))
            timings.setdefault(label, []).append((time.perf_counter() - start) * 1000)
        every = sorted(t for values in timings.values() for t in values)

        def p95(values):
            values = sorted(values)
            return values[min(len(values) - 1, int(len(values) * 0.95))]

        print(
            f"{len(every)} mixed queries: median {statistics.median(every):.1f} ms, "
            f"p95 {p95(every):.1f} ms, max {every[-1]:.1f} ms"
        )
        for label, values in timings.items():
            print(
                f"  {label:<7} ({len(values)}): median {statistics.median(values):.1f} ms, "
                f"p95 {p95(values):.1f} ms"
            )
    finally:
        if not args.keep:
            _cleanup(community)


if __name__ == "__main__":
    main()
