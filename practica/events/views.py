"""Event pages: list, detail, plan and edit, RSVP, attendance, notes, calendar files."""

from __future__ import annotations

import zoneinfo
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from practica.communities.capabilities import Capability, can_map, require
from practica.communities.models import Community, Membership, Visibility
from practica.communities.views.browse import community_for
from practica.events import answers, calendar, querysets, recurrence, services
from practica.events import month as month_calendar
from practica.events.forms import EventForm, EventNotesForm, zone_choices
from practica.events.models import RSVP, Attendance, Event
from practica.events.permissions import can_manage, require_manage
from practica.library.querysets import filed_notes_article
from practica.words import counted

UPCOMING_OCCURRENCES_SHOWN = 5


def _members(community: Community):
    return [
        m.user
        for m in Membership.objects.filter(community=community, suspended=False)
        .select_related("user")
        .order_by("user__display_name", "user__username")
    ]


def _event(community: Community, event_id: int) -> Event:
    try:
        return querysets.event_for_page(community, event_id)
    except Event.DoesNotExist as error:
        raise Http404("There is no such event in this community.") from error


def event_list(request, community_slug):
    community = community_for(request, community_slug)
    context = {
        "community": community,
        **querysets.events_page(community, request.user),
        **can_map(request.user, community, [Capability.CREATE_EVENT]),
    }
    return render(request, "events/event_list.html", context)


WEEKDAYS = [
    ("Monday", "Mon"),
    ("Tuesday", "Tue"),
    ("Wednesday", "Wed"),
    ("Thursday", "Thu"),
    ("Friday", "Fri"),
    ("Saturday", "Sat"),
    ("Sunday", "Sun"),
]


def _calendar_date(year: int, month: int, day: int = 1) -> date:
    try:
        found = date(year, month, day)
    except (ValueError, OverflowError) as error:  # a year too big for C is no date either
        raise Http404("There is no such date.") from error
    if not 1900 <= found.year <= 2200:
        raise Http404("The calendar covers the years 1900 to 2200.")
    return found


def event_month(request, community_slug, year=None, month=None):
    """A month of the community's events, as a table of weeks (a list of days on phones)."""
    community = community_for(request, community_slug)
    now = timezone.now()
    if year is None:
        first = now.astimezone(zoneinfo.ZoneInfo(month_calendar.calendar_zone(request.user)))
        first = first.date().replace(day=1)
    else:
        first = _calendar_date(year, month)
    context = {
        "community": community,
        **month_calendar.month_page(community, request.user, first.year, first.month, now=now),
        "weekdays": WEEKDAYS,
        **can_map(request.user, community, [Capability.CREATE_EVENT]),
    }
    return render(request, "events/event_month.html", context)


def event_week(request, community_slug, year=None, month=None, day=None):
    """A week of the community's events, day by day."""
    community = community_for(request, community_slug)
    now = timezone.now()
    if year is None:
        zone = zoneinfo.ZoneInfo(month_calendar.calendar_zone(request.user))
        chosen = now.astimezone(zone).date()
    else:
        chosen = _calendar_date(year, month, day)
    page = month_calendar.week_page(community, request.user, chosen, now=now)
    context = {
        "community": community,
        **page,
        "monday_label": f"{page['monday'].day} {page['monday']:%B %Y}",
        **can_map(request.user, community, [Capability.CREATE_EVENT]),
    }
    return render(request, "events/event_week.html", context)


def _shown_occurrences(occurrences, now, chosen):
    """The next few dates to come, plus the one asked for with ?on= when it is later."""
    coming = [o for o in occurrences if o.end > now]
    shown = coming[:UPCOMING_OCCURRENCES_SHOWN]
    if chosen is not None and chosen not in [o.start for o in shown]:
        shown += [o for o in coming if o.start == chosen]
    return shown, len(coming)


