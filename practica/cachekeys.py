"""Cache keys made from what people type stay short and safe for every cache backend.

Memcached and Django's key check refuse keys over 250 characters or with spaces and
control characters; a 5,000-character title in a URL would make one. Such input is hashed.
"""

from __future__ import annotations

import hashlib


def hashed_key(prefix: str, *parts: object) -> str:
    """`prefix:` followed by a digest of `parts`; equal parts give equal keys."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"{prefix}:{digest}"
