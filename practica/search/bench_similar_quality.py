"""How well similar questions find the answer to a lay question: MAP, MRR, P@1, nDCG@10.

    .venv/bin/python -m practica.search.bench_similar_quality      (make bench-similar-quality)

Imports the clinical questions and answers of `quality/corpus.py` into a throw-away
community (`bench-quality`) with `practica import-threads`, then asks each labelled lay
question of `quality/questions.py` (subject as title, message as body) and scores the
ranked answers against its labels, on the dev part and the held-out part separately:

- **BM25 on titles**: plain Okapi BM25 over the question titles alone (k1 1.2, b 0.75,
  Lucene's English stop words, Snowball English stemming), the baseline issue 23 names;
- **lexical**, **semantic**, **fused**: `similar_questions` with each ranking
  (`SIMILAR_RANKING`), what /c/<slug>/questions/similar.json answers.

`--errors dev` lists the dev questions whose answer is not ranked first. Never look at the
held-out part's errors when changing the ranker.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import tempfile
import time
from collections import Counter

LIMIT = 50
LUCENE_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    ]
)


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practica.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    # Every ranking is measured: the questions get their embeddings as they are imported.
    settings.SIMILAR_SEMANTIC = os.environ.get("SIMILAR_SEMANTIC", "1") != "0"


# --- the baseline: plain BM25 over titles ----------------------------------------------------


class TitleBM25:
    """Okapi BM25 as Lucene scores it, over one field (the thread titles)."""

    k1, b = 1.2, 0.75

    def __init__(self, titles: dict[str, str]):
        import Stemmer

        self._stem = Stemmer.Stemmer("english").stemWord
        self.docs = {key: Counter(self.analyse(title)) for key, title in titles.items()}
        self.lengths = {key: sum(tf.values()) for key, tf in self.docs.items()}
        self.average = sum(self.lengths.values()) / max(1, len(self.docs))
        self.df = Counter(term for tf in self.docs.values() for term in tf)

    def analyse(self, text: str) -> list[str]:
        words = re.findall(r"[a-z0-9]+", text.lower().replace("'s ", " "))
        return [self._stem(w) for w in words if w not in LUCENE_STOP_WORDS]

    def rank(self, text: str, limit: int) -> list[str]:
        n = len(self.docs)
        scores: Counter = Counter()
        for term in self.analyse(text):  # each occurrence is a clause, as Lucene parses it
            df = self.df.get(term)
            if not df:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for key, tf in self.docs.items():
                if term in tf:
                    norm = self.k1 * (1 - self.b + self.b * self.lengths[key] / self.average)
                    scores[key] += idf * tf[term] * (self.k1 + 1) / (tf[term] + norm)
        return [key for key, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))][:limit]


# --- metrics -------------------------------------------------------------------------------


def average_precision(ranked: list[str], relevant: set[str]) -> float:
    found, total = 0, 0.0
    for position, key in enumerate(ranked, 1):
        if key in relevant:
            found += 1
            total += found / position
    return total / len(relevant)


def reciprocal_rank(ranked: list[str], relevant: set[str]) -> float:
    return next((1 / i for i, key in enumerate(ranked, 1) if key in relevant), 0.0)


def ndcg(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    gain = sum(1 / math.log2(i + 1) for i, key in enumerate(ranked[:k], 1) if key in relevant)
    ideal = sum(1 / math.log2(i + 1) for i in range(1, min(k, len(relevant)) + 1))
    return gain / ideal


def scores(runs: list[tuple[list[str], set[str]]]) -> dict[str, float]:
    n = max(1, len(runs))
    return {
        "MAP": 100 * sum(average_precision(r, rel) for r, rel in runs) / n,
        "MRR": 100 * sum(reciprocal_rank(r, rel) for r, rel in runs) / n,
        "P@1": 100 * sum(bool(r) and r[0] in rel for r, rel in runs) / n,
        "nDCG@10": 100 * sum(ndcg(r, rel) for r, rel in runs) / n,
    }


# --- the run -------------------------------------------------------------------------------


def _import(community) -> dict[str, str]:
    from django.core.management import call_command

    from practica.search.quality.corpus import DOCUMENTS

    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as out:
        for key, title, topics, body, answer in DOCUMENTS:
            record = {
                "id": key,
                "title": title,
                "body": body,
                "author": "ward.sister@bench.invalid",
                "created": "2025-01-06T09:00:00Z",
                "tags": topics,
                "replies": [
                    {
                        "body": answer,
                        "author": "nurse.specialist@bench.invalid",
                        "created": "2025-01-06T11:00:00Z",
                        "accepted": True,
                    }
                ],
            }
            out.write(json.dumps(record) + "\n")
    try:
        call_command("import-threads", community.slug, out.name, verbosity=0)
    finally:
        os.unlink(out.name)
    return {key: title for key, title, *_rest in DOCUMENTS}


def _rankers(community, titles: dict[str, str]) -> dict:
    from practica.search import similar

    baseline = TitleBM25(titles)

    def engine(ranking: str):
        def rank(title: str, body: str) -> list[str]:
            found = similar.similar_questions(
                community=community, title=title, body=body, limit=LIMIT, ranking=ranking
            )
            return [hit.external_id for hit in found]

        return rank

    rankers = {"BM25 on titles (baseline)": lambda t, b: baseline.rank(f"{t} {b}", LIMIT)}
    for ranking in similar.RANKINGS:
        if similar.ranking_available(ranking):
            rankers[ranking] = engine(ranking)
    return rankers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", choices=["dev"], help="list the dev part's misses")
    parser.add_argument("--ranking", help="with --errors: the ranking to list (default fused)")
    parser.add_argument("--keep", action="store_true", help="keep the bench community")
    args = parser.parse_args()
    _setup()
    from django.db import connection

    from practica.communities.models import Community
    from practica.search.quality.questions import QUESTIONS, part

    Community.objects.filter(slug="bench-quality").delete()
    community = Community.objects.create(slug="bench-quality", name="Similar-questions quality")
    print(f"Database: {connection.vendor}")
    try:
        start = time.perf_counter()
        titles = _import(community)
        print(f"{len(titles)} documents imported ({time.perf_counter() - start:.1f}s)")
        rankers = _rankers(community, titles)
        results: dict[str, dict[str, list]] = {}
        for name, rank in rankers.items():
            results[name] = {"dev": [], "held-out": []}
            for index, (title, body, relevant) in enumerate(QUESTIONS):
                results[name][part(index)].append((rank(title, body), set(relevant), title))
        _print_table(results, len(QUESTIONS))
        if args.errors:
            chosen = args.ranking or list(rankers)[-1]
            print(f"\nDev questions whose answer {chosen} does not rank first:")
            for ranked, relevant, title in results[chosen]["dev"]:
                if not ranked or ranked[0] not in relevant:
                    got = ", ".join(f"{k} {titles[k][:40]}" for k in ranked[:2])
                    print(f"- {title!r} wants {sorted(relevant)}; got {got}")
    finally:
        if not args.keep:
            from practica.search.models import SimilarDocument, SimilarTerm

            SimilarTerm.objects.filter(community_id=community.pk).delete()
            SimilarDocument.objects.filter(community_id=community.pk).delete()
            community.delete()


def _print_table(results: dict, count: int) -> None:
    parts = ("dev", "held-out")
    sizes = {p: len(next(iter(results.values()))[p]) for p in parts}
    print(
        f"\n{count} labelled questions: dev {sizes['dev']}, held-out {sizes['held-out']}; "
        f"at most {LIMIT} results each\n"
    )
    print("| ranking | part | MAP | MRR | P@1 | nDCG@10 |")
    print("|---|---|---:|---:|---:|---:|")
    for name, by_part in results.items():
        for p in parts:
            s = scores([(r, rel) for r, rel, _t in by_part[p]])
            print(
                f"| {name} | {p} | {s['MAP']:.1f} | {s['MRR']:.1f} | {s['P@1']:.1f} | "
                f"{s['nDCG@10']:.1f} |"
            )


if __name__ == "__main__":
    main()
