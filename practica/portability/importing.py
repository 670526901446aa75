"""Restore a community archive into this instance, in one transaction.

People are matched by email (or created, with no password: they sign in by resetting it
or through their organisation's sign-in); every reference is rewritten to the new rows,
links in the text to the community's pages are rewritten to the new ids and slug, and
dates, stages and counters are kept as the archive has them. Any problem refuses the whole
archive with a message naming the file and line, and nothing is left behind.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction

from practica.portability.reading import Archive, ArchiveError
from practica.portability.schema import (
    KINDS,
    PEOPLE_FIELDS,
    Kind,
    is_rendered,
    kind_for_model,
    written_fields,
    written_m2m,
)
from practica.words import counted

BATCH = 1000
Progress = Callable[[int, int], None]

# Pages of a community addressed by a row's id: path under /c/<slug>/ → kind.
ID_PATHS = {
    "conversations/posts": "posts",
    "conversations": "threads",
    "events": "events",
    "evidence/proposals": "practice_proposals",
    "evidence": "evidence_summaries",
    "library/resources": "resources",
}
LINK = re.compile(
    r"/c/(?P<slug>[-a-zA-Z0-9_]+)/"
    r"(?:(?P<path>"
    + "|".join(re.escape(p) for p in ID_PATHS)
    + r")/(?P<id>\d+)(?=[/#?)\s\"'.]|$))?"
)
# Modules and bulletins live outside /c/<slug>/: their slugs are rewritten when renamed.
GLOBAL_PREFIX = {"modules": "/learning/", "bulletins": "/bulletin/"}
LINK_MARKERS = ("/c/", *GLOBAL_PREFIX.values())


def _may_link(value) -> bool:
    return isinstance(value, str) and any(marker in value for marker in LINK_MARKERS)


@dataclass
class ImportResult:
    slug: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    people_matched: int = 0
    people_created: int = 0
    renamed: list[str] = field(default_factory=list)
    files: int = 0
    seconds: float = 0.0
    index_seconds: float = 0.0
    dry_run: bool = False

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        posts = self.counts.get("posts", 0)
        rate = self.rows / self.seconds if self.seconds else 0
        post_rate = posts / self.seconds if self.seconds else 0
        lines = [
            f"{self.slug}: {verb} {counted(self.rows, 'row')} and "
            f"{counted(self.files, 'attached file')} in "
            f"{self.seconds:.2f} s ({rate:,.0f} rows/s, {post_rate:,.0f} posts/s"
            + (
                f"; building the search index took {self.index_seconds:.2f} s of it)."
                if self.index_seconds
                else ")."
            ),
            f"People: {self.people_matched} matched by email, {self.people_created} "
            f"{'to create' if self.dry_run else 'created'}.",
        ]
        lines += [f"Renamed: {what}" for what in self.renamed]
        return "\n".join(lines)


class _Rollback(Exception):
    """Raised inside the transaction to undo a dry run."""


def _bad(kind_or_file, number: int, message: str) -> ArchiveError:
    name = kind_or_file.filename if isinstance(kind_or_file, Kind) else kind_or_file
    return ArchiveError(f"{name} line {number}: {message}")


class _Restorer:
    def __init__(self, archive: Archive, *, slug: str | None, dry_run: bool, on_progress):
        self.archive = archive
        self.slug = slug
        self.dry_run = dry_run
        self.on_progress = on_progress or (lambda done, total: None)
        self.result = ImportResult(dry_run=dry_run)
        self.maps: dict[str, dict] = defaultdict(dict)
        self.users: dict[str, int] = {}
        self.new_users: list[int] = []
        self.deferred: dict[tuple[str, str], list] = defaultdict(list)
        self.linked: dict[str, set[int]] = defaultdict(set)
        self.saved_files: list[str] = []
        self.slug_renames: dict[str, dict[str, str]] = defaultdict(dict)
        self.taken_slugs: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.done = 0
        self.total = sum(len(rows) for rows in archive.rows.values())
        self.position = {kind.name: n for n, kind in enumerate(KINDS)}

    # --- the whole run ---------------------------------------------------------------------

    def run(self) -> ImportResult:
        started = time.perf_counter()
        try:
            with transaction.atomic():
                self.organisations()
                self.people()
                self.community()
                for kind in KINDS[3:]:
                    if kind.name in self.archive.rows:
                        self.kind(kind)
                self.resolve_deferred()
                self.rewrite_links()
                self.rewrite_assessment_refs()
                if self.dry_run:
                    raise _Rollback
                indexing = time.perf_counter()
                self.index()
                self.result.index_seconds = time.perf_counter() - indexing
        except _Rollback:
            pass
        except BaseException:
            self.remove_saved_files()
            raise
        self.result.seconds = time.perf_counter() - started
        return self.result

    def tick(self, n: int = 1) -> None:
        self.done += n
        if self.done % 500 < n or self.done == self.total:
            self.on_progress(self.done, self.total)

    # --- organisations, people, the community --------------------------------------------

    def organisations(self) -> None:
        from practica.people.models import Organisation

        rows = self.archive.rows.get("organisations", [])
        for number, row in rows:
            slug, name = row.get("slug"), row.get("name")
            if not slug or not name:
                raise _bad("organisations.jsonl", number, "an organisation needs a name and slug.")
            org = (
                Organisation.objects.filter(slug=slug).first()
                or Organisation.objects.filter(name=name).first()
            )
            if org is None:
                org = Organisation.objects.create(
                    name=name[:200], slug=slug[:200], email_domain=row.get("email_domain") or ""
                )
            self.maps["organisations"][row["id"]] = org.pk
            self.tick()
        self.result.counts["organisations"] = len(rows)

    def people(self) -> None:
        from allauth.account.models import EmailAddress
        from django.contrib.auth.hashers import make_password

        from practica.markdown import render_markdown
        from practica.people.models import ExpertiseArea, User

        known = {email.lower(): pk for pk, email in User.objects.values_list("pk", "email")}
        usernames = set(User.objects.values_list("username", flat=True))
        rows = self.archive.rows["people"]
        fresh, expertise, verified = [], {}, {}
        user_fields = {f.name: f for f in User._meta.concrete_fields}
        for number, row in rows:
            email = row.get("email") or row.get("id")
            if not isinstance(email, str) or "@" not in email:
                raise _bad("people.jsonl", number, "a person needs an email address.")
            if email.lower() in known:
                self.users[email.lower()] = known[email.lower()]
                self.result.people_matched += 1
                self.tick()
                continue
            values = {}
            for name in PEOPLE_FIELDS:
                if name not in row or row[name] is None:
                    continue
                if name == "organisation":
                    values["organisation_id"] = self.maps["organisations"].get(row[name])
                    continue
                values[name] = self._value("people.jsonl", number, user_fields[name], row[name])
            username = _free(values.get("username") or email.split("@")[0], usernames, 150)
            usernames.add(username)
            user = User(**{**values, "username": username, "email": email})
            user.password = make_password(None)
            user.bio_html = render_markdown(user.bio)
            fresh.append(user)
            expertise[email.lower()] = row.get("expertise") or []
            verified[email.lower()] = bool(row.get("email_verified"))
            self.tick()
        User.objects.bulk_create(fresh, batch_size=BATCH)
        addresses, links = [], []
        through = User.expertise.through
        for user in fresh:
            key = user.email.lower()
            self.users[key] = user.pk
            self.new_users.append(user.pk)
            addresses.append(
                EmailAddress(user=user, email=user.email, verified=verified[key], primary=True)
            )
            for area in ExpertiseArea.for_names(expertise[key]):
                links.append(through(user_id=user.pk, expertisearea_id=area.pk))
        EmailAddress.objects.bulk_create(addresses, batch_size=BATCH)
        through.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
        self.result.people_created = len(fresh)
        self.result.counts["people"] = len(rows)

    def community(self) -> None:
        from practica.communities.models import Community

        kind = KINDS[2]
        number, row = self.archive.rows["community"][0]
        self.old_slug = row.get("slug") or ""
        slug = self.slug or self.old_slug
        if not re.fullmatch(r"[-a-zA-Z0-9_]{1,60}", slug or ""):
            raise _bad(kind, number, f"“{slug}” is not a slug (letters, digits, hyphens).")
        if Community.objects.filter(slug=slug).exists():
            raise _bad(
                kind,
                number,
                f"a community with the slug “{slug}” already exists here. Import it under "
                "another slug with --slug NEW-SLUG.",
            )
        community = self.build(kind, number, {**row, "slug": slug})
        # As loaddata does: a raw save, so receivers do not add the default progression
        # rules the archive brings itself.
        community.save_base(raw=True)
        self.community_obj = community
        self.new_slug = slug
        self.result.slug = slug
        self.maps["community"][row["id"]] = community.pk
        self.result.counts["community"] = 1
        self.tick()

    # --- every other kind -------------------------------------------------------------------

    def kind(self, kind: Kind) -> None:
        rows = self.archive.rows[kind.name]
        existing_by_key = self._natural(kind, rows)
        pending: list[tuple[int, dict, models.Model]] = []
        for number, row in rows:
            if existing_by_key is not None:
                key = tuple(row.get(k) for k in kind.natural_key)
                if key in existing_by_key:
                    self.maps[kind.name][row["id"]] = existing_by_key[key]
                    self.tick()
                    continue
            pending.append((number, row, self.build(kind, number, row)))
            if len(pending) >= BATCH:
                self.save(kind, pending)
                pending = []
        if pending:
            self.save(kind, pending)
        self.m2m(kind, rows)
        self.result.counts[kind.name] = len(rows)

    def _natural(self, kind: Kind, rows) -> dict | None:
        if not kind.natural_key:
            return None
        keys = [tuple(row.get(k) for k in kind.natural_key) for _n, row in rows]
        found = {}
        if keys and len(kind.natural_key) == 1:
            name = kind.natural_key[0]
            for pk, value in kind.model._default_manager.filter(
                **{f"{name}__in": [k[0] for k in keys]}
            ).values_list("pk", name):
                found[(value,)] = pk
        return found

    def build(self, kind: Kind, number: int, row: dict) -> models.Model:
        values = {}
        position = self.position[kind.name]
        for f in written_fields(kind):
            if f.name not in row:
                continue
            value = row[f.name]
            if f.name in kind.file_fields:
                values[f.attname] = self._file(kind, number, f, value)
            elif f.is_relation:
                values[f.attname] = self._ref(kind, number, f, value, row, position)
            else:
                values[f.attname] = self._value(kind, number, f, value)
                if _may_link(value):
                    row.setdefault("_linked", True)
        if kind.name != "community":
            for f in kind.model._meta.concrete_fields:
                if f.is_relation and f.related_model._meta.label == "communities.Community":
                    values[f.attname] = self.community_obj.pk
        for name in kind.global_slugs:
            if name in values:
                values[name] = self._global_slug(kind, name, values[name])
        obj = kind.model(**values)
        self.render(obj)
        return obj

    def _value(self, where, number: int, f: models.Field, value):
        if value is None:
            if not f.null:
                raise _bad(where, number, f"“{f.name}” may not be empty (null).")
            return None
        try:
            python = f.to_python(value)
        except ValidationError as error:
            raise _bad(where, number, f"“{f.name}”: {' '.join(error.messages)}") from None
        if isinstance(python, str) and f.max_length and len(python) > f.max_length:
            raise _bad(where, number, f"“{f.name}” is longer than {f.max_length} characters.")
        if f.choices and python not in {c for c, _label in f.flatchoices} and python != "":
            raise _bad(where, number, f"“{f.name}” is {python!r}, which is not a known choice.")
        return python

    def _ref(self, kind: Kind, number: int, f, value, row: dict, position: int):
        if value is None:
            if not f.null:
                raise _bad(kind, number, f"“{f.name}” may not be empty.")
            return None
        target = f.related_model._meta.label
        if target == "people.User":
            pk = self.users.get(str(value).lower())
            if pk is None:
                raise _bad(kind, number, f"“{f.name}” names {value}, who is not in people.jsonl.")
            return pk
        if target == "people.Organisation":
            return self.maps["organisations"].get(value)
        target_kind = kind_for_model(f.related_model)
        if target_kind is None:
            raise _bad(kind, number, f"“{f.name}” refers to something no archive holds.")
        if self.position[target_kind.name] >= position:
            new = self.maps[target_kind.name].get(value)
            if new is not None:
                return new
            if not f.null:
                raise _bad(kind, number, f"“{f.name}” refers to a later row.")
            row.setdefault("_deferred", []).append((f, target_kind.name, value))
            return None
        new = self.maps[target_kind.name].get(value)
        if new is None:
            raise _bad(
                kind,
                number,
                f"“{f.name}” refers to {target_kind.filename} id {value!r}, which is not in "
                "the archive.",
            )
        return new

    def _file(self, kind: Kind, number: int, f, value):
        if not value:
            return ""
        try:
            content = self.archive.read_file(value)
        except KeyError:
            raise _bad(kind, number, f"the file {value} is missing from the archive.") from None
        self.result.files += 1
        if self.dry_run:
            return value
        upload_to = f.upload_to if isinstance(f.upload_to, str) else ""
        name = default_storage.save(f"{upload_to}{value.rsplit('/', 1)[-1]}", ContentFile(content))
        self.saved_files.append(name)
        return name

    def _global_slug(self, kind: Kind, name: str, slug: str) -> str:
        taken = self.taken_slugs[(kind.name, name)]
        max_length = kind.model._meta.get_field(name).max_length
        manager = kind.model._default_manager
        candidate, n = slug, 1
        while candidate in taken or manager.filter(**{name: candidate}).exists():
            n += 1
            suffix = f"-{self.new_slug}" if n == 2 else f"-{self.new_slug}-{n}"
            candidate = f"{slug[: max_length - len(suffix)]}{suffix}"
        taken.add(candidate)
        if candidate != slug:
            self.slug_renames[kind.name][slug] = candidate
            self.result.renamed.append(
                f"{kind.name}: “{slug}” is taken here, imported as “{candidate}”."
            )
        return candidate

    def render(self, obj) -> None:
        """Fill every `*_html` field from its source text, as the app's own services do
        (posts are rendered a batch at a time, with their @mentions: `_render_posts`)."""
        from practica.markdown import render_markdown

        label = obj._meta.label
        if label == "conversations.Post":
            return
        if label == "learning.ModuleVersion":
            # Its frozen HTML is shown as it is: never trust the archive's copy.
            from practica.learning.snapshots import sanitised_snapshot

            obj.snapshot = sanitised_snapshot(obj.snapshot)
        for f in obj._meta.concrete_fields:
            if not is_rendered(type(obj), f.name):
                continue
            source = getattr(obj, f.name[: -len("_html")]) or ""
            setattr(obj, f.name, _renderer(label, f.name, render_markdown)(source))

    def save(self, kind: Kind, pending) -> None:
        model = kind.model
        if kind.name == "posts":
            self._render_posts([obj for _n, _r, obj in pending])
        try:
            with transaction.atomic():
                model._default_manager.bulk_create([obj for _n, _r, obj in pending])
        except IntegrityError:
            self._find_bad_row(kind, pending)
            raise
        for number, row, obj in pending:
            del number
            self.maps[kind.name][row["id"]] = obj.pk
            for f, target, value in row.pop("_deferred", ()):
                self.deferred[(kind.name, f.attname)].append((obj.pk, target, value))
            if row.pop("_linked", False):
                self.linked[kind.name].add(obj.pk)
        self.tick(len(pending))

    def _render_posts(self, posts) -> None:
        from practica.conversations.services.common import render_bodies

        html = render_bodies([p.body for p in posts], community=self.community_obj)
        for post, body_html in zip(posts, html, strict=True):
            post.body_html = body_html

    def _find_bad_row(self, kind: Kind, pending) -> None:
        """Save the batch row by row to name the line the database refuses."""
        for number, _row, obj in pending:
            obj.pk = None
            try:
                with transaction.atomic():
                    obj.save(force_insert=True)
            except IntegrityError as error:
                raise _bad(kind, number, f"the database refuses this row ({error}).") from None

    def m2m(self, kind: Kind, rows) -> None:
        for m2m in written_m2m(kind):
            through = m2m.remote_field.through
            source = m2m.m2m_field_name()
            target = m2m.m2m_reverse_field_name()
            target_label = m2m.related_model._meta.label
            target_kind = kind_for_model(m2m.related_model)
            links = []
            for number, row in rows:
                source_pk = self.maps[kind.name][row["id"]]
                for value in row.get(m2m.name) or []:
                    if target_label == "people.User":
                        pk = self.users.get(str(value).lower())
                    else:
                        pk = self.maps[target_kind.name].get(value) if target_kind else None
                    if pk is None:
                        raise _bad(
                            kind, number, f"“{m2m.name}” refers to {value!r}, not in the archive."
                        )
                    links.append(through(**{f"{source}_id": source_pk, f"{target}_id": pk}))
            through._default_manager.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)

    # --- after every row is in ---------------------------------------------------------------

    def resolve_deferred(self) -> None:
        by_kind = defaultdict(dict)
        for (kind_name, attname), items in self.deferred.items():
            for pk, target, value in items:
                new = self.maps[target].get(value)
                if new is None:
                    kind = next(k for k in KINDS if k.name == kind_name)
                    raise ArchiveError(
                        f"{kind.filename}: “{attname}” refers to {target}.jsonl id {value!r}, "
                        "which is not in the archive."
                    )
                by_kind[kind_name].setdefault(pk, {})[attname] = new
        for kind_name, updates in by_kind.items():
            model = next(k for k in KINDS if k.name == kind_name).model
            columns = sorted({a for values in updates.values() for a in values})
            objects = []
            for pk in updates:
                obj = model(pk=pk)
                for name in columns:
                    setattr(obj, name, None)
                objects.append(obj)
            # Rows deferred on one column only keep their other columns: update column by column.
            for name in columns:
                chosen = [o for o in objects if name in updates[o.pk]]
                for o in chosen:
                    setattr(o, name, updates[o.pk][name])
                model._default_manager.bulk_update(chosen, [name], batch_size=BATCH)

    def rewrite(self, text: str) -> str:
        def replace(match: re.Match) -> str:
            if match.group("slug") != self.old_slug:
                return match.group(0)
            path = match.group("path")
            if not path:
                return f"/c/{self.new_slug}/"
            new = self.maps[ID_PATHS[path]].get(int(match.group("id")))
            return f"/c/{self.new_slug}/{path}/{new if new is not None else match.group('id')}"

        text = LINK.sub(replace, text)
        for kind_name, renames in self.slug_renames.items():
            prefix = GLOBAL_PREFIX.get(kind_name)
            for old, new in renames.items() if prefix else ():
                text = text.replace(f"{prefix}{old}/", f"{prefix}{new}/")
        return text

    def rewrite_links(self) -> None:
        for kind_name, pks in self.linked.items():
            kind = next(k for k in KINDS if k.name == kind_name)
            texts = [
                f.name
                for f in written_fields(kind)
                if isinstance(f, models.CharField | models.TextField)
            ]
            changed = []
            for obj in kind.model._default_manager.filter(pk__in=pks):
                before = {name: getattr(obj, name) for name in texts}
                for name in texts:
                    value = getattr(obj, name)
                    if _may_link(value):
                        setattr(obj, name, self.rewrite(value))
                if any(getattr(obj, n) != v for n, v in before.items()):
                    if kind_name == "posts":
                        self._render_posts([obj])
                    else:
                        self.render(obj)
                    changed.append(obj)
            if changed:
                fields = texts + [
                    f.name
                    for f in kind.model._meta.concrete_fields
                    if is_rendered(kind.model, f.name)
                ]
                kind.model._default_manager.bulk_update(changed, fields, batch_size=BATCH)
        from practica.evidence.models import PracticeProposal

        for proposal in PracticeProposal.objects.filter(community=self.community_obj):
            links = proposal.discussion_links
            rewritten = _rewrite_json(links, self.rewrite)
            if rewritten != links:
                proposal.discussion_links = rewritten
                proposal.save(update_fields=["discussion_links"])

    def rewrite_assessment_refs(self) -> None:
        from practica.communities.models import Criterion

        for old, new in self.slug_renames.get("assessments", {}).items():
            Criterion.objects.filter(rule__community=self.community_obj, assessment_ref=old).update(
                assessment_ref=new
            )

    def index(self) -> None:
        from practica.search.indexing import index_objects, prepare_for_bulk_writes

        prepare_for_bulk_writes()
        for label, kind_name in (
            ("thread", "threads"),
            ("article", "articles"),
            ("resource", "resources"),
            ("glossary", "glossary"),
            ("evidence", "evidence_summaries"),
            ("module", "modules"),
            ("event", "events"),
            ("bulletin_article", "bulletin_articles"),
        ):
            ids = list(self.maps[kind_name].values())
            if ids:
                index_objects(label, ids)
        if self.new_users:
            index_objects("person", self.new_users)

    def remove_saved_files(self) -> None:
        for name in self.saved_files:
            default_storage.delete(name)


def _free(wanted: str, taken: set[str], max_length: int) -> str:
    base = re.sub(r"[^\w.@+-]", "", wanted)[:max_length] or "member"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base[: max_length - len(str(n)) - 1]}-{n}"
    return candidate


def _rewrite_json(value, rewrite):
    if isinstance(value, str):
        return rewrite(value) if _may_link(value) else value
    if isinstance(value, list):
        return [_rewrite_json(v, rewrite) for v in value]
    if isinstance(value, dict):
        return {k: _rewrite_json(v, rewrite) for k, v in value.items()}
    return value


def _renderer(label: str, name: str, default):
    from practica.bulletin.rendering import render_article, render_block

    if label == "bulletin.Article" and name == "body_html":
        return render_article
    if label in ("bulletin.Article", "bulletin.Issue"):
        return render_block
    return default


def import_community(
    archive: Archive,
    *,
    slug: str | None = None,
    dry_run: bool = False,
    on_progress: Progress | None = None,
) -> ImportResult:
    """Restore `archive` (from `reading.open_archive`) as a new community."""
    return _Restorer(archive, slug=slug, dry_run=dry_run, on_progress=on_progress).run()
