"""`practica seed-demo`: the `ward-care` demo, created once and safe to run again."""

from django.core.management.base import BaseCommand
from django.db import transaction

from practica.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, SEEDERS


class Command(BaseCommand):
    help = "Create the demo organisation, the ward-care community and its members (idempotent)."

    def handle(self, *args, **options):
        for name, seed in SEEDERS:
            with transaction.atomic():
                created = seed()
            self.stdout.write(f"  {name}: {created}")
        self.stdout.write(self.style.SUCCESS("\nThe demo is ready. Log in with any of:"))
        for email, stage in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<28} {stage:<12} password: {DEMO_PASSWORD}")
        self.stdout.write("Emails the demo sends are written to var/mail/ (one file per message).")
