"""Short database outages: one retry, then 503 with Retry-After and a friendly page — never
a 500 — and a POST that was not saved says so and gives back what was typed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

PROBE = """
import django, json, sys
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "s" * 32  # a signed-in member: the session is in the database
out = []
get = client.get("/c/")
out.append({"status": get.status_code, "retry": get.get("Retry-After"), "text": get.content.decode()})
post = client.post(
    "/c/ward-care/conversations/12/reply/",
    {"body": "Bed 4 needs a falls sensor mat tonight, the pump alarm is fixed.", "submission_key": "k-1"},
)
out.append({"status": post.status_code, "retry": post.get("Retry-After"), "text": post.content.decode()})
api = client.get("/search.json?q=falls", HTTP_ACCEPT="application/json")
out.append({"status": api.status_code, "retry": api.get("Retry-After"), "text": api.content.decode()})
print(json.dumps(out))
"""


@pytest.mark.parametrize(
    "database_url",
    ["sqlite:////nonexistent-dir/practica.sqlite3", "postgres://nobody@127.0.0.1:1/practica"],
    ids=["sqlite-unopenable", "postgresql-refused"],
)
def test_an_unreachable_database_answers_503_with_retry_after_and_keeps_what_was_typed(
    database_url, tmp_path
):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "practica.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "outage-check-" + "o" * 50,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "PRACTICA_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    page, post, api = json.loads(result.stdout.strip().splitlines()[-1])
    assert (page["status"], page["retry"]) == (503, "5")
    assert "back shortly" in page["text"]
    assert "Something went wrong" not in page["text"]
    assert (post["status"], post["retry"]) == (503, "5")
    assert "was not saved" in post["text"]
    assert "Bed 4 needs a falls sensor mat tonight, the pump alarm is fixed." in post["text"]
    assert 'name="submission_key" value="k-1"' in post["text"]  # sending again stays once-only
    assert api["status"] == 503
    assert "nothing was saved" in json.loads(api["text"])["detail"]


def _cut_connection() -> None:
    """End this test's own database session from another one, as a restart would."""
    import psycopg

    pid = connection.cursor().connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_a_request_whose_connection_was_cut_is_answered_on_a_fresh_one(community):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite is a file: there is no connection to cut")
    from django.test import Client

    # As a browser sees it: the first attempt's error is not raised into the test.
    client = Client(raise_request_exception=False)
    url = f"/c/{community.slug}/conversations/"
    assert client.get(url).status_code == 200
    _cut_connection()
    response = client.get(url)
    assert response.status_code == 200
    assert community.name in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_session_save_cut_off_by_the_database_is_an_outage_not_a_bad_request(community, settings):
    """Seen in the fault test: a connection terminated just as the session was saved made
    Django answer 400 ("the session was deleted"). It is run again on a fresh connection."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite is a file: there is no connection to cut")
    from django.test import Client

    from practica.tests.factories import UserFactory

    settings.SESSION_ENGINE = "practica.reliability.sessions"
    settings.SESSION_SAVE_EVERY_REQUEST = True
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    url = f"/c/{community.slug}/conversations/"
    assert client.get(url).status_code == 200
    cut = []

    def cut_before_the_session_save(execute, sql, params, many, context):
        if not cut and sql.lstrip().upper().startswith('UPDATE "DJANGO_SESSION"'):
            cut.append(sql)
            _cut_connection()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(cut_before_the_session_save):
        response = client.get(url)
    assert cut, "the session was not saved"
    assert response.status_code == 200
    assert community.name in response.content.decode()
