"""Cursor pagination: each list answer carries `next`, a link to the following page.

A cursor records the ordering values of the last row shown, signed so a client cannot
forge one; the next page is a keyset query (`WHERE (a, pk) < (last_a, last_pk)`), so it
costs the same on page 500 as on page 1 and never skips or repeats rows when new ones
arrive. Every list orders by one or two fields ending in the primary key.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode

from practica.api.problems import Problem
from practica.site import absolute_url

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
_SALT = "practica.api.cursor"


def _encode_value(value):
    if isinstance(value, datetime.datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value):
    if isinstance(value, dict) and "dt" in value:
        return parse_datetime(value["dt"])
    return value


def _after(order: tuple[str, ...], values: list) -> Q:
    """Rows strictly after `values` in `order` (each field "-name" descending or "name")."""
    q = Q()
    equal = Q()
    for field, value in zip(order, values, strict=True):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        if value is None:
            # NULLs sort last descending on PostgreSQL and first on SQLite: lists only
            # order by non-null fields, so a null here means a forged or stale cursor.
            raise Problem("invalid-cursor", "This cursor does not belong to this list.")
        q |= equal & Q(**{f"{name}__{lookup}": value})
        equal &= Q(**{name: value})
    return q


def page(
    request,
    queryset: QuerySet,
    *,
    order: tuple[str, ...],
    cursor: str | None,
    limit: int,
    serialize: Callable[[list], list[Any]],
    scope: str = "",
) -> dict:
    """One page of `queryset` in `order`, serialized, with a `next` link when more remain.

    `scope` names the list (its path and filters): a cursor from another list is refused.
    """
    limit = max(1, min(limit or DEFAULT_LIMIT, MAX_LIMIT))
    if not scope:
        filters = sorted((k, v) for k, v in request.GET.items() if k not in ("cursor", "limit"))
        scope = f"{request.path}?{urlencode(filters)}"
    rows = queryset.order_by(*order)
    if cursor:
        try:
            data = signing.loads(cursor, salt=_SALT)
        except signing.BadSignature:
            raise Problem(
                "invalid-cursor",
                "This cursor is not one this API gave out. Start again from the first page.",
                errors=[{"field": "query.cursor", "detail": "Not a valid cursor."}],
            ) from None
        if (
            not isinstance(data, dict)
            or data.get("s") != scope
            or len(data.get("v", [])) != len(order)
        ):
            raise Problem(
                "invalid-cursor",
                "This cursor belongs to another list or other filters.",
                errors=[{"field": "query.cursor", "detail": "Not a cursor of this list."}],
            )
        rows = rows.filter(_after(order, [_decode_value(v) for v in data["v"]]))
    found = list(rows[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    next_url = None
    if more:
        last = found[-1]
        values = [_encode_value(_value(last, f.lstrip("-"))) for f in order]
        token = signing.dumps({"s": scope, "v": values}, salt=_SALT, compress=True)
        query = request.GET.copy()
        query["cursor"] = token
        query["limit"] = str(limit)
        next_url = absolute_url(f"{request.path}?{urlencode(query, doseq=True)}")
    return {"results": serialize(found), "next": next_url}


def _value(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj
