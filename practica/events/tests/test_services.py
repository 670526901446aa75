from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from practica.communities.capabilities import CapabilityDenied
from practica.communities.models import CriterionKind
from practica.communities.progression_sources import source_for
from practica.communities.stages import Stage
from practica.events import recurrence, services
from practica.events.models import RSVP, Attendance, Event, EventType, Repeat
from practica.events.tests.factories import EventFactory
from practica.notifications.models import Notification
from practica.privacy.guard import PatientDataFound
from practica.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def soon(days=3, hour=18):
    return datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(
        days=days
    )


def plan(actor, community, **overrides):
    start = overrides.pop("starts_at", soon())
    arguments = {
        "title": "Journal club",
        "kind": EventType.JOURNAL_CLUB,
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
        "timezone_name": "Australia/Sydney",
        "join_url": "https://meet.example.org/jc",
    }
    arguments.update(overrides)
    return services.create_event(actor=actor, community=community, **arguments)


def test_full_member_plans_an_event_and_is_its_organiser(community, member_at):
    organiser = member_at(Stage.FULL)
    event = plan(organiser, community, description="Read **the paper**.")
    assert list(event.organisers.all()) == [organiser]
    assert "<strong>the paper</strong>" in event.description_html
    assert event.last_ends_at == event.ends_at


def test_learner_cannot_plan_an_event(community, member_at):
    with pytest.raises(CapabilityDenied) as caught:
        plan(member_at(Stage.PERIPHERAL), community)
    assert "create events" in str(caught.value)


def test_end_before_start_is_refused(community, member_at):
    start = soon()
    with pytest.raises(ValidationError) as caught:
        plan(member_at(Stage.FULL), community, starts_at=start, ends_at=start - timedelta(hours=1))
    assert "The end must be after the start." in str(caught.value)


def test_weekly_series_skips_exceptions_and_keeps_wall_clock_time_across_dst(community, member_at):
    # 18:00 London every Thursday from 15 Oct 2026: the clocks go back on 25 Oct.
    start = datetime(2026, 10, 15, 17, 0, tzinfo=UTC)
    event = plan(
        member_at(Stage.FULL),
        community,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        timezone_name="Europe/London",
        repeat=Repeat.WEEKLY,
        repeat_until=date(2026, 11, 12),
        exception_dates=[date(2026, 10, 22)],
    )
    starts = [o.start for o in recurrence.occurrences(event)]
    assert starts == [
        datetime(2026, 10, 15, 17, 0, tzinfo=UTC),
        datetime(2026, 10, 29, 18, 0, tzinfo=UTC),
        datetime(2026, 11, 5, 18, 0, tzinfo=UTC),
        datetime(2026, 11, 12, 18, 0, tzinfo=UTC),
    ]
    assert event.last_ends_at == datetime(2026, 11, 12, 19, 0, tzinfo=UTC)


def test_series_landing_in_a_spring_forward_gap_is_refused(community, member_at):
    # 02:30 Toronto on Sundays: 8 March 2026 has no 02:30.
    start = datetime(2026, 3, 1, 7, 30, tzinfo=UTC)
    with pytest.raises(ValidationError) as caught:
        plan(
            member_at(Stage.FULL),
            community,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            timezone_name="America/Toronto",
            repeat=Repeat.WEEKLY,
            repeat_until=date(2026, 3, 22),
        )
    assert "8 March 2026" in str(caught.value)


def test_case_summary_with_patient_data_needs_confirmation(community, member_at):
    organiser = member_at(Stage.FULL)
    summary = "Mrs Jane Smith, DOB 12/03/1948, admitted with a fall."
    with pytest.raises(PatientDataFound):
        plan(organiser, community, kind=EventType.CASE_DISCUSSION, case_summary=summary)
    event = plan(
        organiser,
        community,
        kind=EventType.CASE_DISCUSSION,
        case_summary=summary,
        confirm_guard=True,
    )
    assert event.case_summary == summary


