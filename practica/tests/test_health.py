import os
import subprocess
import sys

import pytest


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


PROBE = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(json.dumps({"status_code": response.status_code, "body": response.json()}))
"""


@pytest.mark.parametrize(
    "database_url",
    ["sqlite:////nonexistent-dir/practica.sqlite3", "postgres://nobody@127.0.0.1:1/practica"],
    ids=["sqlite-unopenable", "postgresql-refused"],
)
def test_healthz_answers_503_when_the_database_is_down(database_url, tmp_path):
    """A real server process whose database cannot be reached answers 503, not 500."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "practica.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "health-check-" + "h" * 50,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "PRACTICA_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    last_line = result.stdout.strip().splitlines()[-1]
    assert '"status_code": 503' in last_line
    assert '"status": "unavailable"' in last_line
