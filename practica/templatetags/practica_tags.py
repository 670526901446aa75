"""Small filters every app's templates use."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent_step(value) -> int:
    """A percentage as the nearest of 0, 5, … 100, for the `pct-N` width classes: progress
    bars take their width from the stylesheet, as the CSP allows no style attributes."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0
    if number != number:  # NaN
        return 0
    return int(min(100, max(0, round(number / 5) * 5)))
