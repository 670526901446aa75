"""Signatures receivers check: HMAC-SHA256 over "<timestamp>.<body>" with the hook's secret.

Headers sent with each delivery:
    Practica-Event: thread.created
    Practica-Delivery: <delivery id>
    Practica-Timestamp: <unix seconds>
    Practica-Signature: sha256=<hex digest>

A receiver recomputes the digest, compares in constant time, and refuses timestamps more
than five minutes old, so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str, *, now=None) -> bool:
    """What a receiver does (the demo receiver and the tests use it)."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now or time.time()) - sent) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, sent, body), header or "")
