"""`practica schedule-tick`: enqueue the periodic jobs that are due (digests, email retries,
the nightly progression sweep). Safe to run from cron on several machines at once: each job
is enqueued once per period. Every `practica worker` runs the same tick unless PRACTICA_SCHEDULER=0."""

from django.core.management.base import BaseCommand

from practica.notifications.scheduling import tick


class Command(BaseCommand):
    help = "Enqueue the periodic jobs that are due; run every minute (every worker runs it too)."

    def handle(self, *args, **options):
        enqueued = tick()
        self.stdout.write(
            "Enqueued: " + ", ".join(enqueued) if enqueued else "Nothing due this minute."
        )
