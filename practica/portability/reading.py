"""Open a community archive and check it whole before anything is written.

Every refusal is an `ArchiveError` whose message names the file (and the line, for a
row) so the person importing can find what to fix.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field

from practica.portability.schema import BY_NAME, FORMAT, FORMAT_VERSION, KINDS


class ArchiveError(ValueError):
    """The archive cannot be imported; the message says where and why."""


@dataclass
class Archive:
    manifest: dict
    # kind name → [(line number, row)]
    rows: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)
    zip: zipfile.ZipFile | None = None

    def count(self, name: str) -> int:
        return len(self.rows.get(name, ()))

    def read_file(self, name: str) -> bytes:
        return self.zip.read(name)


def open_archive(path) -> Archive:
    """Read and check `path`: format and version, every checksum, every row's JSON."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise ArchiveError(f"{path} is not a zip archive ({error}).") from None
    names = set(archive.namelist())
    if "manifest.json" not in names:
        raise ArchiveError("manifest.json is missing: this is not a Practica community archive.")
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ArchiveError(f"manifest.json is not valid JSON ({error}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"manifest.json does not say “format”: “{FORMAT}”.")
    version = manifest.get("version")
    if not isinstance(version, int) or version < 1:
        raise ArchiveError("manifest.json has no format version.")
    if version > FORMAT_VERSION:
        raise ArchiveError(
            f"manifest.json: the archive is format version {version}, newer than this "
            f"instance reads (version {FORMAT_VERSION}). Upgrade Practica, then import it."
        )
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        raise ArchiveError("manifest.json lists no files.")
    for name, about in listed.items():
        if name not in names:
            raise ArchiveError(f"{name} is listed in manifest.json but missing from the archive.")
        digest = hashlib.sha256()
        with archive.open(name) as handle:
            for chunk in iter(lambda h=handle: h.read(1 << 16), b""):
                digest.update(chunk)
        if digest.hexdigest() != about.get("sha256"):
            raise ArchiveError(
                f"{name}: its SHA-256 checksum does not match manifest.json; the archive is "
                "damaged or was changed after it was written."
            )
    unlisted = sorted(n for n in names - set(listed) - {"manifest.json"} if not n.endswith("/"))
    if unlisted:
        raise ArchiveError(f"{unlisted[0]} is in the archive but not in manifest.json.")
    for required in ("community.jsonl", "people.jsonl"):
        if required not in listed:
            raise ArchiveError(f"{required} is missing from the archive.")

    result = Archive(manifest=manifest, zip=archive)
    for kind in KINDS:
        if kind.filename in listed:
            result.rows[kind.name] = _rows(archive, kind.filename)
    known = {kind.filename for kind in KINDS}
    for name in listed:
        if name.endswith(".jsonl") and name not in known:
            raise ArchiveError(f"{name} is not a kind this instance knows (format {version}).")
    for name, about in listed.items():
        kind = BY_NAME.get(name.removesuffix(".jsonl"))
        if kind and "rows" in about and about["rows"] != result.count(kind.name):
            raise ArchiveError(
                f"{name} has {result.count(kind.name)} rows but manifest.json says {about['rows']}."
            )
    if result.count("community") != 1:
        raise ArchiveError("community.jsonl must hold exactly one row.")
    return result


def _rows(archive: zipfile.ZipFile, name: str) -> list[tuple[int, dict]]:
    rows = []
    seen: dict = {}
    with archive.open(name) as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except UnicodeDecodeError:
                raise ArchiveError(f"{name} line {number}: not UTF-8 text.") from None
            except json.JSONDecodeError as error:
                raise ArchiveError(
                    f"{name} line {number}: not valid JSON ({error.msg} at column {error.colno})."
                ) from None
            if not isinstance(row, dict) or "id" not in row:
                raise ArchiveError(f"{name} line {number}: a row must be an object with an “id”.")
            if row["id"] in seen:
                raise ArchiveError(
                    f"{name} line {number}: id {row['id']!r} is used again "
                    f"(first on line {seen[row['id']]})."
                )
            seen[row["id"]] = number
            rows.append((number, row))
    return rows
