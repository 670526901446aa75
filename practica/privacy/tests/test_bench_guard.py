"""The labelled corpus and the detector's figures on it (make bench-guard prints them)."""

from practica.privacy import bench_guard


def test_corpus_is_big_enough_and_half_positive():
    sentences = bench_guard.load()
    tuned = [s for s in sentences if not s.fresh]
    assert len(tuned) >= 300
    assert abs(sum(s.positive for s in tuned) / len(tuned) - 0.5) < 0.05
    assert {s.style for s in sentences} == {"uk", "au", "us"}
    assert {"nursing", "pharmacy", "therapy", "admin"} <= {s.setting for s in sentences}
    assert len({s.text for s in sentences}) == len(sentences)


def test_detector_reaches_its_targets_on_every_part():
    scores = bench_guard.measure(bench_guard.load())
    for split in ("dev", "holdout", "fresh"):
        assert scores[split].recall >= 0.95, split
        assert scores[split].precision >= 0.90, split
