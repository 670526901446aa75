"""`practica import-threads <community-slug> <file.jsonl>`: import conversations.

One JSON object a line (see ARCHITECTURE.md, Contracts). Every line is checked on its own
and a bad one is reported with its number and reason while the rest go on; good lines are
written in batches, one transaction each, with their search entries, so what has been
imported is searchable when the command exits. The members whose contributions changed
are handed to the progression engine in one request at the end. The command exits
non-zero if any line was bad. Importing the same file again updates.
"""

from __future__ import annotations

import json
import os

from django.core.management.base import BaseCommand, CommandError

from practica.communities.models import Community
from practica.communities.services.progression import request_evaluations
from practica.conversations.services.imports import (
    BATCH,
    BadRecord,
    Directory,
    PooledRenderer,
    import_records,
    parse_record,
)
from practica.progress import progress
from practica.search.indexing import prepare_for_bulk_writes
from practica.words import counted


class Command(BaseCommand):
    help = "Import threads from a JSON Lines file into a community (idempotent by each line's id)."

    def add_arguments(self, parser):
        parser.add_argument("community_slug")
        parser.add_argument("path", help="A .jsonl file, one thread per line.")
        parser.add_argument(
            "--batch", type=int, default=BATCH, help=f"Threads per transaction (default {BATCH})."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=min(4, os.cpu_count() or 1),
            help="Processes that render Markdown while batches are written (1: none).",
        )

    def handle(self, *args, community_slug, path, batch, workers, **options):
        community = Community.objects.filter(slug=community_slug).first()
        if community is None:
            raise CommandError(f"There is no community “{community_slug}”.")
        try:
            with open(path, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text.") from None

        created = updated = 0
        errors: list[tuple[int, str]] = []
        members: set[int] = set()
        directory = Directory(community)
        numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
        renderer = PooledRenderer(workers) if workers > 1 and len(numbered) > batch else None
        prepare_for_bulk_writes()

        def write(records) -> None:
            nonlocal created, updated
            outcome = import_records(
                community=community, records=records, directory=directory, render=renderer
            )
            created += outcome.created
            updated += outcome.updated
            errors.extend(outcome.errors)
            members.update(outcome.membership_ids)

        # While one batch is written, the next is read and its Markdown rendered.
        waiting: list = []
        reading: list = []
        try:
            for number, line in progress(
                numbered, total=len(numbered), label="Importing", stream=self.stderr
            ):
                try:
                    reading.append(parse_record(json.loads(line), line=number))
                except json.JSONDecodeError as error:
                    errors.append((number, f"not valid JSON ({error.msg} at column {error.colno})"))
                except BadRecord as error:
                    errors.append((number, str(error)))
                if len(reading) >= batch:
                    if renderer is not None:
                        renderer.prepare(reading)
                    if waiting:
                        write(waiting)
                    waiting, reading = reading, []
            for records in (waiting, reading):
                if records:
                    write(records)
        finally:
            if renderer is not None:
                renderer.close()
        request_evaluations(sorted(members))

        for number, message in sorted(errors):
            self.stderr.write(self.style.ERROR(f"line {number}: {message}"))
        self.stdout.write(
            f"{counted(created, 'thread')} created, {updated} updated, "
            f"{counted(len(errors), 'bad line')} in {path}."
        )
        if errors:
            raise CommandError(f"{len(errors)} line(s) could not be imported; see above.")
