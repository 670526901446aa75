"""Every write to events: planning, RSVP with a waitlist, attendance, feeds."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from practica.communities.capabilities import Capability, require
from practica.communities.models import Community, Membership
from practica.events import answers, recurrence
from practica.events.models import (
    MAX_SERIES_DAYS,
    RSVP,
    Attendance,
    CalendarFeed,
    Event,
    EventType,
    new_feed_token,
)
from practica.events.permissions import require_manage
from practica.markdown import render_markdown
from practica.notifications.models import Notification
from practica.notifications.services import notify
from practica.privacy.guard import changed_texts, screen
from practica.reliability.idempotency import once_per_key

# Changing these tells everyone who answered the RSVP.
NOTICEABLE_FIELDS = (
    "starts_at",
    "ends_at",
    "timezone",
    "join_url",
    "location",
    "repeat",
    "repeat_until",
    "exception_dates",
)
# Everyone who answered other than "not going" hears about changes.
INTERESTED = (RSVP.Status.GOING, RSVP.Status.MAYBE, RSVP.Status.WAITLISTED)


def _screen(*, actor, community, event: Event | None, texts: dict, confirm_guard: bool):
    """The patient-data guard over what the organiser wrote (or changed) in an event."""
    return screen(
        actor=actor,
        community=community,
        where="event",
        texts=changed_texts(event, {k: v for k, v in texts.items() if isinstance(v, str)}),
        confirmed=confirm_guard,
    )


def _set_text(event: Event) -> None:
    event.description_html = render_markdown(event.description)
    event.case_summary_html = render_markdown(event.case_summary)
    event.notes_html = render_markdown(event.notes)


def _check_series(event: Event) -> None:
    """Refuse a series whose wall-clock time doesn't exist on one of its dates."""
    if event.repeat:
        if event.repeat_until < event.starts_at.date():
            raise ValidationError({"repeat_until": "The series can't end before it starts."})
        if (event.repeat_until - event.starts_at.date()).days > MAX_SERIES_DAYS:
            raise ValidationError({"repeat_until": "A series can run for at most two years."})
        first_local = event.starts_at.astimezone(zoneinfo.ZoneInfo(event.timezone))
        missing = recurrence.missing_dates(
            first_local=first_local.replace(tzinfo=None),
            zone_name=event.timezone,
            repeat=event.repeat,
            repeat_until=event.repeat_until,
            skip=recurrence.exception_dates(event),
        )
        if missing:
            days = ", ".join(f"{d.day} {d:%B %Y}" for d in missing)
            raise ValidationError(
                {
                    "exception_dates": (
                        f"The clocks go forward in {event.timezone} on {days}, so "
                        f"{first_local:%H:%M} doesn't exist that day. Add it as an exception "
                        "or choose another time."
                    )
                }
            )


def _finish(event: Event, *, organisers: Iterable | None):
    if event.kind != EventType.CASE_DISCUSSION:
        event.case_summary = ""
    _set_text(event)
    event.exception_dates = sorted({str(date.fromisoformat(str(d))) for d in event.exception_dates})
    event.full_clean(exclude=["last_ends_at"])
    _check_series(event)
    event.last_ends_at = recurrence.series_end(event)
    event.save()
    if organisers is not None:
        members = set(
            Membership.objects.filter(
                community=event.community, suspended=False, user__in=list(organisers)
            ).values_list("user_id", flat=True)
        )
        event.organisers.set(members)


@once_per_key("events.create_event")
def create_event(
    *,
    actor,
    community: Community,
    title: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone_name: str,
    description: str = "",
    case_summary: str = "",
    join_url: str = "",
    location: str = "",
    capacity: int | None = None,
    organisers: Iterable | None = None,
    repeat: str = "",
    repeat_until: date | None = None,
    exception_dates: Iterable[date] = (),
    confirm_guard: bool = False,
    topics: Iterable | None = None,
) -> Event:
    """Plan an event. The actor is always one of its organisers. Raises PatientDataFound."""
    require(actor, Capability.CREATE_EVENT, community=community)
    screening = _screen(
        actor=actor,
        community=community,
        event=None,
        texts={"title": title, "description": description, "case_summary": case_summary},
        confirm_guard=confirm_guard,
    )
    with transaction.atomic():
        event = Event(
            community=community,
            title=title.strip(),
            kind=kind,
            description=description,
            case_summary=case_summary,
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=timezone_name,
            join_url=join_url,
            location=location.strip(),
            capacity=capacity,
            repeat=repeat,
            repeat_until=repeat_until if repeat else None,
            exception_dates=[str(d) for d in exception_dates] if repeat else [],
            created_by=actor,
        )
        _finish(event, organisers=[actor, *(organisers or [])])
        _set_topics(event, topics)
        screening.record(event)
    return event


