"""Events: the list, one event with its dates, the caller's RSVP (for every date or one
date of a series), and for organisers the answers and attendance. Writes are the events
services the pages call (seats and waitlists per date held under the event's row lock;
attendance re-evaluates progression); answers are read through `events.answers`, as the
event page reads them."""

from __future__ import annotations

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from practica.api import pagination
from practica.api.auth import require_member
from practica.api.common import Input, LanyardOut, community_for, lanyard_out
from practica.api.problems import Problem
from practica.communities.capabilities import Capability, can
from practica.communities.lanyards import attach_lanyards
from practica.communities.models import Membership
from practica.events import answers, querysets, recurrence, services
from practica.events.models import RSVP, Attendance, Event
from practica.events.permissions import can_manage, require_manage
from practica.site import absolute_url

router = Router(tags=["events"])

SHOWN_OCCURRENCES = 5


class OccurrenceOut(Schema):
    key: str = Field(description="Names the date in RSVP and attendance calls")
    start: datetime.datetime
    end: datetime.datetime


class DateOut(OccurrenceOut):
    my_rsvp: str | None = Field(description="The caller's answer for this date")
    going_count: int
    maybe_count: int
    waitlist_count: int


class EventOut(Schema):
    id: int
    title: str
    kind: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    timezone: str
    repeats: str
    next_occurrence: OccurrenceOut | None
    location: str
    join_url: str
    capacity: int | None = Field(description="Places at each date")
    going_count: int = Field(description="At the next date")
    maybe_count: int
    waitlist_count: int
    is_cancelled: bool
    organisers: list[str]
    my_rsvp: str | None = Field(description="The caller's answer at the next date")
    url: str


class EventList(Schema):
    results: list[EventOut]
    next: str | None


class EventPermissions(Schema):
    rsvp: bool
    manage: bool = Field(description="Edit, cancel and take attendance (organisers, stewards)")


class EventDetail(EventOut):
    description: str
    description_html: str
    my_rsvp_every_date: str | None = Field(description="The caller's answer for the whole event")
    coming: list[DateOut]
    past: list[OccurrenceOut]
    permissions: EventPermissions


class RsvpIn(Input):
    status: Literal["going", "maybe", "not_going"]
    occurrence: str | None = Field(
        None,
        max_length=20,
        description="One date of a series (its key) to answer for that date only; "
        "without it the answer is for every date",
    )


class RsvpOut(Schema):
    event_id: int
    occurrence: str | None = Field(description="The date answered for; null: every date")
    status: str = Field(description="going, maybe, not_going, or waitlisted when full")
    waitlisted_at: datetime.datetime | None
    updated_at: datetime.datetime


class RsvpRow(Schema):
    member: LanyardOut | None
    for_every_date: bool
    status: str
    waitlisted_at: datetime.datetime | None
    updated_at: datetime.datetime


class RsvpList(Schema):
    results: list[RsvpRow]


class AttendanceIn(Input):
    attendees: list[str] = Field(..., max_length=2000, description="Usernames of who attended")


class AttendanceOut(Schema):
    event_id: int
    occurrence: OccurrenceOut
    attendees: list[str]


def _occurrence(o) -> dict:
    return {"key": o.key, "start": o.start, "end": o.end}


def _key(start: datetime.datetime | None) -> str | None:
    return start.strftime("%Y%m%dT%H%MZ") if start else None


def _event_out(event, given, user, *, now) -> dict:
    coming = recurrence.next_occurrence(event, now)
    start = coming.start if coming is not None and event.is_series else None
    counts = given.counts(start)
    me = user.pk if user.is_authenticated else None
    return {
        "id": event.pk,
        "title": event.title,
        "kind": event.kind,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "timezone": event.timezone,
        "repeats": event.repeat or "",
        "next_occurrence": _occurrence(coming) if coming else None,
        "location": event.location,
        "join_url": event.join_url,
        "capacity": event.capacity,
        "going_count": counts.going,
        "maybe_count": counts.maybe,
        "waitlist_count": counts.waitlisted,
        "is_cancelled": event.is_cancelled,
        "organisers": [u.username for u in event.organisers.all()],
        "my_rsvp": given.status(me, start) or None,
        "url": absolute_url(event.get_absolute_url()),
    }


