"""`practica restore <dir>`: check a backup's checksums and restore it into an empty
instance (a new database, an empty media folder)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from practica.reliability.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a `practica backup` directory into this (empty) instance."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory, **options):
        try:
            summary = restore(directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {summary.files} files ({summary.bytes / 1e6:.1f} MB) from "
            f"{summary.directory}; checksums verified. Run `practica migrate` if this "
            "release is newer than the backup."
        )
