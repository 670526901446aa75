"""Reads shaped for event pages, feeds and digests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from practica.communities.capabilities import memberships_of
from practica.communities.models import Community
from practica.events import recurrence
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


def _my_statuses(user, events: list[Event]) -> dict[int, str]:
    if user is None or not user.is_authenticated or not events:
        return {}
    return dict(
        RSVP.objects.filter(user=user, event__in=[e.pk for e in events]).values_list(
            "event_id", "status"
        )
    )


def events_page(community: Community, user, *, now: datetime | None = None) -> dict:
    """Upcoming events (by next occurrence) and past ones (by last), in a fixed number of
    queries whatever the number of events."""
    now = now or timezone.now()
    base = with_counts(Event.objects.filter(community=community)).select_related("community")
    upcoming_events = list(base.filter(last_ends_at__gt=now))
    past_events = list(base.filter(starts_at__lte=now).order_by("-starts_at")[:PAST_LIMIT])
    statuses = _my_statuses(user, upcoming_events)
    upcoming = []
    for event in upcoming_events:
        occurrence = recurrence.next_occurrence(event, now)
        if occurrence is not None:
            upcoming.append(
                Listed(
                    event,
                    occurrence,
                    when(occurrence, user),
                    statuses.get(event.pk, ""),
                    recurrence.rule_text(event),
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


def rsvp_lists(event: Event) -> dict:
    rows = list(
        RSVP.objects.filter(event=event)
        .select_related("user")
        .order_by("status", "waitlisted_at", "created_at", "pk")
    )
    grouped: dict[str, list[RSVP]] = {s: [] for s in RSVP.Status.values}
    for row in rows:
        grouped[row.status].append(row)
    grouped["waitlisted"].sort(key=lambda r: (r.waitlisted_at, r.pk))
    return grouped


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
    statuses = _my_statuses(user, events)
    found = []
    for event in events:
        if statuses.get(event.pk) == RSVP.Status.NOT_GOING:
            continue
        occurrence = recurrence.next_occurrence(event, now)
        if occurrence is not None and occurrence.start < until:
            found.append(
                Listed(event, occurrence, when(occurrence, user), statuses.get(event.pk, ""))
            )
    found.sort(key=lambda item: item.occurrence.start)
    return found
