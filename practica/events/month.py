"""Month and week calendars of a community's events, in the reader's time zone."""

from __future__ import annotations

import calendar as stdlib_calendar
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings

from practica.communities.models import Community
from practica.events import answers, querysets, recurrence
from practica.events.models import Event
from practica.events.timezones import place


@dataclass
class Entry:
    """One occurrence on a calendar day."""

    occurrence: recurrence.Occurrence
    local_start: datetime
    local_end: datetime
    mine: str = ""

    @property
    def event(self) -> Event:
        return self.occurrence.event


@dataclass
class Day:
    day: date
    in_range: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)


def calendar_zone(user) -> str:
    """The reader's zone, or the site's for visitors."""
    return querysets.reader_zone(user) or settings.TIME_ZONE


def _entries(community: Community, user, first: date, last: date, zone_name: str) -> dict:
    """Occurrences starting on each local day from `first` to `last`: two queries."""
    tz = zoneinfo.ZoneInfo(zone_name)
    since = datetime.combine(first, time.min, tzinfo=tz).astimezone(UTC)
    until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    events = list(
        Event.objects.filter(community=community, starts_at__lt=until, last_ends_at__gt=since)
        .select_related("community")
        .order_by("starts_at", "pk")
    )
    given = answers.for_events(events)
    me = user.pk if user is not None and user.is_authenticated else None
    by_day: dict[date, list[Entry]] = {}
    for event in events:
        for occurrence in recurrence.occurrences(event):
            if not since <= occurrence.start < until:
                continue
            local = occurrence.start.astimezone(tz)
            start = occurrence.start if event.is_series else None
            by_day.setdefault(local.date(), []).append(
                Entry(
                    occurrence,
                    local,
                    occurrence.end.astimezone(tz),
                    given[event.pk].status(me, start),
                )
            )
    for entries in by_day.values():
        entries.sort(key=lambda e: (e.local_start, e.event.title))
    return by_day


def _today(zone_name: str, now: datetime) -> date:
    return now.astimezone(zoneinfo.ZoneInfo(zone_name)).date()


def month_page(community: Community, user, year: int, month: int, *, now: datetime) -> dict:
    """Weeks (Monday first) covering the month, each day with its occurrences."""
    zone_name = calendar_zone(user)
    today = _today(zone_name, now)
    weeks_of_days = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    by_day = _entries(community, user, weeks_of_days[0][0], weeks_of_days[-1][-1], zone_name)
    weeks = [
        [Day(d, d.month == month, d == today, by_day.get(d, [])) for d in week]
        for week in weeks_of_days
    ]
    first = date(year, month, 1)
    previous = first - timedelta(days=1)
    following = first + timedelta(days=32)
    in_month = sum(len(d.entries) for week in weeks for d in week if d.in_range)
    return {
        "weeks": weeks,
        "first": first,
        "previous": previous.replace(day=1),
        "following": following.replace(day=1),
        "this_month": today.replace(day=1),
        "in_range_count": in_month,
        "zone_name": zone_name,
        "zone_place": place(zone_name),
        "today": today,
    }


def week_page(community: Community, user, day: date, *, now: datetime) -> dict:
    """The seven days, Monday first, of the week holding `day`."""
    zone_name = calendar_zone(user)
    today = _today(zone_name, now)
    monday = day - timedelta(days=day.weekday())
    sunday = monday + timedelta(days=6)
    by_day = _entries(community, user, monday, sunday, zone_name)
    days = [
        Day(d, True, d == today, by_day.get(d, []))
        for d in (monday + timedelta(days=n) for n in range(7))
    ]
    return {
        "days": days,
        "monday": monday,
        "sunday": sunday,
        "previous": monday - timedelta(days=7),
        "following": monday + timedelta(days=7),
        "this_week": today - timedelta(days=today.weekday()),
        "in_range_count": sum(len(d.entries) for d in days),
        "zone_name": zone_name,
        "zone_place": place(zone_name),
        "today": today,
    }