def _set_topics(event: Event, topics: Iterable | None) -> None:
    """Tag the event with topics of its own community (others are ignored)."""
    if topics is not None:
        event.topics.set([t for t in topics if t.community_id == event.community_id])


def update_event(
    *, actor, event: Event, confirm_guard: bool = False, organisers=None, topics=None, **changes
) -> Event:
    """Change an event; people who answered its RSVP hear about changes of time or place."""
    require_manage(actor, event)
    if event.is_cancelled:
        raise ValidationError("This event was cancelled: it can't be changed any more.")
    screening = _screen(
        actor=actor,
        community=event.community,
        event=event,
        texts={k: changes[k] for k in ("title", "description", "case_summary") if k in changes},
        confirm_guard=confirm_guard,
    )
    with transaction.atomic():
        event = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
        before = {name: getattr(event, name) for name in NOTICEABLE_FIELDS}
        old_starts = [o.start for o in recurrence.occurrences(event)]
        old_capacity = event.capacity
        for name, value in changes.items():
            if name == "timezone_name":
                name = "timezone"
            if name == "exception_dates":
                value = [str(d) for d in value]
            setattr(event, name, value)
        if not event.repeat:
            event.repeat_until, event.exception_dates = None, []
        changed = [n for n in NOTICEABLE_FIELDS if getattr(event, n) != before[n]]
        if changed:
            event.sequence += 1
        event.updated_at = timezone.now()
        if organisers is not None and not list(organisers):
            organisers = [actor]  # an event always has someone to ask
        _finish(event, organisers=organisers)
        _set_topics(event, topics)
        screening.record(event)
        if changed:
            remap_answers(event, old_starts)
        if event.capacity is None or (old_capacity is not None and event.capacity > old_capacity):
            _promote_waitlist(event)
        if changed:
            _tell_interested(
                event,
                actor=actor,
                text=f"“{event.title}” has changed: check the new time and place.",
            )
    return event


def cancel_event(*, actor, event: Event) -> Event:
    require_manage(actor, event)
    with transaction.atomic():
        event = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
        if event.is_cancelled:
            return event
        event.cancelled_at = timezone.now()
        event.sequence += 1
        event.save(update_fields=["cancelled_at", "sequence"])
        _tell_interested(event, actor=actor, text=f"“{event.title}” has been cancelled.")
    return event


def save_notes(*, actor, event: Event, notes: str, confirm_guard: bool = False) -> Event:
    """Notes and outcomes after the event, in Markdown. Raises PatientDataFound."""
    require_manage(actor, event)
    screening = _screen(
        actor=actor,
        community=event.community,
        event=event,
        texts={"notes": notes},
        confirm_guard=confirm_guard,
    )
    with transaction.atomic():
        event.notes = notes
        event.notes_html = render_markdown(notes)
        event.updated_at = timezone.now()
        event.full_clean(exclude=["last_ends_at"])
        event.save(update_fields=["notes", "notes_html", "updated_at"])
        screening.record(event)
    return event


def _tell_interested(event: Event, *, actor, text: str) -> None:
    people = RSVP.objects.filter(event=event, status__in=INTERESTED).select_related("user")
    for rsvp in people:
        notify(
            recipient=rsvp.user,
            kind=Notification.Kind.EVENT,
            text=text,
            url=event.get_absolute_url(),
            community=event.community,
            actor=actor,
        )


# --- RSVP -----------------------------------------------------------------------------------


def _date_words(event: Event, start: datetime) -> str:
    local = start.astimezone(zoneinfo.ZoneInfo(event.timezone))
    return f"{local:%a} {local.day} {local:%b}"


def _seat(event: Event, user_id: int, start: datetime | None, status: str, now) -> RSVP:
    """Set one row: the whole-event answer (`start` None) or one occurrence's."""
    rsvp = RSVP.objects.filter(event=event, user_id=user_id, occurrence_start=start).first()
    if rsvp is None:
        rsvp = RSVP(event=event, user_id=user_id, occurrence_start=start, created_at=now)
    if status == RSVP.Status.WAITLISTED:
        if rsvp.status != RSVP.Status.WAITLISTED or rsvp.waitlisted_at is None:
            rsvp.waitlisted_at = now
    else:
        rsvp.waitlisted_at = None
    rsvp.status = status
    rsvp.updated_at = now
    rsvp.full_clean(validate_unique=False)
    rsvp.save()
    return rsvp


