"""An expired cached value is refilled by one request while the others serve the stale copy."""

from django.core.cache import cache

from practica.caching import fresh_or_stale


def test_a_value_is_computed_once_and_served_until_it_goes_stale():
    calls = []
    assert fresh_or_stale("k", lambda: calls.append(1) or "v1", fresh=60, keep=600) == "v1"
    assert fresh_or_stale("k", lambda: calls.append(1) or "v2", fresh=60, keep=600) == "v1"
    assert len(calls) == 1


def test_a_stale_value_is_refilled_by_the_first_asker_only():
    fresh_or_stale("k", lambda: "old", fresh=0, keep=600)  # stale at once
    # Another request holds the refill: this one serves the stale copy at once.
    cache.add("k:refill", 1, 30)
    assert fresh_or_stale("k", lambda: "new", fresh=0, keep=600) == "old"
    cache.delete("k:refill")
    # Nobody refills: this request does, stores it and lets the next refill happen.
    assert fresh_or_stale("k", lambda: "new", fresh=60, keep=600) == "new"
    assert cache.get("k:refill") is None
    assert fresh_or_stale("k", lambda: "newer", fresh=60, keep=600) == "new"
