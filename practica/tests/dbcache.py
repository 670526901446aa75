"""A migrated SQLite test database, built once and copied into each test run.

Running every migration takes each test process about half a minute of CPU before its first
test. The schema only changes when a migration file does, so the first run that meets a new
set of migrations keeps a copy of the migrated in-memory database under `var/test-db/`
(named by a hash of the migration files, Django and SQLite), and later runs copy it in with
SQLite's online backup API instead of migrating. PostgreSQL runs migrate as before.

`PRACTICA_TEST_DB_CACHE=0` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import django
from django.conf import settings

CACHE_DIR = Path(__file__).resolve().parents[2] / "var" / "test-db"


def migrations_fingerprint() -> str:
    """A hash of everything that decides the migrated schema and its rows."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    digest.update(f"django {django.get_version()} sqlite {sqlite3.sqlite_version}".encode())
    for path in sorted(root.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def cached_copy() -> Path:
    return CACHE_DIR / f"migrated-{migrations_fingerprint()}.sqlite3"


def install() -> None:
    """Make SQLite's test-database creation copy the cached schema when there is one."""
    if os.environ.get("PRACTICA_TEST_DB_CACHE", "1") == "0":
        return
    from django.db.backends.sqlite3.creation import DatabaseCreation

    migrate_and_create = DatabaseCreation.create_test_db

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        if not self.is_in_memory_db(self._get_test_db_name()):
            return migrate_and_create(self, verbosity, autoclobber, serialize, keepdb)
        copy = cached_copy()
        if not copy.exists():
            name = migrate_and_create(self, verbosity, autoclobber, serialize, keepdb)
            _keep(self.connection, copy)
            return name
        name = self._get_test_db_name()
        self.connection.close()
        settings.DATABASES[self.connection.alias]["NAME"] = name
        self.connection.settings_dict["NAME"] = name
        self.connection.ensure_connection()
        source = sqlite3.connect(copy)
        try:
            source.backup(self.connection.connection)
        finally:
            source.close()
        if serialize:
            self.connection._test_serialized_contents = self.serialize_db_to_string()
        return name

    DatabaseCreation.create_test_db = create_test_db


def _keep(connection, copy: Path) -> None:
    """Write the freshly migrated database beside the others, atomically (two test
    processes may finish migrating at the same moment)."""
    copy.parent.mkdir(parents=True, exist_ok=True)
    partial = copy.with_suffix(f".{os.getpid()}.partial")
    target = sqlite3.connect(partial)
    try:
        connection.ensure_connection()
        connection.connection.backup(target)
    finally:
        target.close()
    os.replace(partial, copy)
    for old in copy.parent.glob("migrated-*.sqlite3"):
        if old != copy:
            old.unlink(missing_ok=True)