def test_rsvp_beyond_capacity_goes_to_the_waitlist_and_the_oldest_is_promoted(community, member_at):
    event = plan(member_at(Stage.FULL), community, capacity=1)
    toronto = member_at(Stage.PERIPHERAL, user__timezone="America/Toronto")
    sydney = member_at(Stage.PERIPHERAL, user__timezone="Australia/Sydney")
    london = member_at(Stage.PERIPHERAL)
    assert services.respond(actor=toronto, event=event, status="going").status == "going"
    assert services.respond(actor=sydney, event=event, status="going").status == "waitlisted"
    assert services.respond(actor=london, event=event, status="going").status == "waitlisted"
    # Going again while waiting keeps the place in the queue.
    assert services.respond(actor=sydney, event=event, status="going").status == "waitlisted"

    services.respond(actor=toronto, event=event, status="not_going")

    statuses = dict(RSVP.objects.filter(event=event).values_list("user_id", "status"))
    assert statuses == {toronto.pk: "not_going", sydney.pk: "going", london.pk: "waitlisted"}
    assert Notification.objects.filter(
        recipient=sydney, kind="event", text__contains="A place opened up"
    ).exists()
    assert RSVP.objects.filter(event=event, status="going").count() == 1


def test_raising_capacity_promotes_from_the_waitlist(community, member_at):
    organiser = member_at(Stage.FULL)
    event = plan(organiser, community, capacity=1)
    first, second = member_at(Stage.PERIPHERAL), member_at(Stage.PERIPHERAL)
    services.respond(actor=first, event=event, status="going")
    services.respond(actor=second, event=event, status="going")
    services.update_event(actor=organiser, event=event, capacity=2)
    assert RSVP.objects.get(user=second).status == "going"


def test_changes_and_cancellation_are_told_to_people_who_rsvpd(community, member_at):
    organiser = member_at(Stage.FULL)
    event = plan(organiser, community)
    coming, maybe, not_coming = (member_at(Stage.PERIPHERAL) for _ in range(3))
    services.respond(actor=coming, event=event, status="going")
    services.respond(actor=maybe, event=event, status="maybe")
    services.respond(actor=not_coming, event=event, status="not_going")

    services.update_event(actor=organiser, event=event, location="Seminar room 2")
    services.cancel_event(actor=organiser, event=Event.objects.get(pk=event.pk))

    for person in (coming, maybe):
        texts = list(Notification.objects.filter(recipient=person).values_list("text", flat=True))
        assert any("has changed" in t for t in texts)
        assert any("has been cancelled" in t for t in texts)
    assert not Notification.objects.filter(recipient=not_coming).exists()
    with pytest.raises(ValidationError):
        services.respond(actor=coming, event=Event.objects.get(pk=event.pk), status="going")


def test_only_organisers_and_stewards_manage_an_event(community, member_at):
    event = plan(member_at(Stage.FULL), community)
    with pytest.raises(CapabilityDenied) as caught:
        services.cancel_event(actor=member_at(Stage.FULL), event=event)
    assert "Only the organisers" in str(caught.value)
    services.cancel_event(actor=member_at(Stage.STEWARD), event=event)


def test_attendance_counts_toward_events_attended(
    community, member_at, django_capture_on_commit_callbacks
):
    organiser = member_at(Stage.FULL)
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=1)
    event = plan(organiser, community, starts_at=start, ends_at=start + timedelta(hours=1))
    learner = member_at(Stage.PERIPHERAL)
    outsider = MembershipFactory(stage=Stage.FULL).user  # another community's member

    with django_capture_on_commit_callbacks():
        count = services.record_attendance(
            actor=organiser,
            event=event,
            occurrence_start=event.starts_at,
            attendee_ids=[learner.pk, outsider.pk],
        )
    assert count == 1
    membership = learner.memberships.get(community=community)
    assert source_for(CriterionKind.EVENTS_ATTENDED)(membership, None) == 1
    # Recording again changes nothing: no double counting.
    services.record_attendance(
        actor=organiser, event=event, occurrence_start=event.starts_at, attendee_ids=[learner.pk]
    )
    assert Attendance.objects.filter(user=learner).count() == 1


