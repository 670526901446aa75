"""Cached values that are refilled by one request while the others serve the stale copy.

`fresh_or_stale(key, compute, fresh=…, keep=…)` stores the value with the moment it goes
stale. Until then everyone reads it. After it, the first request to claim the refill
(`cache.add` of a short lock, atomic on every backend) computes a new value; every other
request meanwhile gets the stale copy at once instead of computing too, so an expiring
entry never sends every worker to the database together (no stampede). Only a value that
is missing altogether (`keep` seconds unread, or evicted) is computed by whoever asks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")
REFILL_LOCK_SECONDS = 30


def fresh_or_stale(key: str, compute: Callable[[], T], *, fresh: int, keep: int) -> T:
    """The cached value of `key`, recomputed at most `fresh` seconds after it was made,
    by one request at a time; a stale copy is served for up to `keep` seconds."""
    stored = cache.get(key)
    now = time.time()
    if stored is not None:
        value, stale_at = stored
        if now < stale_at or not cache.add(f"{key}:refill", 1, REFILL_LOCK_SECONDS):
            return value
    value = compute()
    cache.set(key, (value, now + fresh), keep)
    if stored is not None:
        cache.delete(f"{key}:refill")
    return value