def event_detail(request, community_slug, event_id):
    community = community_for(request, community_slug)
    event = _event(community, event_id)
    now = timezone.now()
    occurrences = recurrence.occurrences(event)
    chosen = recurrence.parse_key(request.GET.get("on", ""))
    coming, coming_count = _shown_occurrences(occurrences, now, chosen)
    past = [o for o in occurrences if o.start <= now][-UPCOMING_OCCURRENCES_SHOWN:][::-1]
    given = answers.for_event(event, with_users=True)
    me = request.user.pk if request.user.is_authenticated else None
    manage = can_manage(request.user, event)
    series = event.is_series

    def dated(o):
        start = o.start if series else None
        return {
            "occurrence": o,
            "when": querysets.when(o, request.user),
            "mine": given.status(me, start),
            "counts": given.counts(start),
            "full": event.capacity is not None and given.going(start) >= event.capacity,
        }

    shown = [dated(o) for o in coming]
    focus = next((d for d in shown if d["occurrence"].start == chosen), shown[0] if shown else None)
    attended = dict(
        Attendance.objects.filter(event=event, occurrence_start__in=[o.start for o in past])
        .values("occurrence_start")
        .annotate(n=Count("pk"))
        .values_list("occurrence_start", "n")
        if manage
        else []
    )
    whole = given.whole.get(me) if me else None
    context = {
        "community": community,
        "event": event,
        "next": shown,
        "more_dates": coming_count - len(shown),
        "focus": focus,
        "past": [(o, querysets.when(o, request.user), attended.get(o.start, 0)) for o in past],
        "rule": recurrence.rule_text(event),
        "my_rsvp": whole,
        "rsvps": (
            given.grouped(focus["occurrence"].start if series and focus else None)
            if manage
            else None
        ),
        "is_over": event.last_ends_at <= now,
        "can_manage": manage,
        "answers": [
            (RSVP.Status.GOING, "Going"),
            (RSVP.Status.MAYBE, "Maybe"),
            (RSVP.Status.NOT_GOING, "Not going"),
        ],
        "notes_article": filed_notes_article(request.user, event),
        **can_map(request.user, community, [Capability.RSVP, Capability.DRAFT_ARTICLE]),
    }
    return render(request, "events/event_detail.html", context)


def _form_context(request, community, form, event=None):
    return {
        "community": community,
        "form": form,
        "event": event,
        "zone_names": zone_choices(),
    }


def _save(request, community, event=None):
    members = _members(community)
    initial = (
        EventForm.initial_for(event)
        if event
        else {"timezone": getattr(request.user, "timezone", "UTC")}
    )
    form = EventForm(
        request.POST or None,
        members=members,
        initial=initial,
        creating=event is None,
        community=community,
    )
    if request.method == "POST" and form.is_valid():
        chosen = {str(u.pk): u for u in members}
        organisers = [chosen[pk] for pk in form.cleaned_data["organisers"] if pk in chosen]
        try:
            if event is None:
                event = services.create_event(
                    actor=request.user,
                    community=community,
                    organisers=organisers,
                    submission_key=form.cleaned_data["submission_key"],
                    **form.service_arguments(),
                )
                messages.success(request, "Event planned. Members can now RSVP.")
            else:
                event = services.update_event(
                    actor=request.user,
                    event=event,
                    organisers=organisers or [request.user],
                    **form.service_arguments(),
                )
                messages.success(request, "Event saved. People who RSVP’d were told of changes.")
            return redirect(event.get_absolute_url())
        except ValidationError as error:
            form.apply_service_error(error)
    context = _form_context(request, community, form, event)
    return render(request, "events/event_form.html", context)


@login_required
def event_create(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.CREATE_EVENT, community=community)
    return _save(request, community)


@login_required
def event_edit(request, community_slug, event_id):
    community = community_for(request, community_slug)
    event = _event(community, event_id)
    require_manage(request.user, event)
    if event.is_cancelled:
        messages.error(request, "This event was cancelled: it can't be changed any more.")
        return redirect(event.get_absolute_url())
    return _save(request, community, event)


@login_required
@require_POST
def event_cancel(request, community_slug, event_id):
    community = community_for(request, community_slug)
    event = _event(community, event_id)
    services.cancel_event(actor=request.user, event=event)
    messages.success(request, "Event cancelled. Everyone who RSVP’d has been told.")
    return redirect(event.get_absolute_url())


MESSAGES = {
    RSVP.Status.GOING: "You’re going. It’s in your calendar feed.",
    RSVP.Status.WAITLISTED: "The event is full, so you’re on the waitlist. If a place opens "
    "up you’ll get it automatically, in the order people joined the list, and we’ll tell you.",
    RSVP.Status.MAYBE: "Saved as maybe.",
    RSVP.Status.NOT_GOING: "Saved: you’re not going.",
}
EVERY_DATE_MESSAGES = {
    RSVP.Status.GOING: "You’re going to every date. They’re in your calendar feed.",
    RSVP.Status.MAYBE: "Saved as maybe for every date.",
    RSVP.Status.NOT_GOING: "Saved: you’re not going to any of the dates to come.",
}


