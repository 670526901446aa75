"""Write a community, whole, to a versioned zip archive (see schema.py and
docs/community-archive.md).

The command builds the archive in one transaction, so it holds one moment of the community
even while members write. The worker (the steward's button) reads outside one, so the
progress it records is visible to the page while it runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import posixpath
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone

from practica.portability.schema import (
    FORMAT,
    FORMAT_VERSION,
    KINDS,
    PEOPLE_FIELDS,
    Kind,
    kind_for_model,
    written_fields,
    written_m2m,
)
from practica.words import counted

CHUNK = 2000
Progress = Callable[[int, int], None]


@dataclass
class ExportResult:
    counts: dict[str, int] = field(default_factory=dict)
    files: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        rate = self.rows / self.seconds if self.seconds else 0
        posts = self.counts.get("posts", 0)
        post_rate = posts / self.seconds if self.seconds else 0
        return (
            f"{counted(self.rows, 'row')} in {counted(len(self.counts), 'file')} and "
            f"{counted(self.files, 'attached file')} in {self.seconds:.2f} s "
            f"({rate:,.0f} rows/s, {post_rate:,.0f} posts/s)."
        )


def encode(f: models.Field, value):
    """A field's value as JSON: dates and times in ISO 8601, the rest as they are."""
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return value


class _Hashing:
    """A writable that hashes and counts what passes through it."""

    def __init__(self, target):
        self.target = target
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size += len(data)
        self.target.write(data)


class _Writer:
    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.manifest: dict[str, dict] = {}

    def jsonl(self, name: str, rows) -> int:
        count = 0
        with self.archive.open(name, "w", force_zip64=True) as raw:
            out = _Hashing(raw)
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False, sort_keys=False).encode() + b"\n")
                count += 1
        self.manifest[name] = {"rows": count, "bytes": out.size, "sha256": out.sha256.hexdigest()}
        return count

    def blob(self, name: str, chunks) -> None:
        with self.archive.open(name, "w", force_zip64=True) as raw:
            out = _Hashing(raw)
            for chunk in chunks:
                out.write(chunk)
        self.manifest[name] = {"bytes": out.size, "sha256": out.sha256.hexdigest()}