def _promote_waitlist(event: Event) -> list[RSVP]:
    """Fill free seats from the waitlists, oldest first, occurrence by occurrence.

    The caller holds the event's lock.
    """
    promoted = []
    now = timezone.now()
    starts = (
        [o.start for o in recurrence.occurrences(event) if o.end > now]
        if event.is_series
        else [None]
    )
    for start in starts:
        promoted += _promote_at(event, start, now)
    return promoted


def _promote_at(event: Event, start: datetime | None, now) -> list[RSVP]:
    given = answers.for_event(event, with_users=True)
    free = None if event.capacity is None else event.capacity - given.going(start)
    promoted = []
    for waiting in given.waitlist(start):
        if free is not None and free <= 0:
            break
        whole = given.whole.get(waiting.user_id)
        if start is not None and whole is not None and whole.status == RSVP.Status.GOING:
            # Going to every date already: the seat of this date falls back to that.
            waiting.delete()
            rsvp = whole
        else:
            rsvp = _seat(event, waiting.user_id, start, RSVP.Status.GOING, now)
        promoted.append(rsvp)
        on = f" on {_date_words(event, start)}" if start is not None else ""
        notify(
            recipient=waiting.user,
            kind=Notification.Kind.EVENT,
            text=f"A place opened up: you’re going to “{event.title}”{on}.",
            url=event.get_absolute_url(),
            community=event.community,
        )
        if free is not None:
            free -= 1
    return promoted


def _locked(event: Event) -> Event:
    event = (
        Event.objects.select_for_update(of=("self",)).select_related("community").get(pk=event.pk)
    )
    if event.is_cancelled:
        raise ValidationError("This event was cancelled, so it no longer takes answers.")
    if event.last_ends_at <= timezone.now():
        raise ValidationError("This event is over, so it no longer takes answers.")
    return event


def respond(*, actor, event: Event, status: str, occurrence_start: datetime | None = None) -> RSVP:
    """Answer an event's RSVP, for one date of a series or (without `occurrence_start`) for
    the whole event, every date of a series.

    "Going" to a full occurrence puts the actor on that occurrence's waitlist; answering
    for every date replaces the actor's answers for single dates still to come. The event
    row is locked while seats are counted, so concurrent answers can never fill more seats
    than the capacity.
    """
    require(actor, Capability.RSVP, community=event.community)
    if status not in (RSVP.Status.GOING, RSVP.Status.MAYBE, RSVP.Status.NOT_GOING):
        raise ValidationError("Choose going, maybe or not going.")
    with transaction.atomic():
        event = _locked(event)
        now = timezone.now()
        if not event.is_series:
            return _answer_at(event, actor, None, status, now)
        upcoming = [o.start for o in recurrence.occurrences(event) if o.end > now]
        if occurrence_start is not None:
            if occurrence_start not in upcoming:
                raise ValidationError(
                    "That date isn’t one of this event’s dates still to come, so it can’t "
                    "be answered."
                )
            return _answer_at(event, actor, occurrence_start, status, now)
        return _answer_every_date(event, actor, upcoming, status, now)


def _answer_at(event: Event, actor, start: datetime | None, status: str, now) -> RSVP:
    """One occurrence's answer (or a one-off event's, with `start` None)."""
    given = answers.for_event(event)
    current = given.row(actor.pk, start)
    if (
        status == RSVP.Status.GOING
        and current is not None
        and current.status
        in (
            RSVP.Status.GOING,
            RSVP.Status.WAITLISTED,
        )
    ):
        return current
    if status == RSVP.Status.GOING:
        full = event.capacity is not None and given.going(start) >= event.capacity
        status = RSVP.Status.WAITLISTED if full else RSVP.Status.GOING
    whole = given.whole.get(actor.pk)
    if start is not None and whole is not None and whole.status == status:
        # The same as the answer for every date: no separate answer needed.
        RSVP.objects.filter(event=event, user=actor, occurrence_start=start).delete()
        rsvp = whole
    else:
        rsvp = _seat(event, actor.pk, start, status, now)
    if current is not None and current.status == RSVP.Status.GOING and status != RSVP.Status.GOING:
        _promote_at(event, start, now)
    return rsvp


