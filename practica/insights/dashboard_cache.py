"""The dashboard's cache of figures derived from rollups, dropped whenever rollups are written."""

from __future__ import annotations

import time

from django.core.cache import cache

VERSION_KEY = "insights:rollup-version:{}"
FIGURES_TTL = 24 * 3600


def rollups_changed(community_ids) -> None:
    """Called after a rollup is written: the dashboard's cached figures are stale."""
    cache.set_many({VERSION_KEY.format(cid): time.time_ns() for cid in community_ids}, None)


def rollup_version(community_id: int) -> int:
    """A number that changes whenever the community's rollups are written."""
    version = cache.get(VERSION_KEY.format(community_id))
    if version is None:
        version = time.time_ns()
        cache.add(VERSION_KEY.format(community_id), version, None)
        version = cache.get(VERSION_KEY.format(community_id), version)
    return version


def figures_cache(community_id: int, name: str, start, end, compute):
    """`compute()`, cached until the community's rollups are next written.

    Rollup-derived figures only change when the worker writes rollups (hourly), so a page
    view reads them from the cache; live figures (members now, stuck members, unanswered
    questions) are never cached.
    """
    key = f"insights:{community_id}:{name}:{start}:{end}:{rollup_version(community_id)}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, FIGURES_TTL)
    return value
