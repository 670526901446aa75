"""Settings come from the environment; bad values stop start-up with a clear message."""

import importlib
import os
import subprocess
import sys
import types

import pytest
from django.core.exceptions import ImproperlyConfigured

from practica import settings as practica_settings


def load_settings(monkeypatch, **env):
    for name in ("DATABASE_URL", "REDIS_URL", "DEBUG", "PRACTICA_DEMO", "SECRET_KEY", "ALLOWED_HOSTS",
                 "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                 "SECURE_HSTS_SECONDS", "EMAIL_BACKEND", "EMAIL_PORT"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        # reload() changes the module in place: keep a snapshot of this configuration.
        return types.SimpleNamespace(**vars(importlib.reload(practica_settings)))
    finally:
        monkeypatch.undo()
        importlib.reload(practica_settings)


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        load_settings(monkeypatch)


def test_debug_is_off_unless_asked_for(monkeypatch):
    settings = load_settings(monkeypatch, SECRET_KEY="s" * 60, ALLOWED_HOSTS="example.org")
    assert settings.DEBUG is False
    assert settings.SECURE_SSL_REDIRECT is True
    assert settings.SESSION_COOKIE_SECURE is True


def test_database_url_selects_postgresql(monkeypatch):
    settings = load_settings(
        monkeypatch, SECRET_KEY="s" * 60, DATABASE_URL="postgres://app:pw@db.internal:5433/practica"
    )
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == (
        "db.internal",
        5433,
        "practica",
        "app",
    )


def test_sqlite_is_the_default_and_uses_wal(monkeypatch, tmp_path):
    settings = load_settings(monkeypatch, SECRET_KEY="s" * 60, PRACTICA_VAR_DIR=str(tmp_path))
    db = settings.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert str(db["NAME"]).startswith(str(tmp_path))
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_redis_url_selects_the_redis_cache(monkeypatch):
    settings = load_settings(monkeypatch, SECRET_KEY="s" * 60, REDIS_URL="redis://127.0.0.1:6379/1")
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert settings.CACHES["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"


def test_lists_and_booleans_are_parsed_forgivingly(monkeypatch):
    settings = load_settings(
        monkeypatch, SECRET_KEY="s" * 60, ALLOWED_HOSTS=" a.example , b.example,,", DEBUG="Yes"
    )
    assert settings.ALLOWED_HOSTS == ["a.example", "b.example"]
    assert settings.DEBUG is True


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "maybe"), ("EMAIL_PORT", "twenty-five")])
def test_nonsense_values_are_refused_with_the_variable_named(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        load_settings(monkeypatch, SECRET_KEY="s" * 60, **{name: value})


def test_email_backend_accepts_short_names(monkeypatch):
    settings = load_settings(monkeypatch, SECRET_KEY="s" * 60, EMAIL_BACKEND="console")
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"


def test_production_passes_check_deploy_without_warnings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "practica.settings",
        "SECRET_KEY": "a-long-production-secret-" + "z7Q" * 20,
        "ALLOWED_HOSTS": "practica.example.org",
        "PRACTICA_VAR_DIR": str(tmp_path),
    }
    for name in ("DEBUG", "PRACTICA_DEMO", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
                 "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "DATABASE_URL"):  # fmt: skip
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "practica.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