class _Exporter:
    def __init__(self, community, writer: _Writer, on_progress: Progress | None):
        from practica.people.models import User

        self.community = community
        self.writer = writer
        self.on_progress = on_progress or (lambda done, total: None)
        self.ids: dict[str, set[int]] = {}
        self.user_ids: set[int] = set()
        self.organisation_ids: set[int] = set()
        self.emails = dict(User.objects.values_list("pk", "email"))
        self.done = 0
        self.total = 0
        self.files = 0
        # Files are written after the JSON Lines file that names them is closed: a zip
        # takes one open entry at a time.
        self.attachments: list[tuple[str, object]] = []

    def queryset(self, kind: Kind):
        return kind.model._default_manager.filter(kind.scope(self.community)).distinct()

    def run(self) -> dict[str, int]:
        body = [k for k in KINDS if k.name not in ("people", "organisations")]
        for kind in body:
            self.ids[kind.name] = set(self.queryset(kind).values_list("pk", flat=True))
        self.total = sum(len(ids) for ids in self.ids.values())
        counts = {}
        for kind in body:
            counts[kind.name] = self.writer.jsonl(kind.filename, self.rows(kind))
            for name, stored in self.attachments:
                with stored.storage.open(str(stored), "rb") as handle:
                    self.writer.blob(name, iter(lambda h=handle: h.read(1 << 16), b""))
                self.files += 1
            self.attachments = []
        counts["people"] = self.writer.jsonl("people.jsonl", self.people())
        counts["organisations"] = self.writer.jsonl("organisations.jsonl", self.organisations())
        return counts

    def ref(self, f: models.Field, value):
        """A reference as the archive writes it: an email for a person, else the row's id."""
        if value is None:
            return None
        target = f.related_model._meta.label
        if target == "people.User":
            self.user_ids.add(value)
            return self.emails.get(value)
        if target == "people.Organisation":
            self.organisation_ids.add(value)
            return value
        kind = kind_for_model(f.related_model)
        if kind is None:
            raise LookupError(f"{f.model._meta.label}.{f.name} refers outside the archive.")
        return value if value in self.ids[kind.name] else None

    def m2m(self, kind: Kind, m2m: models.ManyToManyField) -> dict[int, list]:
        through = m2m.remote_field.through
        source = m2m.m2m_field_name()
        target = m2m.m2m_reverse_field_name()
        links: dict[int, list] = defaultdict(list)
        rows = (
            through._default_manager.filter(**{f"{source}__in": self.queryset(kind)})
            .order_by(f"{source}_id", f"{target}_id")
            .values_list(f"{source}_id", f"{target}_id")
        )
        target_field = through._meta.get_field(target)
        for source_id, target_id in rows.iterator(chunk_size=CHUNK):
            value = self.ref(target_field, target_id)
            if value is not None:
                links[source_id].append(value)
        if m2m.related_model._meta.label == "people.User":
            for key in links:
                links[key].sort()
        return links

    def rows(self, kind: Kind):
        fields = written_fields(kind)
        m2ms = {m.name: self.m2m(kind, m) for m in written_m2m(kind)}
        queryset = self.queryset(kind).order_by("pk")
        for obj in queryset.iterator(chunk_size=CHUNK):
            row = {"id": obj.pk}
            for f in fields:
                if f.name in kind.file_fields:
                    row[f.name] = self.attach(kind, obj, f)
                elif f.is_relation:
                    row[f.name] = self.ref(f, getattr(obj, f.attname))
                else:
                    row[f.name] = encode(f, getattr(obj, f.attname))
            for name, links in m2ms.items():
                row[name] = links.get(obj.pk, [])
            self.done += 1
            if self.done % 500 == 0:
                self.on_progress(self.done, self.total)
            yield row
        self.on_progress(self.done, self.total)

    def attach(self, kind: Kind, obj, f: models.FileField) -> str | None:
        stored = getattr(obj, f.attname)
        if not stored:
            return None
        if not stored.storage.exists(str(stored)):
            return None
        name = f"files/{kind.name}/{obj.pk}/{posixpath.basename(str(stored))}"
        self.attachments.append((name, stored))
        return name

    def people(self):
        from allauth.account.models import EmailAddress

        from practica.people.models import User

        verified = set(
            EmailAddress.objects.filter(user_id__in=self.user_ids, verified=True).values_list(
                "email", flat=True
            )
        )
        expertise = defaultdict(list)
        through = User.expertise.through
        for user_id, name in (
            through.objects.filter(user_id__in=self.user_ids)
            .order_by("expertisearea__name")
            .values_list("user_id", "expertisearea__name")
        ):
            expertise[user_id].append(name)
        users = User.objects.filter(pk__in=self.user_ids).order_by("email")
        for user in users.iterator(chunk_size=CHUNK):
            if user.organisation_id:
                self.organisation_ids.add(user.organisation_id)
            row = {"id": user.email}
            for name in PEOPLE_FIELDS:
                value = getattr(user, "organisation_id" if name == "organisation" else name)
                row[name] = encode(None, value)
            row["expertise"] = expertise.get(user.pk, [])
            row["email_verified"] = user.email.lower() in {e.lower() for e in verified}
            yield row

    def organisations(self):
        from practica.people.models import Organisation

        if self.community.organisation_id:
            self.organisation_ids.add(self.community.organisation_id)
        for org in Organisation.objects.filter(pk__in=self.organisation_ids).order_by("pk"):
            yield {
                "id": org.pk,
                "name": org.name,
                "slug": org.slug,
                "email_domain": org.email_domain,
            }


def export_community(
    community, path, *, on_progress: Progress | None = None, snapshot: bool = True
) -> ExportResult:
    """Write `community` to the zip file at `path` (a path or a binary file object);
    with `snapshot`, inside one transaction."""
    started = time.perf_counter()
    result = ExportResult()
    with (
        transaction.atomic() if snapshot else contextlib.nullcontext(),
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
    ):
        writer = _Writer(archive)
        exporter = _Exporter(community, writer, on_progress)
        result.counts = exporter.run()
        result.files = exporter.files
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "exported_at": timezone.now().isoformat(),
            "community": {"slug": community.slug, "name": community.name},
            "kinds": [kind.name for kind in KINDS],
            "files": dict(sorted(writer.manifest.items())),
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    result.seconds = time.perf_counter() - started
    return result
