"""`practica schedule-tick`: enqueue the periodic jobs that are due (digests, email retries,
the nightly progression sweep). Safe to run from cron on several machines at once: each job
is enqueued once per period. `practica worker --with-scheduler` runs the same tick."""

from django.core.management.base import BaseCommand

from practica.notifications.scheduling import tick


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs that are due; run every minute (or use worker --with-scheduler)."
    )

    def handle(self, *args, **options):
        enqueued = tick()
        self.stdout.write(
            "Enqueued: " + ", ".join(enqueued) if enqueued else "Nothing due this minute."
        )
