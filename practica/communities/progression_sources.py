"""Where progression criteria get their numbers.

Each criterion kind is counted by a function that a capability registers when it exists
(conversations count contributions, events count attendance, learning counts passed
assessments). A kind with no registered source is "not yet available" on the trajectory
page and is never treated as met.
"""

from __future__ import annotations

from collections.abc import Callable

from practica.communities.models import CriterionKind, Membership

# (membership, criterion) -> the member's current count for that criterion
Source = Callable[[Membership, object], int]

_SOURCES: dict[str, Source] = {}


def register_source(kind: str, source: Source) -> None:
    """Called from an app's AppConfig.ready() to supply counts for a criterion kind."""
    if kind not in CriterionKind.values:
        raise ValueError(f"Unknown criterion kind {kind!r}.")
    _SOURCES[kind] = source


def source_for(kind: str) -> Source | None:
    return _SOURCES.get(kind)
