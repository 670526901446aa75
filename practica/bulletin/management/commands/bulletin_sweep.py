"""`practica bulletin_sweep`: publish due issues and finish any sending left unfinished."""

from django.core.management.base import BaseCommand

from practica.bulletin.services.sending import sweep


class Command(BaseCommand):
    help = (
        "Publish scheduled issues whose time has come and send every bulletin email that is "
        "queued, due for a retry, or was abandoned by a worker that stopped. Safe to run "
        "at any time, e.g. from cron every few minutes."
    )

    def handle(self, *args, **options):
        batches = sweep()
        self.stdout.write(f"{batches} batch(es) sent.")
