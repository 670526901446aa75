"""Backups a restore can trust: a consistent database copy, the media files, checksums.

- SQLite: the online backup API copies the live database page by page inside one read
  transaction, so writers (WAL mode) go on and the copy is one moment's state. Copying the
  file with `cp` while Practica runs can lose the last commits (they sit in the -wal file)
  or produce a torn copy: never do that.
- PostgreSQL: `pg_dump -Fc`, which dumps from one snapshot while the site keeps running.
- Media files are copied after the database, so every file a row names is there (uploads
  are stored before their row commits).
- `manifest.json` lists every file with its size and SHA-256; `restore` checks them all
  before it touches anything, and restores only into an empty database and media folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_DIR = "media"


class BackupError(Exception):
    """A backup or restore that cannot go on, with the reason for the operator."""


@dataclass
class Summary:
    directory: Path
    vendor: str
    files: int
    bytes: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry(root: Path, path: Path) -> dict:
    return {
        "path": path.relative_to(root).as_posix(),
        "size": path.stat().st_size,
        "sha256": sha256_of(path),
    }


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed: PostgreSQL's client tools are needed.")
    return found


def _pg_env(database: dict) -> dict:
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def _pg_args(database: dict) -> list[str]:
    args = []
    if database.get("HOST"):
        args += ["-h", str(database["HOST"])]
    if database.get("PORT"):
        args += ["-p", str(database["PORT"])]
    if database.get("USER"):
        args += ["-U", str(database["USER"])]
    return args


def _applied_migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.values_list("app", "name"):
        latest[app] = max(latest.get(app, ""), name)
    return latest


def backup(directory: Path) -> Summary:
    """Write a backup of this instance's database and media files into `directory`."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: give a new or empty directory.")
    directory.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    database = connection.settings_dict
    if vendor == "sqlite":
        target = directory / SQLITE_FILE
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            # One step (pages=-1): a single read transaction, so the copy is one moment.
            connection.connection.backup(copy, pages=-1)
        finally:
            copy.close()
    elif vendor == "postgresql":
        target = directory / PG_FILE
        result = subprocess.run(  # noqa: S603 - arguments are ours, no shell
            [_tool("pg_dump"), "-Fc", "--no-owner", "--no-acl", *_pg_args(database), "-f", str(target),
             str(database["NAME"])],
            env=_pg_env(database), capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()[-500:]}")
    else:
        raise BackupError(f"No backup method for the {vendor} database.")
    media_root = Path(settings.MEDIA_ROOT)
    media_target = directory / MEDIA_DIR
    media_target.mkdir()
    if media_root.is_dir():
        for source in sorted(p for p in media_root.rglob("*") if p.is_file()):
            destination = media_target / source.relative_to(media_root)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    files = [_entry(directory, target)] + [
        _entry(directory, p) for p in sorted(media_target.rglob("*")) if p.is_file()
    ]
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "vendor": vendor,
        "database": target.name,
        "migrations": _applied_migrations(),
        "files": files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return Summary(directory, vendor, len(files), sum(f["size"] for f in files))


def read_manifest(directory: Path) -> dict:
    """The manifest, after checking every file it lists is there and unchanged."""
    directory = Path(directory)
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} has no {MANIFEST}: it is not a Practica backup.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    for entry in manifest["files"]:
        file = directory / entry["path"]
        if not file.is_file():
            raise BackupError(f"{entry['path']} is missing from the backup.")
        if file.stat().st_size != entry["size"] or sha256_of(file) != entry["sha256"]:
            raise BackupError(
                f"{entry['path']} does not match its checksum: the backup is damaged."
            )
    return manifest


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(directory: Path) -> Summary:
    """Restore a backup into this instance, whose database and media folder must be empty."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    vendor = connection.vendor
    if manifest["vendor"] != vendor:
        raise BackupError(
            f"This backup is of a {manifest['vendor']} database; this instance uses {vendor}."
        )
    if not _database_is_empty():
        raise BackupError(
            "The database is not empty: restore into a new instance (an empty database)."
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*")):
        raise BackupError(f"The media folder {media_root} is not empty.")
    source = directory / manifest["database"]
    database = connection.settings_dict
    if vendor == "sqlite":
        connection.ensure_connection()
        backup_copy = sqlite3.connect(source)
        try:
            backup_copy.backup(connection.connection, pages=-1)
        finally:
            backup_copy.close()
    else:
        connection.close()
        result = subprocess.run(  # noqa: S603 - arguments are ours, no shell
            [_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", *_pg_args(database),
             "-d", str(database["NAME"]), str(source)],
            env=_pg_env(database), capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[-500:]}")
    media = directory / MEDIA_DIR
    for file in sorted(p for p in media.rglob("*") if p.is_file()):
        destination = media_root / file.relative_to(media)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, destination)
    files = manifest["files"]
    return Summary(directory, vendor, len(files), sum(f["size"] for f in files))
