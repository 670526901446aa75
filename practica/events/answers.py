"""Who answered what for each occurrence of an event.

A member's answer for an occurrence is their answer for that date when they gave one, and
otherwise their answer for the whole event ("all dates"). Seats and waitlists are counted
per occurrence: a weekly series with ten places has ten places every week.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from practica.events.models import RSVP, Event


@dataclass(frozen=True)
class Counts:
    going: int = 0
    maybe: int = 0
    waitlisted: int = 0


class Answers:
    """The RSVP rows of one event, read once, answering per occurrence."""

    def __init__(self, event: Event, rows: Iterable[RSVP]):
        self.event = event
        self.whole: dict[int, RSVP] = {}
        self.dated: dict[datetime, dict[int, RSVP]] = defaultdict(dict)
        for row in rows:
            if row.occurrence_start is None:
                self.whole[row.user_id] = row
            else:
                self.dated[row.occurrence_start][row.user_id] = row

    def at(self, start: datetime | None) -> dict[int, RSVP]:
        """Each member's effective answer for the occurrence starting at `start`."""
        if start is None or not self.event.is_series:
            return dict(self.whole)
        return {**self.whole, **self.dated.get(start, {})}

    def row(self, user_id: int, start: datetime | None) -> RSVP | None:
        return self.at(start).get(user_id)

    def status(self, user_id: int | None, start: datetime | None) -> str:
        found = self.row(user_id, start) if user_id else None
        return found.status if found else ""

    def counts(self, start: datetime | None) -> Counts:
        statuses = [row.status for row in self.at(start).values()]
        return Counts(
            going=statuses.count(RSVP.Status.GOING),
            maybe=statuses.count(RSVP.Status.MAYBE),
            waitlisted=statuses.count(RSVP.Status.WAITLISTED),
        )

    def going(self, start: datetime | None) -> int:
        return self.counts(start).going

    def waitlist(self, start: datetime | None) -> list[RSVP]:
        """Who waits for a seat at this occurrence, longest waiting first."""
        waiting = [r for r in self.at(start).values() if r.status == RSVP.Status.WAITLISTED]
        return sorted(waiting, key=lambda r: (r.waitlisted_at or r.created_at, r.pk))

    def grouped(self, start: datetime | None) -> dict[str, list[RSVP]]:
        """Answers at one occurrence by status, for organisers (waitlist in order)."""
        grouped: dict[str, list[RSVP]] = {s: [] for s in RSVP.Status.values}
        for row in sorted(self.at(start).values(), key=lambda r: (r.created_at, r.pk)):
            grouped[row.status].append(row)
        grouped[RSVP.Status.WAITLISTED] = self.waitlist(start)
        return grouped


def for_event(event: Event, *, with_users: bool = False) -> Answers:
    rows = RSVP.objects.filter(event=event)
    if with_users:
        rows = rows.select_related("user")
    return Answers(event, rows)


def for_events(events: list[Event]) -> dict[int, Answers]:
    """Answers of several events in one query."""
    rows: dict[int, list[RSVP]] = defaultdict(list)
    if events:
        for row in RSVP.objects.filter(event__in=[e.pk for e in events]):
            rows[row.event_id].append(row)
    return {e.pk: Answers(e, rows[e.pk]) for e in events}
