"""Measure the patient-data guard's detector on its labelled corpus.

    .venv/bin/python -m practica.privacy.bench_guard [--errors dev|holdout|all]

The corpus (practica/privacy/corpus/) holds realistic sentences written for the purpose:
`positive.txt` identifies, or could identify, a patient; `negative.txt` is clinical and
working text that identifies no one (doses, lab values, guideline numbers, years, times,
drug names, staff sign-offs). Each line is "style<TAB>setting<TAB>text".

A quarter of those sentences, chosen by a hash of their text, is held out: the detector
was tuned looking at the mistakes on the rest ("dev") only. The same person wrote both
parts, so the held-out part is not independent of the tuning: `fresh_positive.txt` and
`fresh_negative.txt` ("fresh") were written after the tuning and measured once, untouched
since. A sentence counts as flagged when `detector.scan` finds anything in it.
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass
from pathlib import Path

from practica.privacy.detector import scan

CORPUS = Path(__file__).parent / "corpus"
HOLDOUT_EVERY = 4


@dataclass(frozen=True)
class Sentence:
    text: str
    positive: bool
    style: str
    setting: str

    fresh: bool = False

    @property
    def split(self) -> str:
        if self.fresh:
            return "fresh"
        digest = hashlib.sha256(self.text.encode()).digest()
        return "holdout" if digest[0] % HOLDOUT_EVERY == 0 else "dev"


FILES = (
    ("positive.txt", True, False),
    ("negative.txt", False, False),
    ("fresh_positive.txt", True, True),
    ("fresh_negative.txt", False, True),
)


def load() -> list[Sentence]:
    sentences = []
    for name, positive, fresh in FILES:
        for line in (CORPUS / name).read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            style, setting, text = line.split("\t", 2)
            sentences.append(Sentence(text.strip(), positive, style, setting, fresh))
    return sentences


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, positive: bool, flagged: bool) -> None:
        if positive and flagged:
            self.tp += 1
        elif positive:
            self.fn += 1
        elif flagged:
            self.fp += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def line(self, label: str) -> str:
        n = self.tp + self.fp + self.fn + self.tn
        return (
            f"{label:<14} n={n:<4} positives={self.tp + self.fn:<4} "
            f"precision={self.precision:.3f}  recall={self.recall:.3f}  "
            f"(tp {self.tp}, fp {self.fp}, fn {self.fn}, tn {self.tn})"
        )


def measure(sentences: list[Sentence]) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    for sentence in sentences:
        flagged = bool(scan(sentence.text))
        for key in ("all", sentence.split, f"style:{sentence.style}", f"in:{sentence.setting}"):
            scores.setdefault(key, Score()).add(sentence.positive, flagged)
    return scores


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--errors",
        choices=["dev", "holdout", "fresh", "all"],
        help="also list the sentences the detector gets wrong in that split",
    )
    args = parser.parse_args(argv)
    sentences = load()
    scores = measure(sentences)
    print(f"Patient-data guard on {len(sentences)} labelled sentences")
    for key in ("dev", "holdout", "fresh", "all"):
        print(scores[key].line(key))
    for prefix in ("style:", "in:"):
        for key in sorted(k for k in scores if k.startswith(prefix)):
            print(scores[key].line(key))
    if args.errors:
        print(f"\nWrong in {args.errors}:")
        for sentence in sentences:
            if args.errors != "all" and sentence.split != args.errors:
                continue
            findings = scan(sentence.text)
            if bool(findings) != sentence.positive:
                what = ", ".join(f"{f.kind}={f.text!r}" for f in findings) or "nothing"
                label = "missed" if sentence.positive else "false alarm"
                print(f"  {label:<12} {sentence.text}\n               found: {what}")


if __name__ == "__main__":
    main()
