"""`practica import-threads <community-slug> <file.jsonl>`: import conversations.

One JSON object a line (see ARCHITECTURE.md, Contracts). Each line is imported in its own
transaction; a bad line is reported with its number and reason and the rest go on. The
command exits non-zero if any line was bad. Importing the same file again updates.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from practica.communities.models import Community
from practica.conversations.services.imports import BadRecord, import_record
from practica.progress import progress
from practica.search.indexing import index_thread


class Command(BaseCommand):
    help = "Import threads from a JSON Lines file into a community (idempotent by each line's id)."

    def add_arguments(self, parser):
        parser.add_argument("community_slug")
        parser.add_argument("path", help="A .jsonl file, one thread per line.")

    def handle(self, *args, community_slug, path, **options):
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
        errors: list[str] = []
        authors: dict = {}
        numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
        for number, line in progress(
            numbered, total=len(numbered), label="Importing", stream=self.stderr
        ):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                errors.append(
                    f"line {number}: not valid JSON ({error.msg} at column {error.colno})"
                )
                continue
            try:
                thread, is_new = import_record(community=community, record=record, authors=authors)
            except BadRecord as error:
                errors.append(f"line {number}: {error}")
                continue
            index_thread(thread)
            created += is_new
            updated += not is_new

        for message in errors:
            self.stderr.write(self.style.ERROR(message))
        self.stdout.write(
            f"{created} thread{'s' if created != 1 else ''} created, {updated} updated, "
            f"{len(errors)} bad line{'s' if len(errors) != 1 else ''} in {path}."
        )
        if errors:
            raise CommandError(f"{len(errors)} line(s) could not be imported; see above.")
