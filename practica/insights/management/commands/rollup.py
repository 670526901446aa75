"""`practica rollup [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--community SLUG]`.

Recomputes the daily community-health rollups for a range of days. Idempotent: each day's
rows are deleted and rewritten in one transaction, so it can be run again for any past
day. Without --since it starts at the first day anyone joined.
"""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from practica.communities.models import Community
from practica.insights.rollups import rollup
from practica.progress import progress


def iso_day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"“{text}” is not a date: write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Compute the daily community-health rollups (idempotent; any past day)."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="First day to compute (YYYY-MM-DD).")
        parser.add_argument("--until", help="Last day to compute (YYYY-MM-DD; default today).")
        parser.add_argument("--community", action="append", help="Only this community (slug).")

    def handle(self, *args, since, until, community, **options):
        first = iso_day(since) if since else None
        last = iso_day(until) if until else None
        if first and last and last < first:
            raise CommandError("--until is before --since.")
        ids = None
        if community:
            found = dict(Community.objects.filter(slug__in=community).values_list("slug", "pk"))
            missing = sorted(set(community) - set(found))
            if missing:
                raise CommandError(f"There is no community “{missing[0]}”.")
            ids = list(found.values())
        started = time.perf_counter()
        rows = rollup(
            first,
            last,
            community_ids=ids,
            progress=lambda chunks: progress(chunks, label="Rolling up", stream=self.stderr),
        )
        self.stdout.write(
            f"{rows} community-days computed in {time.perf_counter() - started:.1f} s."
        )
