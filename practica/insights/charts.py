"""Charts drawn on the server as SVG: no script, readable at 320 px and in dark mode.

Colours come from CSS variables (`--chart-1` … `--chart-4`, set for light and dark in
practica.css) and every series also differs by its dash pattern, so colour is never the
only cue. Each chart carries a <title> and a <desc> with its text alternative; the page puts
the table behind it one click away.
"""

from __future__ import annotations

import math

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 10, 22
DASHES = ["", "5 3", "2 2", "8 3 2 3"]


def _nice_max(value: float) -> float:
    """The top of the y axis: 1, 2, 2.5 or 5 times a power of ten, at or above `value`."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for multiple in (1, 2, 2.5, 5, 10):
        if value <= multiple * power:
            return multiple * power
    return value


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def line_chart(
    *,
    ident: str,
    title: str,
    labels: list[str],
    series: list[tuple[str, list[float]]],
    description: str,
) -> SafeString:
    """Lines of `series` (name, values) over `labels` (x axis: first and last shown)."""
    points = len(labels)
    top = _nice_max(max((max(values, default=0) for _, values in series), default=0))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return LEFT + (inner_w * index / (points - 1) if points > 1 else inner_w / 2)

    def y(value: float) -> float:
        return TOP + inner_h - inner_h * value / top

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" focusable="false">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    for fraction in (0, 0.5, 1):
        value = top * fraction
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
            f'<text class="axis" x="{LEFT - 4}" y="{y(value) + 3:.1f}" text-anchor="end">{_number(value)}</text>'
        )
    if labels:
        parts.append(f'<text class="axis" x="{LEFT}" y="{HEIGHT - 6}">{escape(labels[0])}</text>')
        parts.append(
            f'<text class="axis" x="{WIDTH - RIGHT}" y="{HEIGHT - 6}" text-anchor="end">{escape(labels[-1])}</text>'
        )
    for number, (name, values) in enumerate(series):
        coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        dash = DASHES[number % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if points == 1 and values:
            parts.append(
                f'<circle class="series s{number + 1}" cx="{x(0):.1f}" cy="{y(values[0]):.1f}" r="3"/>'
            )
        parts.append(
            f'<polyline class="series s{number + 1}" fill="none" points="{coords}"{dash_attr}>'
            f"<title>{escape(name)}</title></polyline>"
        )
    parts.append("</svg>")
    legend = "".join(
        format_html(
            '<li><svg viewBox="0 0 24 8" aria-hidden="true" focusable="false"><line class="series s{}" x1="0" x2="24" y1="4" y2="4"{}/></svg>{}</li>',
            number + 1,
            mark_safe(f' stroke-dasharray="{DASHES[number % len(DASHES)]}"')
            if DASHES[number % len(DASHES)]
            else "",
            name,
        )
        for number, (name, _) in enumerate(series)
    )
    return mark_safe("".join(parts) + f'<ul class="chart-legend" aria-hidden="true">{legend}</ul>')  # noqa: S308 (escaped above)


def bar_chart(
    *, ident: str, title: str, bars: list[tuple[str, float]], description: str
) -> SafeString:
    """Horizontal bars, one per (label, value), labelled with their values."""
    row = 26
    height = TOP + row * len(bars) + 4
    top = max((v for _, v in bars), default=0) or 1
    label_w = 0
    inner_w = WIDTH - RIGHT - 40
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" focusable="false">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    for index, (label, value) in enumerate(bars):
        y = TOP + index * row
        width = max(1.0, inner_w * value / top) if value else 0
        parts.append(
            f'<text class="axis" x="{label_w}" y="{y + 8}">{escape(label)}</text>'
            f'<rect class="bar s{index % 4 + 1}" x="{label_w}" y="{y + 11}" width="{width:.1f}" height="9" rx="2"/>'
            f'<text class="value" x="{label_w + width + 4:.1f}" y="{y + 19}">{_number(value)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text escaped above)


def describe_series(
    labels: list[str], series: list[tuple[str, list[float]]], *, snapshot: bool = False
) -> str:
    """A sentence per series: its total (or, for a snapshot, where it started), its highest
    point and where it ended."""
    if not labels:
        return "No data in this period."
    sentences = []
    for name, values in series:
        if not values:
            continue
        peak = max(range(len(values)), key=lambda i: values[i])
        first = f"from {_number(values[0])}" if snapshot else f"{_number(sum(values))} in all"
        sentences.append(
            f"{name}: {first}, highest {_number(values[peak])} ({labels[peak]}), "
            f"last {_number(values[-1])}."
        )
    return f"From {labels[0]} to {labels[-1]}. " + " ".join(sentences)
