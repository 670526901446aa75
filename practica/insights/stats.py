"""Small statistics over rollup rows: medians of histograms, Gini, shares of the top."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from practica.insights.models import BUCKET_BOUNDS_MINUTES


def add_histograms(histograms: Iterable[Sequence[int]]) -> list[int]:
    total = [0] * (len(BUCKET_BOUNDS_MINUTES) + 1)
    for histogram in histograms:
        for index, n in enumerate(histogram):
            total[index] += n
    return total


def median_of_histogram(histogram: Sequence[int]) -> float | None:
    """The median in minutes, interpolated within its bucket; None when empty."""
    count = sum(histogram)
    if not count:
        return None
    half = count / 2
    seen = 0
    for index, n in enumerate(histogram):
        if n and seen + n >= half:
            low = BUCKET_BOUNDS_MINUTES[index - 1] if index else 0
            if index >= len(BUCKET_BOUNDS_MINUTES):
                return float(low)
            high = BUCKET_BOUNDS_MINUTES[index]
            return low + (high - low) * (half - seen) / n
        seen += n
    return None


def gini(values: Sequence[int]) -> float | None:
    """0 when everyone contributes the same, towards 1 when one member makes everything."""
    values = sorted(v for v in values if v >= 0)
    n, total = len(values), sum(values)
    if n == 0 or total == 0:
        return None
    weighted = sum((index + 1) * v for index, v in enumerate(values))
    return (2 * weighted) / (n * total) - (n + 1) / n


def top_share(values: Sequence[int], fraction: float) -> float | None:
    """The share of all contributions made by the top `fraction` of contributors (at least one)."""
    values = sorted((v for v in values if v > 0), reverse=True)
    total = sum(values)
    if not total:
        return None
    top = max(1, round(len(values) * fraction))
    return sum(values[:top]) / total


def humane_minutes(minutes: float | None) -> str:
    """ "45 min", "3.5 h", "2.1 days", "—" when there is nothing to measure."""
    if minutes is None:
        return "—"
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} days"
