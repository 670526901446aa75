"""`practica backup <dir>`: the database (SQLite online backup API, or pg_dump -Fc), the
media files and a manifest with SHA-256 checksums. Safe while Practica runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from practica.reliability.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and media files into a new directory (safe while running)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory, **options):
        try:
            summary = backup(directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up the {summary.vendor} database and media into {summary.directory}: "
            f"{summary.files} files, {summary.bytes / 1e6:.1f} MB, checksums in manifest.json."
        )
