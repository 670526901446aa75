"""Demo events in ward-care: a weekly journal club across three continents, a monthly case
discussion, a full workshop with a waitlist, past events with attendance, notifications,
and a sample digest written to the demo mail outbox.

Everything goes through the events and notifications services, so the demo shows what the
real code does. Idempotent: events are found by title and left alone once they exist.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from practica.communities.models import Community, Membership
from practica.communities.stages import Stage
from practica.events import recurrence, services
from practica.events.models import RSVP, Event, EventType, Repeat
from practica.events.timezones import to_utc
from practica.notifications.digests import period_start, send_digest
from practica.notifications.models import Cadence, Delivery, Notification
from practica.notifications.preferences import set_preferences
from practica.people.models import User

JOURNAL_CLUB = "Ward care journal club"
CASE_DISCUSSION = "Monthly case discussion: the deteriorating patient"
WORKSHOP = "Falls prevention skills workshop"
HUDDLE = "Handover huddle: ISBAR in practice"


def _person(email: str) -> User:
    return User.objects.get(email=email)


def _colleagues(community: Community, *, zones: list[str], count: int) -> list[User]:
    """Members of ward-care living in these zones, most experienced first."""
    return [
        m.user
        for m in Membership.objects.filter(
            community=community, suspended=False, user__timezone__in=zones
        )
        .exclude(user__email__endswith="@example.com")
        .select_related("user")
        .order_by("-stage", "user__username")[:count]
    ]


def _organiser_in(community: Community, zones: list[str], fallback: User) -> User:
    found = (
        Membership.objects.filter(
            community=community, suspended=False, stage__gte=Stage.FULL, user__timezone__in=zones
        )
        .exclude(user__email__endswith="@example.com")
        .select_related("user")
        .order_by("user__timezone", "user__username")
        .first()
    )
    return found.user if found else fallback


def _next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _local(day: date, at: time, zone_name: str) -> datetime:
    return to_utc(day, at, zone_name, fold_choice="earlier")


def _plan(organiser, community, title, **arguments) -> tuple[Event, bool]:
    found = Event.objects.filter(community=community, title=title).first()
    if found is not None:
        return found, False
    return services.create_event(
        actor=organiser, community=community, title=title, **arguments
    ), True


def _rsvp(people, event, status) -> None:
    for person in people:
        services.respond(actor=person, event=event, status=status)


def _answer_single_dates(journal, now, *, participant, learner, britons) -> None:
    """Answers for single dates of the journal club: the next one fills up with the learner
    on its waitlist, and on the one after a regular sends apologies."""
    coming = [o.start for o in recurrence.occurrences(journal) if o.end > now]
    if len(coming) < 3:
        return
    services.respond(actor=participant, event=journal, status="going", occurrence_start=coming[0])
    services.respond(actor=learner, event=journal, status="going", occurrence_start=coming[0])
    services.respond(actor=learner, event=journal, status="maybe", occurrence_start=coming[2])
    if britons:
        services.respond(
            actor=britons[0], event=journal, status="not_going", occurrence_start=coming[1]
        )


def _attendance(organiser, event, people, now) -> None:
    for occurrence in recurrence.occurrences(event):
        if occurrence.start <= now:
            services.record_attendance(
                actor=organiser,
                event=event,
                occurrence_start=occurrence.start,
                attendee_ids=[p.pk for p in people],
            )


def seed() -> str:
    community = Community.objects.get(slug="ward-care")
    now = timezone.now()
    sydney_today = now.astimezone(zoneinfo.ZoneInfo("Australia/Sydney")).date()
    steward = _person("steward@example.com")  # London
    full = _person("full@example.com")  # Toronto
    participant = _person("participant@example.com")  # Sydney
    learner = _person("learner@example.com")  # London
    sydney_zones = ["Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane"]
    sydney_organiser = _organiser_in(community, ["Australia/Sydney"], steward)
    australians = [
        p for p in _colleagues(community, zones=sydney_zones, count=4) if p != sydney_organiser
    ]
    canadians = _colleagues(
        community, zones=["America/Toronto", "America/Vancouver", "America/Halifax"], count=3
    )
    britons = _colleagues(community, zones=["Europe/London", "Europe/Dublin"], count=6)
    # Participant prefers her event news in a morning digest: it shows the digest at work.
    set_preferences(user=participant, choices={(None, Notification.Kind.EVENT): Delivery.DAILY})
    made = []

    # A weekly journal club on Friday 11:00 in Sydney — Thursday evening in Toronto and
    # Friday midnight in London. It began three weeks ago and skips one Friday.
    first_friday = _next_weekday(sydney_today - timedelta(days=21), 4)
    skipped = first_friday + timedelta(weeks=5)
    journal, created = _plan(
        sydney_organiser,
        community,
        JOURNAL_CLUB,
        kind=EventType.JOURNAL_CLUB,
        description=(
            "Each week one of us brings a recent paper on ward care and we read it together: "
            "what was asked, what was found, and whether it should change what we do.\n\n"
            "Read the paper beforehand if you can; **learners are very welcome**, and "
            "nobody is put on the spot."
        ),
        starts_at=_local(first_friday, time(11, 0), "Australia/Sydney"),
        ends_at=_local(first_friday, time(12, 0), "Australia/Sydney"),
        timezone_name="Australia/Sydney",
        join_url="https://meet.riverside-health.example/journal-club",
        capacity=10,
        organisers=[steward],
        repeat=Repeat.WEEKLY,
        repeat_until=first_friday + timedelta(weeks=16),
        exception_dates=[skipped],
    )
    if created:
        made.append("journal club")
        # Nine of ten places taken: the first demo account to say "going" gets the last
        # place, the next one lands on the waitlist.
        _rsvp([sydney_organiser, steward, *australians, *britons][:9], journal, "going")
        _rsvp(canadians[:1], journal, "maybe")
        _answer_single_dates(
            journal, now, participant=participant, learner=learner, britons=britons
        )
        _attendance(sydney_organiser, journal, [steward, learner, *australians, *britons[:2]], now)

    # A monthly case discussion, 13:00 London on the same day each month.
    first_month_day = (now - timedelta(days=62)).astimezone(zoneinfo.ZoneInfo("Europe/London"))
    case_day = first_month_day.date().replace(day=min(first_month_day.day, 28))
    case, created = _plan(
        steward,
        community,
        CASE_DISCUSSION,
        kind=EventType.CASE_DISCUSSION,
        description="A real (anonymised) case from one of our wards, discussed across professions.",
        case_summary=(
            "An older man admitted with community-acquired pneumonia has a rising early "
            "warning score on night two. The escalation was delayed by a handover gap "
            "between the day and night teams. What would each profession have done?"
        ),
        starts_at=_local(case_day, time(13, 0), "Europe/London"),
        ends_at=_local(case_day, time(14, 0), "Europe/London"),
        timezone_name="Europe/London",
        join_url="https://meet.riverside-health.example/case-discussion",
        location="Education centre, seminar room 2, Riverside General",
        organisers=[full],
        repeat=Repeat.MONTHLY,
        repeat_until=case_day + timedelta(days=180),
    )
    if created:
        made.append("case discussion")
        _rsvp([learner, participant, *britons[:3], *canadians[:2]], case, "going")
        _attendance(steward, case, [learner, full, *britons[:3]], now)
        # A change of room: everyone who answered hears about it.
        services.update_event(
            actor=steward,
            event=case,
            location="Education centre, seminar room 4, Riverside General",
        )

    # A hands-on workshop in Toronto with four places: full, with a waitlist.
    workshop_day = (now + timedelta(days=9)).astimezone(zoneinfo.ZoneInfo("America/Toronto")).date()
    workshop, created = _plan(
        full,
        community,
        WORKSHOP,
        kind=EventType.WORKSHOP,
        description="Practise the multifactorial falls risk assessment with the team, then "
        "walk a ward together looking for hazards. Wear comfortable shoes.",
        starts_at=_local(workshop_day, time(9, 30), "America/Toronto"),
        ends_at=_local(workshop_day, time(12, 0), "America/Toronto"),
        timezone_name="America/Toronto",
        location="Toronto site, skills lab (ground floor)",
        join_url="https://meet.riverside-health.example/falls-workshop",
        capacity=4,
    )
    if created:
        made.append("workshop")
        _rsvp([*canadians, steward, learner, participant], workshop, "going")

    # A past one-off meeting with attendance taken.
    huddle_day = (now - timedelta(days=12)).astimezone(zoneinfo.ZoneInfo("Europe/London")).date()
    huddle, created = _plan(
        steward,
        community,
        HUDDLE,
        kind=EventType.MEETING,
        description="Twenty minutes on what makes a handover safe, with examples from our wards.",
        starts_at=_local(huddle_day, time(7, 30), "Europe/London"),
        ends_at=_local(huddle_day, time(7, 50), "Europe/London"),
        timezone_name="Europe/London",
        location="Ward 7 staff room, Riverside General",
    )
    if created:
        made.append("huddle")
        services.save_notes(
            actor=steward,
            event=huddle,
            notes="**Outcomes**\n\n- Use ISBAR for every nurse-to-doctor escalation.\n"
            "- Pilot a printed handover sheet on Ward 7 for a month.",
        )
        _attendance(steward, huddle, [learner, participant, *britons[:4]], now)

    digests = _sample_digests([participant, full], now)
    waiting = RSVP.objects.filter(event__community=community, status=RSVP.Status.WAITLISTED).count()
    return (
        f"{', '.join(made) or 'events already there'}; "
        f"{Event.objects.filter(community=community).count()} events, {waiting} on waitlists; "
        f"{digests}"
    )


def _sample_digests(people: list[User], now: datetime) -> str:
    """Send each a digest for today through the real digest code (file backend: var/mail)."""
    sent = []
    for person in people:
        local_day = now.astimezone(zoneinfo.ZoneInfo(person.timezone)).date()
        for cadence in (Cadence.DAILY, Cadence.WEEKLY):
            outcome = send_digest(
                user_id=person.pk, cadence=cadence, start=period_start(cadence, local_day), now=now
            )
            if outcome.startswith("digest") or outcome == "already done":
                sent.append(f"{cadence} digest for {person.email}: {outcome}")
                break
    return "; ".join(sent) or "no digest had anything to say"