@router.get("/{slug}/events", response=EventList, url_name="event-list", summary="Events")
def event_list(
    request,
    slug: str,
    when: Literal["upcoming", "past"] = Query("upcoming", description="upcoming: not yet over"),
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    """Upcoming events by their first start (a series' next date is `next_occurrence`),
    or past ones, latest first."""
    community = community_for(request, slug)
    now = timezone.now()
    events = (
        Event.objects.filter(community=community)
        .select_related("community")
        .prefetch_related("organisers")
    )
    if when == "upcoming":
        events, order = events.filter(last_ends_at__gt=now), ("starts_at", "pk")
    else:
        events, order = events.filter(last_ends_at__lte=now), ("-starts_at", "-pk")

    def serialize(rows):
        given = answers.for_events(rows)
        return [_event_out(e, given[e.pk], request.user, now=now) for e in rows]

    return pagination.page(
        request, events, order=order, cursor=cursor, limit=limit, serialize=serialize
    )


def _event(request, slug: str, event_id: int) -> Event:
    community = community_for(request, slug)
    try:
        event = querysets.event_for_page(community, event_id)
    except Event.DoesNotExist:
        raise Http404("There is no such event in this community.") from None
    event.community = community
    return event


@router.get(
    "/{slug}/events/{event_id}", response=EventDetail, url_name="event-detail", summary="An event"
)
def event_detail(request, slug: str, event_id: int):
    event = _event(request, slug, event_id)
    user = request.user
    now = timezone.now()
    occurrences = recurrence.occurrences(event)
    given = answers.for_event(event)
    me = user.pk if user.is_authenticated else None
    whole = given.whole.get(me) if me else None

    def dated(o):
        start = o.start if event.is_series else None
        counts = given.counts(start)
        return {
            **_occurrence(o),
            "my_rsvp": given.status(me, start) or None,
            "going_count": counts.going,
            "maybe_count": counts.maybe,
            "waitlist_count": counts.waitlisted,
        }

    return {
        **_event_out(event, given, user, now=now),
        "description": event.description,
        "description_html": event.description_html,
        "my_rsvp_every_date": whole.status if whole else None,
        "coming": [dated(o) for o in occurrences if o.end > now][:SHOWN_OCCURRENCES],
        "past": [_occurrence(o) for o in occurrences if o.start <= now][-SHOWN_OCCURRENCES:][::-1],
        "permissions": {
            "rsvp": can(user, Capability.RSVP, community=event.community),
            "manage": can_manage(user, event),
        },
    }


@router.put(
    "/{slug}/events/{event_id}/rsvp",
    response=RsvpOut,
    url_name="event-rsvp",
    summary="Answer the RSVP",
)
def event_rsvp(request, slug: str, event_id: int, payload: RsvpIn):
    """Going to a full date puts you on its waitlist (`status: waitlisted`); answering
    again with the same status changes nothing. For a series, name one date with
    `occurrence`, or leave it out to answer for every date."""
    actor = require_member(request)
    event = _event(request, slug, event_id)
    start = None
    if payload.occurrence and event.is_series:
        start = _occurrence_of(event, payload.occurrence, field="body.occurrence").start
    try:
        rsvp = services.respond(
            actor=actor, event=event, status=payload.status, occurrence_start=start
        )
    except ValidationError as error:
        raise Problem(
            "validation",
            " ".join(error.messages),
            errors=[{"field": "body.status", "detail": " ".join(error.messages)}],
        ) from None
    return {
        "event_id": event.pk,
        "occurrence": _key(rsvp.occurrence_start),
        "status": rsvp.status,
        "waitlisted_at": rsvp.waitlisted_at,
        "updated_at": rsvp.updated_at,
    }


@router.get(
    "/{slug}/events/{event_id}/rsvps",
    response=RsvpList,
    url_name="event-rsvps",
    summary="Everyone's answers (organisers)",
)
def event_rsvps(
    request,
    slug: str,
    event_id: int,
    occurrence: str | None = Query(None, max_length=20, description="A series' date (its key)"),
):
    """Going, maybe, not going and the waitlist in its order, as organisers see them: for
    a series, at one date (the next one unless `occurrence` names another)."""
    event = _event(request, slug, event_id)
    require_manage(request.user, event)
    start = None
    if event.is_series:
        if occurrence:
            start = _occurrence_of(event, occurrence, field="query.occurrence").start
        else:
            coming = recurrence.next_occurrence(event, timezone.now())
            start = coming.start if coming else None
    groups = answers.for_event(event, with_users=True).grouped(start)
    rows = [row for status in RSVP.Status.values for row in groups[status]]
    attach_lanyards(event.community, rows, "user")
    return {
        "results": [
            {
                "member": lanyard_out(r.lanyard),
                "for_every_date": r.occurrence_start is None,
                "status": r.status,
                "waitlisted_at": r.waitlisted_at,
                "updated_at": r.updated_at,
            }
            for r in rows
        ]
    }


def _occurrence_of(event, occurrence_key: str, *, field: str = ""):
    start = recurrence.parse_key(occurrence_key)
    occurrence = recurrence.find(event, start) if start else None
    if occurrence is None:
        detail = "That date isn't one of this event's dates (keys look like 20260105T0900Z)."
        if field:
            raise Problem("validation", detail, errors=[{"field": field, "detail": detail}])
        raise Http404(detail)
    return occurrence


def _attendance_out(event, occurrence) -> dict:
    names = (
        Attendance.objects.filter(event=event, occurrence_start=occurrence.start)
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )
    return {"event_id": event.pk, "occurrence": _occurrence(occurrence), "attendees": list(names)}


@router.get(
    "/{slug}/events/{event_id}/attendance/{occurrence_key}",
    response=AttendanceOut,
    url_name="event-attendance",
    summary="Who attended one occurrence (organisers)",
)
def attendance_get(request, slug: str, event_id: int, occurrence_key: str):
    event = _event(request, slug, event_id)
    require_manage(request.user, event)
    return _attendance_out(event, _occurrence_of(event, occurrence_key))


@router.put(
    "/{slug}/events/{event_id}/attendance/{occurrence_key}",
    response=AttendanceOut,
    url_name="event-attendance-set",
    summary="Record who attended (organisers)",
)
def attendance_set(request, slug: str, event_id: int, occurrence_key: str, payload: AttendanceIn):
    """The whole list: members left out are taken off. Only active members count."""
    actor = require_member(request)
    event = _event(request, slug, event_id)
    require_manage(actor, event)
    occurrence = _occurrence_of(event, occurrence_key)
    members = dict(
        Membership.objects.filter(
            community=event.community, suspended=False, user__username__in=payload.attendees
        ).values_list("user__username", "user_id")
    )
    unknown = sorted(set(payload.attendees) - set(members))
    if unknown:
        raise Problem(
            "validation",
            f"Not active members of {event.community.name}: {', '.join(unknown[:20])}.",
            errors=[{"field": "body.attendees", "detail": "Unknown: " + ", ".join(unknown[:20])}],
        )
    try:
        services.record_attendance(
            actor=actor,
            event=event,
            occurrence_start=occurrence.start,
            attendee_ids=list(members.values()),
        )
    except ValidationError as error:
        raise Problem(
            "validation",
            " ".join(error.messages),
            errors=[{"field": "path.occurrence_key", "detail": " ".join(error.messages)}],
        ) from None
    return _attendance_out(event, occurrence)
