"""Measure the similar-questions lookup on the current database.

    .venv/bin/python -m practica.search.bench_similar --questions 50000

Imports generated questions into a throw-away community (`bench-similar`), then times
`similar_questions` — the function behind /c/<slug>/questions/similar.json and the ask
form — for realistic title+body queries, and prints the median and 95th percentile.
The community is removed afterwards unless --keep is given (a kept one is reused).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

SUBJECTS = [
    "handover", "ISBAR handover", "medication reconciliation", "discharge medicines",
    "falls risk assessment", "bed rails", "lying and standing blood pressure", "NEWS2",
    "early warning score", "sepsis screening", "escalation", "pressure injury", "heel offloading",
    "repositioning", "catheter care", "cannula care", "hand hygiene", "isolation", "C. difficile",
    "insulin sliding scale", "anticoagulation", "warfarin", "DOAC", "opioid conversion",
    "delirium screening", "4AT", "nutrition screening", "fluid balance", "student supervision",
    "placement feedback", "preceptorship", "discharge planning", "transfer of care",
    "family meetings", "end of life care", "oxygen prescribing", "night staffing",
]  # fmt: skip
ASKS = [
    "How do you manage {s} on a busy ward?",
    "What is your process for {s} at night?",
    "Who is responsible for {s} after admission?",
    "Is there a good checklist for {s}?",
    "How do you teach students about {s}?",
    "What went wrong with {s} in your audit?",
    "Tips for {s} when the patient is confused?",
    "Should {s} be documented in the care plan?",
]
DETAILS = [
    "We tried a paper form but it is often incomplete by the end of the shift.",
    "The policy says one thing and practice on the ward is different.",
    "Pharmacy is only on site until five, so the evening is the problem.",
    "New graduates say they were never shown how to do it properly.",
    "We had two incidents last month and want to learn from them.",
    "Agency staff do not always know where the equipment is kept.",
    "The electronic record does not prompt for it, so it gets missed.",
    "Patients over eighty with dementia are the group we worry about most.",
]


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practica.settings")
    os.environ.setdefault("DEBUG", "1")  # settings need a key; DEBUG is switched off below
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: it would skew the timings


def _text(rng: random.Random) -> tuple[str, str]:
    subject = rng.choice(SUBJECTS)
    other = rng.choice(SUBJECTS)
    title = rng.choice(ASKS).format(s=subject)
    body = " ".join(rng.sample(DETAILS, 3)) + f" It also affects {other}."
    return title, body


def _import(community, author, count: int, rng: random.Random) -> None:
    from django.db import transaction
    from django.utils import timezone

    from practica.conversations.models import Post, Thread, ThreadKind
    from practica.markdown import render_markdown
    from practica.search.models import SearchEntry

    have = Thread.objects.filter(community=community).count()
    batch = 2000
    start = time.perf_counter()
    for offset in range(have, count, batch):
        size = min(batch, count - offset)
        texts = [_text(rng) for _ in range(size)]
        now = timezone.now()
        with transaction.atomic():
            threads = Thread.objects.bulk_create(
                [
                    Thread(
                        community=community, author=author, kind=ThreadKind.QUESTION,
                        title=title, external_id=f"bench-{offset + i}", published_at=now,
                    )
                    for i, (title, _body) in enumerate(texts)
                ]
            )  # fmt: skip
            Post.objects.bulk_create(
                [
                    Post(
                        thread=t,
                        author=author,
                        is_opening=True,
                        body=body,
                        body_html=render_markdown(body),
                    )
                    for t, (_title, body) in zip(threads, texts, strict=True)
                ]
            )
            SearchEntry.objects.bulk_create(
                [
                    SearchEntry(
                        kind="question", object_id=t.pk, community=community, title=t.title,
                        body=body, url=f"/c/{community.slug}/conversations/{t.pk}/",
                        external_id=t.external_id, author=author,
                    )
                    for t, (_title, body) in zip(threads, texts, strict=True)
                ]
            )  # fmt: skip
            _similar_index(threads)
        print(f"  imported {offset + size:,} / {count:,}", end="\r", flush=True)
    print(f"  {count:,} questions in place ({time.perf_counter() - start:.1f}s to import)")


def _similar_index(threads) -> None:
    """The similar-questions terms of the new threads, and stand-in embeddings.

    Embedding 50,000 questions with the model would take hours on this machine, and what a
    lookup costs does not depend on the vectors' values: random unit vectors stand in.
    """
    import numpy as np
    from django.test import override_settings

    from practica.search import embedding, similar_index
    from practica.search.models import SimilarDocument

    with override_settings(SIMILAR_SEMANTIC=False):
        similar_index.index_questions([t.pk for t in threads])
    rng = np.random.default_rng(threads[0].pk)
    vectors = rng.standard_normal((len(threads), embedding.DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    documents = list(SimilarDocument.objects.filter(thread_id__in=[t.pk for t in threads]))
    for document, vector in zip(documents, vectors, strict=False):
        document.embedding = embedding.to_bytes(vector)
    SimilarDocument.objects.bulk_update(documents, ["embedding"], batch_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="keep the bench community")
    args = parser.parse_args()
    _setup()
    from django.db import connection

    from practica.communities.models import Community
    from practica.people.models import User
    from practica.search.similar import similar_questions

    rng = random.Random(50_000)
    community, _ = Community.objects.get_or_create(
        slug="bench-similar", defaults={"name": "Similar-questions benchmark"}
    )
    author, _ = User.objects.get_or_create(
        username="bench.author", defaults={"email": "bench.author@bench.invalid"}
    )
    print(f"Database: {connection.vendor}")
    try:
        _import(community, author, args.questions, rng)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE search_searchentry")
                cursor.execute("VACUUM ANALYZE search_similarterm")
                cursor.execute("VACUUM ANALYZE search_similardocument")
        queries = [_text(rng) for _ in range(args.queries)]
        from practica.search.similar import ranking_available

        for ranking in ("lexical", "fused"):
            if not ranking_available(ranking):
                print(f"{ranking}: not available (SIMILAR_SEMANTIC is off)")
                continue
            for title, body in queries[:10]:  # warm the caches (and load the model)
                similar_questions(community=community, title=title, body=body, ranking=ranking)
            timings, cpu = [], []
            found = 0
            for title, body in queries:
                start, start_cpu = time.perf_counter(), time.process_time()
                results = similar_questions(
                    community=community, title=title, body=body, limit=5, ranking=ranking
                )
                timings.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                found += bool(results)
            timings.sort()
            cpu.sort()
            p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
            cpu95 = cpu[min(len(cpu) - 1, int(len(cpu) * 0.95))]
            # On a shared machine the wall clock includes waiting for a core: the CPU time
            # of this process (the database work too, on SQLite) and the load say how much.
            print(
                f"  CPU time of this process per lookup: median {statistics.median(cpu):.1f} ms, "
                f"p95 {cpu95:.1f} ms; load average {os.getloadavg()[0]:.1f} on "
                f"{os.cpu_count()} CPUs"
            )
            print(
                f"similar_questions ({ranking}) over {args.questions:,} questions, "
                f"{len(timings)} queries (title + body, limit 5): median "
                f"{statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms; "
                f"{found} queries found matches"
            )
    finally:
        if not args.keep:
            from practica.search.models import SimilarDocument, SimilarTerm

            SimilarTerm.objects.filter(community_id=community.pk).delete()
            SimilarDocument.objects.filter(community_id=community.pk).delete()
            community.delete()
            author.delete()


if __name__ == "__main__":
    main()