def test_attendance_before_the_event_is_refused(community, member_at):
    organiser = member_at(Stage.FULL)
    event = plan(organiser, community)
    with pytest.raises(ValidationError):
        services.record_attendance(
            actor=organiser, event=event, occurrence_start=event.starts_at, attendee_ids=[]
        )


def test_rotating_the_feed_revokes_the_old_token(user):
    old = services.feed_for(user=user).token
    new = services.rotate_feed(user=user).token
    assert old != new and len(new) >= 40


def test_factory_event_is_listed(community):
    assert EventFactory(community=community).community == community


def weekly(actor, community, **overrides):
    start = soon(days=2)
    return plan(
        actor,
        community,
        starts_at=start,
        timezone_name="Europe/London",
        repeat=Repeat.WEEKLY,
        repeat_until=(start + timedelta(weeks=3)).date(),
        **overrides,
    )


def status_on(event, user, start):
    from practica.events import answers

    return answers.for_event(event).status(user.pk, start)


def test_a_series_takes_an_answer_per_date_and_one_for_every_date(community, member_at):
    event = weekly(member_at(Stage.FULL), community)
    learner = member_at(Stage.PERIPHERAL)
    first, second, third, _ = [o.start for o in recurrence.occurrences(event)]
    services.respond(actor=learner, event=event, status="going")
    services.respond(actor=learner, event=event, status="not_going", occurrence_start=second)
    services.respond(actor=learner, event=event, status="maybe", occurrence_start=third)
    assert [status_on(event, learner, s) for s in (first, second, third)] == [
        "going",
        "not_going",
        "maybe",
    ]
    # Answering for every date again replaces the answers for single dates.
    services.respond(actor=learner, event=event, status="going")
    assert {status_on(event, learner, s) for s in (first, second, third)} == {"going"}
    assert RSVP.objects.filter(event=event, user=learner).count() == 1


def test_an_answer_for_a_date_the_series_does_not_have_is_refused(community, member_at):
    event = weekly(member_at(Stage.FULL), community)
    with pytest.raises(ValidationError):
        services.respond(
            actor=member_at(Stage.PERIPHERAL),
            event=event,
            status="going",
            occurrence_start=event.starts_at + timedelta(days=1),
        )


def test_places_and_waitlists_are_counted_date_by_date(community, member_at):
    event = weekly(member_at(Stage.FULL), community, capacity=1)
    first, second = [o.start for o in recurrence.occurrences(event)][:2]
    early, late = member_at(Stage.PERIPHERAL), member_at(Stage.PERIPHERAL)
    services.respond(actor=early, event=event, status="going", occurrence_start=first)
    services.respond(actor=late, event=event, status="going")
    assert status_on(event, late, first) == "waitlisted"
    assert status_on(event, late, second) == "going"
    # A place opens up on the first date: the waitlist there moves, and says so.
    services.respond(actor=early, event=event, status="not_going", occurrence_start=first)
    assert status_on(event, late, first) == "going"
    told = Notification.objects.get(recipient=late)
    assert "A place opened up" in told.text and " on " in told.text
    assert RSVP.objects.filter(event=event, user=late).count() == 1


def test_moving_a_series_keeps_the_answers_for_single_dates_on_their_days(community, member_at):
    organiser = member_at(Stage.FULL)
    event = weekly(organiser, community)
    learner = member_at(Stage.PERIPHERAL)
    second = recurrence.occurrences(event)[1]
    services.respond(actor=learner, event=event, status="maybe", occurrence_start=second.start)
    later = event.starts_at + timedelta(hours=1)
    event = services.update_event(
        actor=organiser, event=event, starts_at=later, ends_at=later + timedelta(hours=1)
    )
    moved = recurrence.occurrences(event)[1]
    assert moved.start == second.start + timedelta(hours=1)
    assert status_on(event, learner, moved.start) == "maybe"
