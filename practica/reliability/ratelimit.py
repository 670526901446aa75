"""Fixed-window request counters in the shared cache (Redis in production).

One mechanism for every limit that is not a login: bulletin sign-ups, API requests.
A window is identified by its number since the epoch, so every app server agrees on it
and the answer can say how long to wait (`Retry-After`).
"""

from __future__ import annotations

import time

from django.core.cache import cache


def hit(key: str, *, limit: int, window: int) -> int | None:
    """Count one request under `key`; None if within `limit`, else seconds to wait."""
    now = time.time()
    number = int(now // window)
    bucket = f"ratelimit:{key}:{number}"
    cache.add(bucket, 0, window + 1)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, window + 1)
        count = 1
    if count <= limit:
        return None
    return max(1, int((number + 1) * window - now) + 1)
