"""Expanding a series into occurrences, in its own zone, as iCalendar's RRULE + EXDATE would."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from dateutil import rrule

from practica.events.models import Event, Repeat
from practica.events.timezones import is_missing

FREQUENCIES = {Repeat.WEEKLY: rrule.WEEKLY, Repeat.MONTHLY: rrule.MONTHLY}
FREQUENCIES_NAMES = {Repeat.WEEKLY: "WEEKLY", Repeat.MONTHLY: "MONTHLY"}


@dataclass(frozen=True)
class Occurrence:
    event: Event
    start: datetime  # UTC
    end: datetime  # UTC

    @property
    def key(self) -> str:
        """Names this occurrence in URLs and forms: its UTC start."""
        return self.start.strftime("%Y%m%dT%H%MZ")


def parse_key(key: str) -> datetime | None:
    try:
        return datetime.strptime(key, "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def exception_dates(event: Event) -> set[date]:
    return {date.fromisoformat(day) for day in event.exception_dates}


def local_starts(
    *,
    first_local: datetime,
    repeat: str,
    repeat_until: date | None,
    skip: set[date] | frozenset = frozenset(),
) -> list[datetime]:
    """The naive local start of every occurrence, exceptions left out."""
    if not repeat:
        return [first_local]
    rule = rrule.rrule(
        FREQUENCIES[repeat],
        dtstart=first_local,
        until=datetime.combine(repeat_until, time.max),
    )
    return [start for start in rule if start.date() not in skip]


def _aware(local: datetime, tz: zoneinfo.ZoneInfo) -> datetime:
    return local.replace(tzinfo=tz).astimezone(UTC)


def occurrences(event: Event) -> list[Occurrence]:
    """Every occurrence of `event`, in order; one for an event that doesn't repeat."""
    tz = zoneinfo.ZoneInfo(event.timezone)
    first_local = event.starts_at.astimezone(tz)
    fold = first_local.fold
    starts = local_starts(
        first_local=first_local.replace(tzinfo=None),
        repeat=event.repeat,
        repeat_until=event.repeat_until,
        skip=exception_dates(event),
    )
    duration = event.duration
    result = []
    for local in starts:
        start = _aware(local.replace(fold=fold), tz) if local == starts[0] else _aware(local, tz)
        result.append(Occurrence(event, start, start + duration))
    return result


def missing_dates(*, first_local: datetime, zone_name: str, repeat: str, repeat_until, skip):
    """Local dates of the series on which its wall-clock start time doesn't exist."""
    tz = zoneinfo.ZoneInfo(zone_name)
    return [
        local.date()
        for local in local_starts(
            first_local=first_local, repeat=repeat, repeat_until=repeat_until, skip=skip
        )
        if is_missing(local.replace(tzinfo=tz))
    ]


def next_occurrence(event: Event, now: datetime) -> Occurrence | None:
    """The first occurrence that hasn't ended by `now`."""
    return next((o for o in occurrences(event) if o.end > now), None)


def last_past_occurrence(event: Event, now: datetime) -> Occurrence | None:
    past = [o for o in occurrences(event) if o.start <= now]
    return past[-1] if past else None


def find(event: Event, start: datetime) -> Occurrence | None:
    return next((o for o in occurrences(event) if o.start == start), None)


def rrule_value(event: Event) -> dict | None:
    """The RRULE for iCalendar: UNTIL in UTC, as RFC 5545 wants with a TZID start."""
    if not event.repeat:
        return None
    tz = zoneinfo.ZoneInfo(event.timezone)
    until_local = datetime.combine(event.repeat_until, time(23, 59, 59), tzinfo=tz)
    return {"FREQ": FREQUENCIES_NAMES[event.repeat], "UNTIL": until_local.astimezone(UTC)}


def series_end(event: Event) -> datetime:
    found = occurrences(event)
    return found[-1].end if found else event.ends_at


def rule_text(event: Event) -> str:
    """ "Every Thursday until 26 Feb 2027, except 24 Dec" (in the event's zone)."""
    if not event.repeat:
        return ""
    tz = zoneinfo.ZoneInfo(event.timezone)
    first = event.starts_at.astimezone(tz)
    if event.repeat == Repeat.WEEKLY:
        text = f"Every {first:%A}"
    else:
        text = f"Every month on day {first.day}"
    text += f" until {event.repeat_until.day} {event.repeat_until:%b %Y}"
    skipped = sorted(exception_dates(event))
    if skipped:
        text += ", except " + ", ".join(f"{d.day} {d:%b %Y}" for d in skipped)
    return text
