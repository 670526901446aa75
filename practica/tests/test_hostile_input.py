"""Hostile input for the whole site (issue 15, item 8): every route of the URL conf, on the
seeded demo so that each view really runs, gets hostile query parameters and hostile ids,
and never answers with a server error.

The demo is seeded once per module inside a transaction that is rolled back at the end, so
the other tests never see it.
"""

from __future__ import annotations

import functools
import io
import re

import pytest
from django import forms
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from practica.tests.demo_pages import DEMO_PASSWORD, demo_paths, route_arguments
from practica.tests.urlconf import every_route

ROUTES = sorted({route.name for route in every_route() if route.ours})
HOSTILE_VALUES = {
    "quotes": "'\"><svg onload=alert(1)>`${x}` OR '1'='1",
    "control characters": "a\x00b\x01\x08\x0b\x0c\r\n\x1b[31m\x7f",
    "huge number": "99999999999999999999999999",
    "negative id": "-1",
    "float overflow": "1e309",
    "not a number": "NaN",
    "impossible date": "2026-13-45",
    "10,000 characters": "x" * 10_000,
}
# Invalid UTF-8, percent-escaped so the raw bytes reach Django's query parsing.
INVALID_UTF8 = "%ff%fe%c0%af%ed%a0%80"
HUGE_ID = "9" * 25


@functools.cache
def hostile_names() -> list[str]:
    """Every query parameter a view reads: by name in the source, or as a field of a form
    bound to the query string (filter and search forms)."""
    names = {"day", "month", "year", "week", "kind", "format", "view", "tab", "download"}
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
    return sorted(names)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The seeded demo and a path for each route, rolled back after the module."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed-demo", stdout=io.StringIO())
            paths = demo_paths(Client())
            yield paths
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _hostile_requests(path: str, names: list[str]):
    for label, value in HOSTILE_VALUES.items():
        yield label, path, dict.fromkeys(names, value)
    raw = "&".join(f"{name}={INVALID_UTF8}" for name in names)
    yield "invalid UTF-8", f"{path}?{raw}", None


@pytest.mark.django_db
@pytest.mark.parametrize("name", ROUTES)
def test_no_route_answers_hostile_input_with_a_server_error(demo, name):
    if name not in demo:
        pytest.skip("no demo object for this route's arguments")
    path = demo[name]
    names = hostile_names()
    steward, visitor = Client(), Client()
    assert steward.login(email="steward@example.com", password=DEMO_PASSWORD)
    failures = []
    for label, url, params in _hostile_requests(path, names):
        for who, client in (("steward", steward), ("visitor", visitor)):
            response = client.get(url, params)
            if response.status_code >= 500:
                failures.append(f"{who}, {label}: {response.status_code}")
    # Hostile ids: every number in the path replaced by one no database integer holds.
    route = next(r for r in every_route() if r.name == name)
    if any(kind == "int" for kind, _ in re.findall(r"<(?:(\w+):)?(\w+)>", route.route)):
        huge = re.sub(r"/\d+(?=/|$|\.|\b)", f"/{HUGE_ID}", path)
        response = steward.get(huge)
        if response.status_code >= 500:
            failures.append(f"huge id {huge}: {response.status_code}")
    assert not failures, f"{path} ({route_arguments(route.route)}): " + "; ".join(failures)