def _answer_every_date(event: Event, actor, upcoming: list[datetime], status: str, now) -> RSVP:
    before = answers.for_event(event)
    was_going = {s for s in upcoming if before.status(actor.pk, s) == RSVP.Status.GOING}
    was_waiting = {
        s: before.row(actor.pk, s)
        for s in upcoming
        if before.status(actor.pk, s) == RSVP.Status.WAITLISTED
    }
    RSVP.objects.filter(event=event, user=actor, occurrence_start__in=upcoming).delete()
    whole = _seat(event, actor.pk, None, status, now)
    if status == RSVP.Status.GOING and event.capacity is not None:
        given = answers.for_event(event)
        for start in upcoming:
            if start in was_going:
                continue
            if given.going(start) > event.capacity:
                seat = _seat(event, actor.pk, start, RSVP.Status.WAITLISTED, now)
                if start in was_waiting:
                    # Keep their place in the queue.
                    seat.waitlisted_at = was_waiting[start].waitlisted_at
                    seat.save(update_fields=["waitlisted_at"])
    for start in sorted(was_going):
        if status != RSVP.Status.GOING:
            _promote_at(event, start, now)
    return whole


def remap_answers(event: Event, old_starts: list[datetime]) -> None:
    """Move answers for single dates with their dates when a series' time changes; answers
    for dates the series no longer has are removed. The caller holds the event's lock."""
    if not event.is_series:
        RSVP.objects.filter(event=event, occurrence_start__isnull=False).delete()
        return
    tz = zoneinfo.ZoneInfo(event.timezone)
    new_by_day = {o.start.astimezone(tz).date(): o.start for o in recurrence.occurrences(event)}
    moves = {}
    for old in old_starts:
        new = new_by_day.get(old.astimezone(tz).date())
        if new != old:
            moves[old] = new
    for old, new in moves.items():
        rows = RSVP.objects.filter(event=event, occurrence_start=old)
        if new is None:
            rows.delete()
        else:
            rows.update(occurrence_start=new)


# --- attendance ------------------------------------------------------------------------------


def record_attendance(
    *, actor, event: Event, occurrence_start: datetime, attendee_ids: Iterable[int]
) -> int:
    """Set who attended one past occurrence; returns how many attended.

    Only active members of the community can be recorded. Each member whose count
    changed is re-evaluated against the progression rules once this commits.
    """
    require_manage(actor, event)
    occurrence = recurrence.find(event, occurrence_start)
    if occurrence is None:
        raise ValidationError("That date isn't one of this event's occurrences.")
    if occurrence.start > timezone.now():
        raise ValidationError("Attendance can be taken once the event has started.")
    wanted = set(
        Membership.objects.filter(
            community=event.community, suspended=False, user_id__in=list(attendee_ids)
        ).values_list("user_id", flat=True)
    )
    with transaction.atomic():
        Event.objects.select_for_update(of=("self",)).filter(pk=event.pk).first()
        current = set(
            Attendance.objects.filter(event=event, occurrence_start=occurrence.start).values_list(
                "user_id", flat=True
            )
        )
        Attendance.objects.filter(
            event=event, occurrence_start=occurrence.start, user_id__in=current - wanted
        ).delete()
        Attendance.objects.bulk_create(
            [
                Attendance(
                    event=event, user_id=uid, occurrence_start=occurrence.start, recorded_by=actor
                )
                for uid in sorted(wanted - current)
            ]
        )
        for user_id in sorted(wanted ^ current):
            _reevaluate(user_id, event.community)
    return len(wanted)


def _reevaluate(user_id: int, community: Community) -> None:
    from practica.communities.services.progression import request_evaluation

    membership_id = (
        Membership.objects.filter(user_id=user_id, community=community)
        .values_list("pk", flat=True)
        .first()
    )
    if membership_id is not None:
        request_evaluation(membership_id)


def events_attended(membership: Membership, criterion: object = None) -> int:
    """The progression source for "events attended": occurrences attended in the community."""
    return Attendance.objects.filter(
        user_id=membership.user_id, event__community_id=membership.community_id
    ).count()


# --- calendar feeds ---------------------------------------------------------------------------


def feed_for(*, user) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def rotate_feed(*, user) -> CalendarFeed:
    """Revoke the member's feed link by giving it a new token."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update(of=("self",)).get_or_create(
            user=user
        )
        if not created:
            feed.token = new_feed_token()
            feed.rotated_at = timezone.now()
            feed.save(update_fields=["token", "rotated_at"])
    return feed
