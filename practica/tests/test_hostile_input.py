"""Hostile input for the whole site (issue 15, item 8): every GET route of the URL conf (our
pages, the account pages and the API) gets hostile query parameters, hostile ids and
hostile path values, as a visitor and as a signed-in steward, and never answers with a
server error.

It runs on a small seeded world (practica.tests.hostile_world: one of each object a URL
names, seeded once per module and rolled back after it), so each view really runs past its
404. Each request sends one kind of hostile value in every query parameter at once: the
ones named in the views' source, the fields of the filter and search forms, the API's
documented parameters, and whatever the view read when it was first asked without any.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote

import pytest
from django import forms
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from practica.tests.hostile_world import seed_world
from practica.tests.urlconf import every_route

# Each class of hostile value, sent in every parameter of one request.
HOSTILE_VALUES = {
    "quotes": "'\"><svg onload=alert(1)>`${x}` OR '1'='1' --",
    "control characters": "a\x00b\x01\x08\x0b\x0c\r\n\x1b[31m\x7f\u2028",
    "huge number": "99999999999999999999999999",
    "negative id": "-1",
    "overflowing float": "1e309",
    "impossible date": "2026-02-30",
    "10,000 characters": "x" * 10_000,
}
# What still matters to a view that never reads a parameter (it may echo the whole path).
RAW_STRING_CLASSES = {"control characters", "10,000 characters"}
# Invalid UTF-8 (and an overlong slash, and a lone surrogate), percent-escaped so the raw
# bytes reach Django's parsing of the query string.
INVALID_UTF8 = "%ff%fe%c0%af%ed%a0%80"
HUGE_ID = "9" * 25
# A value for a path segment that is not an id: quotes, a control character, invalid UTF-8.
HOSTILE_SEGMENT = quote("'\"><x\x01", safe="") + INVALID_UTF8
# Parameters read by shared helpers rather than the views themselves.
COMMON_NAMES = {"next", "page", "q", "cursor", "limit", "sort", "format"}
_ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>")


def _swept(route) -> bool:
    return route.ours or route.route.startswith(("accounts/", "api/"))


@functools.cache
def routes() -> dict[str, object]:
    """Route name → route, one per URL pattern (the API gives one path several names)."""
    chosen, patterns = {}, set()
    for route in every_route():
        if _swept(route) and route.route not in patterns:
            patterns.add(route.route)
            chosen[route.name] = route
    return chosen


def arguments(route) -> list[tuple[str, str]]:
    """(converter, name) of each URL argument; converter "" for a regex group."""
    found = []
    for converter, name, group in _ARGUMENT.findall(route.route):
        found.append((converter, name) if name else ("", group))
    return found


@functools.cache
def parameter_names() -> frozenset[str]:
    """Every query parameter the project is known to read, besides the recorded ones."""
    names = set(COMMON_NAMES)
    pattern = re.compile(r"""GET(?:\.get\(|\.getlist\(|\[)\s*["'](\w+)["']""")
    for route in every_route():
        if route.ours:
            names.update(pattern.findall(route.source))

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for form in subclasses(forms.BaseForm):
        if form.__module__.startswith("practica.") and re.search(r"Filter|Search", form.__name__):
            names.update(getattr(form, "base_fields", {}))
    from practica.api.main import api

    for operations in api.get_openapi_schema()["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    names.add(parameter["name"])
    return frozenset(names)


class _RecordingQueryDict(QueryDict):
    """request.GET that remembers which names a view asked for."""

    asked: set[str] = set()

    def __getitem__(self, key):
        _RecordingQueryDict.asked.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        _RecordingQueryDict.asked.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        _RecordingQueryDict.asked.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        _RecordingQueryDict.asked.add(key)
        return super().__contains__(key)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The seeded world, rolled back after the module so other tests never see it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield seed_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def path_of(name: str, world: dict) -> str:
    route = routes()[name]
    values = _values(name, world)
    kwargs = {arg: values[arg] for _converter, arg in arguments(route)}
    return reverse(name, kwargs=kwargs)


def _values(name: str, world: dict) -> dict:
    return {**world["values"], **world["by_route"].get(name, {})}


def hostile_paths(name: str, world: dict) -> list[tuple[str, str]]:
    """The route's path with every id too big for a database integer, and with every
    free-text segment (a str converter or a regex group) hostile."""
    route = routes()[name]
    values = _values(name, world)
    args = arguments(route)
    found = []
    if any(converter == "int" for converter, _arg in args):
        kwargs = {arg: HUGE_ID if conv == "int" else values[arg] for conv, arg in args}
        found.append(("huge id", reverse(name, kwargs=kwargs)))
    if any(converter in ("str", "") for converter, _arg in args):
        # Reverse with a marker, then put the raw segment in its place: reverse() would
        # escape it, and a converter would refuse some of it.
        marker = "HOSTILESEGMENT"
        kwargs = {arg: marker if conv in ("str", "") else values[arg] for conv, arg in args}
        found.append(
            ("hostile segment", reverse(name, kwargs=kwargs).replace(marker, HOSTILE_SEGMENT))
        )
    return found


@pytest.mark.django_db
def test_every_url_argument_of_the_url_conf_has_a_seeded_value(world):
    """A new route naming a new kind of object must seed one, or the sweep would stop at
    its 404 without ever reading the hostile parameters."""
    missing = {
        f"{name} <{arg}>"
        for name, route in routes().items()
        for _converter, arg in arguments(route)
        if arg not in world["values"] and arg not in world["by_route"].get(name, {})
    }
    assert not missing, "seed these in practica/tests/hostile_world.py: " + ", ".join(
        sorted(missing)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(routes()))
def test_no_route_answers_hostile_input_with_a_server_error(world, name, monkeypatch):
    path = path_of(name, world)
    member, visitor = Client(), Client()
    member.force_login(world["member"])
    clients = (("steward", member), ("visitor", visitor))
    failures = []

    def check(who, client, label, url, params=None):
        response = client.get(url, params)
        if response.status_code >= 500:
            failures.append(f"{who}, {label}: {response.status_code} for {url[:120]}")
        return response

    # First plainly, recording what the view asks of the query string, for each person.
    asked = {}
    monkeypatch.setattr("django.core.handlers.wsgi.QueryDict", _RecordingQueryDict)
    for who, client in clients:
        _RecordingQueryDict.asked = set()
        check(who, client, "no parameters", path)
        asked[who] = set(_RecordingQueryDict.asked)
    monkeypatch.undo()
    names = sorted(parameter_names() | asked["steward"] | asked["visitor"])
    raw_invalid = "&".join(f"{n}={INVALID_UTF8}" for n in names)
    api = routes()[name].route.startswith("api/")  # the API reads parameters unrecorded
    for who, client in clients:
        # A view that read nothing from the query string for this person (a redirect to
        # log in, a 405, a PDF) can only meet the raw string: its control characters,
        # invalid UTF-8 and length. Whatever read a parameter gets every class.
        reads = api or bool(asked[who])
        for label, value in HOSTILE_VALUES.items():
            if reads or label in RAW_STRING_CLASSES:
                check(who, client, label, path, dict.fromkeys(names, value))
        check(who, client, "invalid UTF-8", f"{path}?{raw_invalid}")
        for label, hostile in hostile_paths(name, world):
            check(who, client, label, hostile)
    assert not failures, f"{name} ({path}): " + "; ".join(failures)
