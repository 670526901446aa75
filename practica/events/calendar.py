"""iCalendar files: one event, a member's private feed, a public community's feed.

Times are written in the event's own zone (DTSTART;TZID=…) with a VTIMEZONE for each zone
used, so calendar programs keep a weekly series at the same wall-clock time across
daylight-saving changes; series carry RRULE and EXDATE exactly as `recurrence` expands them.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import datetime

import icalendar
from django.utils import timezone

from practica.events import recurrence
from practica.events.models import Event
from practica.site import absolute_url

PRODID = "-//Practica//Events//EN"


def _local(instant: datetime, zone_name: str) -> datetime:
    return instant.astimezone(zoneinfo.ZoneInfo(zone_name))


def vevent(event: Event) -> icalendar.Event:
    item = icalendar.Event()
    item.add("uid", event.uid)
    item.add("dtstamp", timezone.now())
    item.add("sequence", event.sequence)
    item.add("summary", event.title)
    item.add("dtstart", _local(event.starts_at, event.timezone))
    item.add("dtend", _local(event.ends_at, event.timezone))
    url = absolute_url(event.get_absolute_url())
    item.add("url", url)
    description = event.description.strip()
    if event.join_url:
        description = f"Join online: {event.join_url}\n\n{description}".strip()
        item.add("x-practica-join-url", event.join_url)
    item.add("description", f"{description}\n\n{url}".strip())
    where = event.location or event.join_url
    if where:
        item.add("location", where)
    item.add("categories", [event.get_kind_display()])
    item.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    rule = recurrence.rrule_value(event)
    if rule:
        item.add("rrule", rule)
        first = event.starts_at.astimezone(zoneinfo.ZoneInfo(event.timezone))
        for day in sorted(recurrence.exception_dates(event)):
            skipped = datetime.combine(day, first.timetz().replace(tzinfo=None)).replace(
                tzinfo=zoneinfo.ZoneInfo(event.timezone)
            )
            item.add("exdate", skipped)
    return item


def calendar_for(events: Iterable[Event], *, name: str) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(vevent(event))
    cal.add_missing_timezones()
    return cal.to_ical()
