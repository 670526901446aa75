"""`practica import-community <file.zip> [--slug NEW] [--dry-run]`: restore a community.

All of it in one transaction: a problem anywhere refuses the archive, names the file and
line, and leaves the database as it was.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from practica.portability.importing import import_community
from practica.portability.progressbar import ProgressBar
from practica.portability.reading import ArchiveError, open_archive


class Command(BaseCommand):
    help = "Import a community archive written by export-community (one transaction)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .zip archive.")
        parser.add_argument("--slug", help="Import under this slug instead of the archive's.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check everything and report what would be imported; write nothing.",
        )

    def handle(self, *args, path, slug, dry_run, **options):
        show = ProgressBar(self.stderr, "Importing")

        try:
            archive = open_archive(path)
            result = import_community(archive, slug=slug, dry_run=dry_run, on_progress=show)
        except ArchiveError as error:
            show.close()
            raise CommandError(f"{path} was not imported; nothing was changed. {error}") from None
        show.close()
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        self.stdout.write(result.summary())
        for name, count in result.counts.items():
            if count:
                self.stdout.write(f"  {name:<26} {count:>8}")
