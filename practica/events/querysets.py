"""Reads shaped for event pages, feeds and digests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from practica.communities.capabilities import memberships_of
from practica.communities.models import Community
from practica.events import answers, recurrence
from practica.events.models import RSVP, Event
from practica.events.timezones import When, describe
from practica.people.models import User

PAST_LIMIT = 30


def with_counts(queryset):
    """Events with their seat counts and organisers, for pages: two queries in all."""
    return queryset.annotate(
        going_count=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.GOING), distinct=True),
        maybe_count=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.MAYBE), distinct=True),
        waitlist_count=Count(
            "rsvps", filter=Q(rsvps__status=RSVP.Status.WAITLISTED), distinct=True
        ),
    ).prefetch_related(
        Prefetch("organisers", queryset=User.objects.order_by("display_name", "username"))
    )


def reader_zone(user) -> str:
    return getattr(user, "timezone", "") if user is not None and user.is_authenticated else ""


def when(occurrence: recurrence.Occurrence, user) -> When:
    return describe(
        occurrence.start,
        occurrence.end,
        event_zone=occurrence.event.timezone,
        reader_zone=reader_zone(user),
    )


@dataclass
class Listed:
    """An event as a list shows it: the occurrence to show and how to say when it is."""

    event: Event
    occurrence: recurrence.Occurrence
    when: When
    my_status: str = ""
    rule: str = field(default="")
    counts: answers.Counts = field(default_factory=answers.Counts)


def _start_of(occurrence: recurrence.Occurrence) -> datetime | None:
    return occurrence.start if occurrence.event.is_series else None


def events_page(community: Community, user, *, now: datetime | None = None) -> dict:
    """Upcoming events (by next occurrence, with its seats and the reader's answer for it)
    and past ones (by last), in a fixed number of queries whatever the number of events."""
    now = now or timezone.now()
    base = with_counts(Event.objects.filter(community=community)).select_related("community")
    upcoming_events = list(base.filter(last_ends_at__gt=now))
    past_events = list(base.filter(starts_at__lte=now).order_by("-starts_at")[:PAST_LIMIT])
    given = answers.for_events(upcoming_events)
    me = user.pk if user is not None and user.is_authenticated else None
    upcoming = []
    for event in upcoming_events:
        occurrence = recurrence.next_occurrence(event, now)
        if occurrence is not None:
            start = _start_of(occurrence)
            upcoming.append(
                Listed(
                    event,
                    occurrence,
                    when(occurrence, user),
                    given[event.pk].status(me, start),
                    recurrence.rule_text(event),
                    given[event.pk].counts(start),
                )
            )
    upcoming.sort(key=lambda item: item.occurrence.start)
    past = []
    for event in past_events:
        occurrence = recurrence.last_past_occurrence(event, now)
        if occurrence is not None:
            past.append(Listed(event, occurrence, when(occurrence, user), "", ""))
    past.sort(key=lambda item: item.occurrence.start, reverse=True)
    return {"upcoming": upcoming, "past": past}


def event_for_page(community: Community, event_id: int) -> Event:
    return (
        with_counts(Event.objects.filter(community=community))
        .select_related("community", "created_by")
        .get(pk=event_id)
    )


def member_events(user, *, since: datetime) -> list[Event]:
    """Events of every community `user` is an active member of, ending after `since`."""
    communities = [cid for cid, m in memberships_of(user).items() if not m.suspended]
    return list(
        Event.objects.filter(community_id__in=communities, last_ends_at__gt=since)
        .select_related("community")
        .prefetch_related("organisers")
        .order_by("starts_at", "pk")
    )


def upcoming_for_digest(user, *, now: datetime, until: datetime) -> list[Listed]:
    """Occurrences starting before `until` in the member's communities, except events the
    member said they won't go to or that were cancelled."""
    events = [e for e in member_events(user, since=now) if not e.is_cancelled]
    given = answers.for_events(events)
    found = []
    for event in events:
        for occurrence in recurrence.occurrences(event):
            if occurrence.end <= now or occurrence.start >= until:
                continue
            status = given[event.pk].status(user.pk, _start_of(occurrence))
            if status != RSVP.Status.NOT_GOING:
                found.append(Listed(event, occurrence, when(occurrence, user), status))
                break
    found.sort(key=lambda item: item.occurrence.start)
    return found
