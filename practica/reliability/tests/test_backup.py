"""`practica backup` under write load, `practica restore` into an empty instance: every post
acknowledged before the backup began is there, with every media file, checksums checked."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from practica.communities.stages import Stage
from practica.tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _restore_env(tmp_path) -> tuple[dict, callable]:
    """Environment of a new, empty instance, and a function that queries its database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "practica.settings",
        "SECRET_KEY": "restore-check-" + "r" * 50,
        "PRACTICA_VAR_DIR": str(tmp_path / "new-var"),
        "MEDIA_ROOT": str(tmp_path / "new-media"),
    }
    env.pop("DATABASE_URL", None)
    if connection.vendor == "sqlite":
        path = tmp_path / "new-var" / "practica.sqlite3"

        def query(sql, params=()):
            with sqlite3.connect(path) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()

        return env, query
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    host, port, user = db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["USER"]
    env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{name}"
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]

    def query(sql, params=()):
        with psycopg.connect(
            host=host, port=port, user=user, password=db.get("PASSWORD") or None, dbname=name
        ) as other:
            return other.execute(sql, params).fetchall()

    query.drop = name
    return env, query


def test_a_backup_taken_under_write_load_restores_every_acknowledged_post(tmp_path, settings):
    from practica.conversations.services import reply
    from practica.conversations.tests.factories import ThreadFactory
    from practica.library.services.resources import add_resource

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    community = CommunityFactory()
    thread = ThreadFactory(community=community, title="Falls huddle")
    members = [MembershipFactory(community=community, stage=Stage.STEWARD).user for _ in range(3)]
    resource = add_resource(
        actor=members[0],
        community=community,
        title="Bed board",
        uploaded=SimpleUploadedFile("beds.csv", b"bed,nurse\n4,Mira\n"),
    )
    before = [
        reply(actor=members[n % 3], thread=thread, body=f"Checked bed {n}, all well.").body
        for n in range(20)
    ]
    stop = threading.Event()
    during: list[str] = []

    def write() -> None:
        # Concurrent writers on PostgreSQL; SQLite's in-memory test database takes one
        # writer at a time, so there the load is the writes made before and after.
        n = 0
        try:
            while not stop.is_set():
                body = f"Write-load reply {n}: turned at 02:00."
                reply(actor=members[n % 3], thread=thread, body=body)
                during.append(body)
                n += 1
        finally:
            connection.close()

    writers = []
    if connection.vendor == "postgresql":
        writers = [threading.Thread(target=write) for _ in range(2)]
        for writer in writers:
            writer.start()
    try:
        call_command("backup", str(tmp_path / "backup"))
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor
    media = [f for f in manifest["files"] if f["path"].startswith("media/")]
    assert len(media) == 1 and len(media[0]["sha256"]) == 64

    env, query = _restore_env(tmp_path)
    try:
        restored = subprocess.run(
            [sys.executable, "-m", "practica.cli", "restore", str(tmp_path / "backup")],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert restored.returncode == 0, restored.stderr[-3000:]
        bodies = {
            body
            for (body,) in query(
                "SELECT body FROM conversations_post WHERE thread_id = %s", [thread.pk]
            )
        }
        assert set(before) <= bodies  # every post acknowledged before the backup began
        assert bodies - {thread.posts.get(is_opening=True).body} <= set(before) | set(during)
        (name,) = query(
            "SELECT file FROM library_resourceversion WHERE resource_id = %s", [resource.pk]
        )[0]
        assert (tmp_path / "new-media" / name).read_bytes() == b"bed,nurse\n4,Mira\n"
        again = subprocess.run(
            [sys.executable, "-m", "practica.cli", "restore", str(tmp_path / "backup")],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert again.returncode != 0 and "not empty" in again.stderr
    finally:
        if getattr(query, "drop", None):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    [query.drop],
                )
                cursor.execute(f'DROP DATABASE IF EXISTS "{query.drop}"')


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path):
    from practica.reliability.backup import BackupError, read_manifest

    call_command("backup", str(tmp_path / "backup"))
    database = next((tmp_path / "backup").glob("database.*"))
    with open(database, "r+b") as handle:
        handle.seek(200)
        handle.write(b"\0damaged\0")
    with pytest.raises(BackupError, match="does not match its checksum"):
        read_manifest(tmp_path / "backup")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "backup"))
