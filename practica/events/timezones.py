"""Wall-clock times in named zones: turning what an organiser typed into an instant, safely.

An event is stored as UTC instants plus the IANA zone it was planned in. Converting a local
time into an instant can go wrong twice a year: on a spring-forward day some times never
happen, and on a fall-back day some happen twice. Neither is ever resolved silently.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError

from practica.people.models import available_timezones

# How the organiser resolves a time that happens twice because the clocks go back.
EARLIER = "earlier"
LATER = "later"


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone called `name`; ValidationError with a sentence if there is none."""
    if not name or name not in available_timezones():
        raise ValidationError(
            "“%(name)s” is not a time zone we know. Use a name such as Europe/London, "
            "America/Toronto or Australia/Sydney.",
            code="unknown_zone",
            params={"name": name},
        )
    return zoneinfo.ZoneInfo(name)


def place(zone_name: str) -> str:
    """A short place name for a zone: "Australia/Sydney" → "Sydney"."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


def _round_trips(local: datetime) -> bool:
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def is_missing(local: datetime) -> bool:
    """True when `local` (aware) falls in a spring-forward gap and never happens."""
    return not _round_trips(local.replace(fold=0)) and not _round_trips(local.replace(fold=1))


def is_ambiguous(local: datetime) -> bool:
    """True when `local` (aware) happens twice because the clocks go back."""
    return local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset() and not (
        is_missing(local)
    )


def _clock(value: datetime) -> str:
    return f"{value:%H:%M} on {value.day} {value:%B %Y}"


def to_utc(
    day: date, at: time, zone_name: str, *, fold_choice: str = "", what: str = "The start"
) -> datetime:
    """The UTC instant for wall-clock `day` `at` in `zone_name`.

    Raises ValidationError when the time doesn't exist there (spring forward), or when it
    happens twice (fall back) and `fold_choice` doesn't say which one is meant.
    """
    tz = zone(zone_name)
    local = datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=tz)
    if is_missing(local):
        suggestion = local.replace(fold=0).astimezone(UTC).astimezone(tz)
        gap = local.replace(fold=1).utcoffset() - local.replace(fold=0).utcoffset()
        raise ValidationError(
            "%(what)s time %(clock)s doesn't exist in %(place)s: the clocks go forward "
            "%(gap)s that night. Choose another time, such as %(suggestion)s.",
            code="missing_time",
            params={
                "what": what,
                "clock": _clock(local),
                "place": zone_name,
                "gap": _length(abs(gap)),
                "suggestion": f"{suggestion:%H:%M}",
            },
        )
    if is_ambiguous(local):
        if fold_choice not in (EARLIER, LATER):
            first = local.replace(fold=0)
            second = local.replace(fold=1)
            raise ValidationError(
                "%(what)s time %(clock)s happens twice in %(place)s because the clocks go "
                "back that night (first at UTC%(first)s, then at UTC%(second)s). Say which "
                "one you mean below.",
                code="ambiguous_time",
                params={
                    "what": what,
                    "clock": _clock(local),
                    "place": zone_name,
                    "first": _offset(first),
                    "second": _offset(second),
                },
            )
        local = local.replace(fold=0 if fold_choice == EARLIER else 1)
    return local.astimezone(UTC)


def _length(gap: timedelta) -> str:
    minutes = int(gap.total_seconds() // 60)
    return "an hour" if minutes == 60 else f"{minutes} minutes"


def _offset(value: datetime) -> str:
    minutes = int(value.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _day(value: datetime) -> str:
    return f"{value:%a} {value.day} {value:%b}"


@dataclass(frozen=True)
class When:
    """An occurrence described for one reader: their time first, the organiser's beside it."""

    start: datetime
    end: datetime
    reader: str  # "Thu 4 Dec, 19:00–20:00"
    reader_zone: str  # "your time (Toronto)" or "Sydney time"
    organiser: str  # "11:00–12:00 Fri in Sydney (organiser)" or ""

    def __str__(self) -> str:
        text = f"{self.reader} {self.reader_zone}"
        return f"{text} · {self.organiser}" if self.organiser else text


def _span(start: datetime, end: datetime) -> str:
    if start.date() == end.date():
        return f"{start:%H:%M}–{end:%H:%M}"
    return f"{start:%H:%M}–{_day(end)} {end:%H:%M}"


def describe(start: datetime, end: datetime, *, event_zone: str, reader_zone: str = "") -> When:
    """Describe `start`–`end` (aware) for a reader in `reader_zone` ("" when anonymous)."""
    planned = zoneinfo.ZoneInfo(event_zone)
    there_start, there_end = start.astimezone(planned), end.astimezone(planned)
    if not reader_zone or reader_zone == event_zone:
        label = f"your time ({place(event_zone)})" if reader_zone else f"{place(event_zone)} time"
        return When(
            start,
            end,
            f"{_day(there_start)}, {_span(there_start, there_end)}",
            label,
            "",
        )
    mine = zoneinfo.ZoneInfo(reader_zone)
    here_start, here_end = start.astimezone(mine), end.astimezone(mine)
    other_day = "" if there_start.date() == here_start.date() else f" {there_start:%a}"
    return When(
        start,
        end,
        f"{_day(here_start)}, {_span(here_start, here_end)}",
        f"your time ({place(reader_zone)})",
        f"{_span(there_start, there_end)}{other_day} in {place(event_zone)} (organiser)",
    )


def local_parts(instant: datetime, zone_name: str) -> tuple[date, time, str]:
    """The wall-clock date and time of `instant` in `zone_name`, and the fold choice."""
    local = instant.astimezone(zoneinfo.ZoneInfo(zone_name))
    fold = ""
    if is_ambiguous(local.replace(tzinfo=zoneinfo.ZoneInfo(zone_name))):
        fold = LATER if local.fold else EARLIER
    return local.date(), local.time().replace(tzinfo=None, fold=0), fold