@login_required
@require_POST
def event_rsvp(request, community_slug, event_id):
    community = community_for(request, community_slug)
    event = _event(community, event_id)
    key = request.POST.get("occurrence", "") if event.is_series else ""
    start = recurrence.parse_key(key) if key else None
    if key and start is None:
        messages.error(request, "That date isn’t one of this event’s dates.")
        return redirect(event.get_absolute_url())
    try:
        rsvp = services.respond(
            actor=request.user,
            event=event,
            status=request.POST.get("status", ""),
            occurrence_start=start,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        level = messages.WARNING if rsvp.status == RSVP.Status.WAITLISTED else messages.SUCCESS
        text = MESSAGES[rsvp.status]
        if event.is_series and start is None:
            text = EVERY_DATE_MESSAGES[rsvp.status]
            waiting = RSVP.objects.filter(
                event=event, user=request.user, status=RSVP.Status.WAITLISTED
            ).count()
            if waiting:
                level = messages.WARNING
                text += (
                    f" {waiting} of the dates {'is' if waiting == 1 else 'are'} full, so "
                    "you’re on the waitlist there; you’ll get a place automatically if one "
                    "opens up."
                )
        elif start is not None:
            text = f"For {querysets.when(recurrence.find(event, start), request.user).reader}: "
            text += MESSAGES[rsvp.status][0].lower() + MESSAGES[rsvp.status][1:]
        messages.add_message(request, level, text)
    if start is not None:
        key = start.strftime("%Y%m%dT%H%MZ")
        return redirect(f"{event.get_absolute_url()}?on={key}#on-{key}")
    return redirect(event.get_absolute_url())


@login_required
def event_attendance(request, community_slug, event_id, occurrence_key):
    community = community_for(request, community_slug)
    event = _event(community, event_id)
    require_manage(request.user, event)
    start = recurrence.parse_key(occurrence_key)
    occurrence = recurrence.find(event, start) if start else None
    if occurrence is None:
        raise Http404("That date isn't one of this event's occurrences.")
    members = _members(community)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("attended") if v.isdigit()]
        try:
            count = services.record_attendance(
                actor=request.user, event=event, occurrence_start=occurrence.start, attendee_ids=ids
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Attendance saved: {counted(count, 'person,people')}.")
            return redirect(event.get_absolute_url())
    attended = set(
        Attendance.objects.filter(event=event, occurrence_start=occurrence.start).values_list(
            "user_id", flat=True
        )
    )
    given = answers.for_event(event).at(occurrence.start if event.is_series else None)
    rows = [
        {
            "user": m,
            "attended": m.pk in attended,
            "rsvp": given[m.pk].status if m.pk in given else "",
        }
        for m in members
    ]
    # Those who said they'd come first: they are who the organiser is looking for.
    rows.sort(key=lambda r: (r["rsvp"] != RSVP.Status.GOING, r["user"].name.lower()))
    context = {
        "community": community,
        "event": event,
        "occurrence": occurrence,
        "when": querysets.when(occurrence, request.user),
        "rows": rows,
        "is_future": occurrence.start > timezone.now(),
    }
    return render(request, "events/event_attendance.html", context)


@login_required
def event_notes(request, community_slug, event_id):
    """The notes form: posted from the event page, shown on its own with what was typed
    when it needs correcting (or the guard's warning)."""
    community = community_for(request, community_slug)
    event = _event(community, event_id)
    require_manage(request.user, event)
    form = EventNotesForm(request.POST or None, initial={"notes": event.notes})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_notes(
                actor=request.user,
                event=event,
                notes=form.cleaned_data["notes"],
                confirm_guard=form.guard_confirmed,
            )
        except ValidationError as error:
            form.apply_service_error(error)
        else:
            messages.success(request, "Notes saved.")
            return redirect(event.get_absolute_url() + "#notes")
    context = {"community": community, "event": event, "form": form}
    status = 422 if request.method == "POST" else 200
    return render(request, "events/event_notes.html", context, status=status)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def event_ics(request, community_slug, event_id):
    community = community_for(request, community_slug)
    event = get_object_or_404(Event, community=community, pk=event_id)
    return _ics(calendar.calendar_for([event], name=event.title), f"event-{event.pk}.ics")


def community_feed(request, community_slug):
    """The public feed of a public community. Private and organisation-only communities
    have none: a feed URL travels further than a page, so members use their own feed."""
    community = get_object_or_404(Community, slug=community_slug)
    if community.visibility != Visibility.PUBLIC:
        raise Http404(
            f"{community.name} isn't public, so it has no public calendar feed. Members can "
            "subscribe to their own private feed from their notification settings."
        )
    events = Event.objects.filter(community=community).select_related("community")
    return _ics(
        calendar.calendar_for(events, name=f"{community.name} · Practica"),
        f"{community.slug}.ics",
    )
