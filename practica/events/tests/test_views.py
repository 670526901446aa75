from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from django.urls import reverse

from practica.communities.models import Visibility
from practica.communities.stages import Stage
from practica.events import services
from practica.events.models import EventType, Repeat
from practica.events.tests.factories import EventFactory
from practica.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def first_friday_of_next_december() -> datetime:
    """Always ahead of today, and in December so Toronto keeps EST and Sydney AEDT."""
    day = date(date.today().year + 1, 12, 1)
    day += timedelta(days=(4 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 0, 0, tzinfo=UTC)


JOURNAL_CLUB_START = first_friday_of_next_december()  # 11:00 Fri in Sydney, 19:00 Thu Toronto


def weekly_journal_club(community, organiser):
    start = JOURNAL_CLUB_START
    return services.create_event(
        actor=organiser,
        community=community,
        title="Weekly journal club",
        kind=EventType.JOURNAL_CLUB,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        timezone_name="Australia/Sydney",
        join_url="https://meet.example.org/jc",
        repeat=Repeat.WEEKLY,
        repeat_until=(start + timedelta(weeks=12)).date(),
        exception_dates=[(start + timedelta(weeks=3)).date()],
    )


def test_toronto_and_sydney_members_see_the_same_event_at_their_own_times(
    client, community, member_at
):
    organiser = member_at(Stage.FULL, user__timezone="Australia/Sydney")
    event = weekly_journal_club(community, organiser)
    toronto = member_at(Stage.PERIPHERAL, user__timezone="America/Toronto")
    client.force_login(toronto)
    html = client.get(event.get_absolute_url()).content.decode()
    thursday = JOURNAL_CLUB_START - timedelta(days=1)
    assert f"Thu {thursday.day} Dec, 19:00–20:00" in html
    assert "your time (Toronto)" in html
    assert "11:00–12:00 Fri in Sydney (organiser)" in html
    client.force_login(organiser)
    html = client.get(event.get_absolute_url()).content.decode()
    assert f"Fri {JOURNAL_CLUB_START.day} Dec, 11:00–12:00" in html and "your time (Sydney)" in html


def test_event_ics_parses_back_with_rrule_exdate_and_time_zone(client, community, member_at):
    event = weekly_journal_club(community, member_at(Stage.FULL))
    response = client.get(reverse("events:ics", args=[community.slug, event.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Weekly journal club"
    assert vevent["DTSTART"].params["TZID"] == "Australia/Sydney"
    assert vevent.decoded("DTSTART") == JOURNAL_CLUB_START
    assert vevent["RRULE"]["FREQ"] == ["WEEKLY"]
    exdates = [d.dt for d in vevent["EXDATE"].dts]
    assert [d.date() for d in exdates] == [(JOURNAL_CLUB_START + timedelta(weeks=3)).date()]
    assert exdates[0].hour == 11
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Australia/Sydney"]


def test_public_feed_lists_events_and_private_communities_have_none(client, community, member_at):
    event = weekly_journal_club(community, member_at(Stage.FULL))
    response = client.get(f"/c/{community.slug}/events.ics")
    assert response.status_code == 200
    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")]
    assert uids == [event.uid]
    community.visibility = Visibility.PRIVATE
    community.save()
    response = client.get(f"/c/{community.slug}/events.ics")
    assert response.status_code == 404


def test_member_feed_covers_their_communities_and_revoked_tokens_stop_working(
    client, community, member_at
):
    member = member_at(Stage.PERIPHERAL)
    mine = weekly_journal_club(community, member_at(Stage.FULL))
    elsewhere = EventFactory(title="Not my community")
    feed = services.feed_for(user=member)
    url = reverse("notifications:calendar:feed", args=[feed.token])
    cal = icalendar.Calendar.from_ical(client.get(url).content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == [mine.title]
    assert elsewhere.title not in client.get(url).content.decode()

    services.rotate_feed(user=member)
    response = client.get(url)
    assert response.status_code == 404
    assert "revoked" in response.content.decode()
    forged = client.get(reverse("notifications:calendar:feed", args=["forged-token"]))
    assert forged.status_code == 404


def test_create_form_refuses_a_spring_forward_time_and_keeps_what_was_typed(
    client, community, member_at
):
    client.force_login(member_at(Stage.FULL))
    response = client.post(
        reverse("events:create", args=[community.slug]),
        {
            "title": "Night shift huddle",
            "kind": "meeting",
            "timezone": "America/Toronto",
            "start_date": "2026-03-08",
            "start_time": "02:30",
            "end_time": "03:30",
            "location": "Ward 7",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "doesn&#x27;t exist in America/Toronto" in html
    assert 'value="Night shift huddle"' in html


def test_create_form_asks_which_time_on_a_fall_back_night(client, community, member_at):
    client.force_login(member_at(Stage.FULL))
    data = {
        "title": "Night huddle",
        "kind": "meeting",
        "timezone": "America/Toronto",
        "start_date": "2027-11-07",
        "start_time": "01:30",
        "end_time": "02:30",
        "location": "Ward 7",
    }
    response = client.post(reverse("events:create", args=[community.slug]), data)
    assert "happens twice" in response.content.decode()
    assert 'name="clock_change"' in response.content.decode()
    response = client.post(
        reverse("events:create", args=[community.slug]), {**data, "clock_change": "later"}
    )
    assert response.status_code == 302


def test_rsvp_through_the_page(client, community, member_at):
    event = weekly_journal_club(community, member_at(Stage.FULL))
    member = member_at(Stage.PERIPHERAL)
    client.force_login(member)
    response = client.post(
        reverse("events:rsvp", args=[community.slug, event.pk]), {"status": "going"}, follow=True
    )
    assert "You’re going" in response.content.decode()


def test_learner_does_not_see_plan_button_and_cannot_open_the_form(client, community, member_at):
    client.force_login(member_at(Stage.PERIPHERAL))
    assert "Plan an event" not in client.get(f"/c/{community.slug}/events/").content.decode()
    assert client.get(reverse("events:create", args=[community.slug])).status_code == 403


def test_events_list_runs_a_fixed_number_of_queries(
    client, community, member_at, django_assert_max_num_queries
):
    member = member_at(Stage.PERIPHERAL)
    client.force_login(member)
    now = datetime.now(UTC)
    EventFactory(community=community)
    EventFactory(community=community, starts_at=now - timedelta(days=2))
    with django_assert_max_num_queries(12) as few:
        assert client.get(f"/c/{community.slug}/events/").status_code == 200
    for i in range(12):
        event = EventFactory(community=community, starts_at=now + timedelta(days=i - 6))
        event.organisers.add(member)
        for _ in range(3):
            attendee = MembershipFactory(community=community).user
            event.rsvps.create(user=attendee, status="going")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/c/{community.slug}/events/")
    assert response.status_code == 200
    assert response.content.decode().count('class="event-item') >= 12


def test_a_crafted_title_with_line_breaks_cannot_break_the_calendar(client, community, member_at):
    client.force_login(member_at(Stage.FULL))
    client.post(
        reverse("events:create", args=[community.slug]),
        {
            "title": "Night huddle\r\nX-Injected: yes\x0c",
            "kind": "meeting",
            "timezone": "Europe/London",
            "start_date": "2031-03-04",
            "start_time": "19:00",
            "end_time": "20:00",
            "location": "Ward 7",
        },
    )
    event = community.events.get()
    assert event.title == "Night huddle X-Injected: yes"
    response = client.get(reverse("events:ics", args=[community.slug, event.pk]))
    assert response.status_code == 200
    (vevent,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Night huddle X-Injected: yes"


def _new_event(**changes):
    return {
        "title": "Falls huddle",
        "kind": "meeting",
        "timezone": "Europe/London",
        "start_date": "2031-03-04",
        "start_time": "19:00",
        "end_time": "20:00",
        "location": "Ward 7",
        **changes,
    }


def test_an_event_dated_in_the_past_is_questioned_and_kept_until_confirmed(
    client, community, member_at
):
    client.force_login(member_at(Stage.FULL))
    url = reverse("events:create", args=[community.slug])
    response = client.post(url, _new_event(start_date="2025-11-13"))
    html = response.content.decode()
    assert response.status_code == 200 and not community.events.exists()
    assert "This starts in the past (13 November 2025 at 19:00)" in html
    assert 'name="confirm_past"' in html and 'value="Falls huddle"' in html
    assert 'name="confirm_past"' not in client.get(url).content.decode()
    response = client.post(url, _new_event(start_date="2025-11-13", confirm_past="on"))
    assert response.status_code == 302 and community.events.count() == 1


def test_editing_a_past_event_is_not_questioned(client, community, member_at):
    organiser = member_at(Stage.FULL)
    event = EventFactory(
        community=community, created_by=organiser, starts_at=datetime(2025, 1, 5, 10, tzinfo=UTC)
    )
    event.organisers.add(organiser)
    client.force_login(organiser)
    response = client.post(
        reverse("events:edit", args=[community.slug, event.pk]),
        _new_event(start_date="2025-01-05", title="Renamed"),
    )
    assert response.status_code == 302


def test_a_past_events_page_shows_when_it_took_place(client, community, member_at):
    event = EventFactory(
        community=community,
        title="Pressure care journal club",
        starts_at=datetime(2026, 5, 12, 12, tzinfo=UTC),
        ends_at=datetime(2026, 5, 12, 13, tzinfo=UTC),
        timezone="Europe/London",
    )
    page = client.get(reverse("events:detail", args=[community.slug, event.pk])).content.decode()
    assert "This event is over. It took place on:" in page
    assert "Tuesday 12 May 2026, 12:00–13:00" in page.split("This event is over.", 1)[1]


def test_every_rsvp_button_says_whether_it_is_pressed(client, community, member_at):
    import re

    event = weekly_journal_club(community, member_at(Stage.FULL))
    client.force_login(member_at(Stage.PARTICIPANT))
    url = reverse("events:detail", args=[community.slug, event.pk])
    page = client.get(url).content.decode()
    buttons = re.findall(r'<button type="submit" name="status"[^>]*>', page)
    assert buttons and all('aria-pressed="false"' in button for button in buttons)
    client.post(reverse("events:rsvp", args=[community.slug, event.pk]), {"status": "going"})
    buttons = re.findall(
        r'<button type="submit" name="status"[^>]*>', client.get(url).content.decode()
    )
    pressed = [button for button in buttons if 'aria-pressed="true"' in button]
    # "Going" for every date, and so for each date shown.
    assert len(pressed) == 1 + 5 and all('value="going"' in button for button in pressed)
    assert all("aria-pressed=" in button for button in buttons)


def _dates_of(event):
    from practica.events import recurrence

    return recurrence.occurrences(event)


def test_a_member_answers_one_date_of_a_series_from_its_page(client, community, member_at):
    event = weekly_journal_club(community, member_at(Stage.FULL))
    member = member_at(Stage.PERIPHERAL, user__timezone="America/Toronto")
    client.force_login(member)
    second = _dates_of(event)[1]
    url = reverse("events:rsvp", args=[community.slug, event.pk])
    client.post(url, {"status": "going"})
    response = client.post(url, {"status": "not_going", "occurrence": second.key})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?on={second.key}#on-{second.key}")
    page = client.get(response["Location"]).content.decode()
    thursday = second.start - timedelta(hours=5)  # Toronto keeps EST in December
    assert f"For Thu {thursday.day} Dec, 19:00–20:00: saved: you’re not going." in page
    chosen = page.split(f'id="on-{second.key}"', 1)[1].split("</li>", 1)[0]
    assert "You: <strong>not going</strong>" in chosen
    assert f'name="occurrence" value="{second.key}"' in chosen
    first = page.split(f'id="on-{_dates_of(event)[0].key}"', 1)[1].split("</li>", 1)[0]
    assert "You: <strong>going</strong>" in first
    assert "Your answer for every date: <strong>Going</strong>" in page


def test_attendance_page_shows_what_each_member_said_for_that_date(client, community, member_at):
    organiser = member_at(Stage.FULL)
    event = EventFactory(
        community=community,
        starts_at=datetime(2026, 1, 6, 18, tzinfo=UTC),
        ends_at=datetime(2026, 1, 6, 19, tzinfo=UTC),
        repeat=Repeat.WEEKLY,
        repeat_until=date(2026, 1, 20),
        last_ends_at=datetime(2026, 1, 20, 19, tzinfo=UTC),
    )
    event.organisers.add(organiser)
    member = member_at(Stage.PERIPHERAL, user__display_name="Mira Okafor")
    first, second = _dates_of(event)[:2]
    from practica.events.models import RSVP

    RSVP.objects.create(event=event, user=member, status="going")
    RSVP.objects.create(event=event, user=member, status="not_going", occurrence_start=second.start)
    client.force_login(organiser)
    on = {}
    for occurrence in (first, second):
        url = reverse("events:attendance", args=[community.slug, event.pk, occurrence.key])
        page = client.get(url).content.decode()
        on[occurrence.key] = page.split("Mira Okafor", 1)[1].split("</li>", 1)[0]
    assert "said: going" in on[first.key]
    assert "said: not going" in on[second.key]


def test_month_calendar_puts_each_date_on_its_day_in_the_readers_zone(
    client, community, member_at, django_assert_max_num_queries
):
    event = weekly_journal_club(community, member_at(Stage.FULL))
    year = JOURNAL_CLUB_START.year
    for n in range(3):
        EventFactory(
            community=community,
            title=f"Workshop {n}",
            starts_at=datetime(year, 12, 14 + n, 15, tzinfo=UTC),
            ends_at=datetime(year, 12, 14 + n, 16, tzinfo=UTC),
        )
    member = member_at(Stage.PERIPHERAL, user__timezone="America/Toronto")
    client.force_login(member)
    client.post(reverse("events:rsvp", args=[community.slug, event.pk]), {"status": "going"})
    url = reverse("events:month-of", args=[community.slug, year, 12])
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert f"<h1>Events in December {year}</h1>" in page
    assert '<th scope="col"><abbr title="Monday">Mon</abbr></th>' in page

    def cell(day):
        return page.split(f"{day:%A} {day.day} December", 1)[1].split("</td>", 1)[0]

    # Toronto sees Thursdays at 19:00; the fourth is skipped (an exception in Sydney).
    thursdays = [(JOURNAL_CLUB_START - timedelta(days=1) + timedelta(weeks=k)) for k in range(5)]
    for k, thursday in enumerate(thursdays):
        if thursday.month != 12:
            continue
        if k == 3:
            assert "Weekly journal club" not in cell(thursday)
        else:
            assert "19:00</time> Weekly journal club" in cell(thursday)
            assert "Going" in cell(thursday)
    assert "Workshop 1" in cell(date(year, 12, 15))
    following = reverse("events:month-of", args=[community.slug, year + 1, 1])
    assert f'href="{following}" rel="next">January {year + 1}' in page


def test_week_calendar_lists_seven_days_and_says_when_nothing_is_planned(client, community):
    EventFactory(
        community=community,
        title="Falls workshop",
        starts_at=datetime(2027, 3, 10, 9, tzinfo=UTC),
        ends_at=datetime(2027, 3, 10, 11, tzinfo=UTC),
    )
    page = client.get(
        reverse("events:week-of", args=[community.slug, 2027, 3, 11])
    ).content.decode()
    assert "<h1>Events, 8 Mar–14 Mar 2027</h1>" in page
    assert page.count('<h2 class="h3 cal-date">') == 7
    wednesday = page.split("Wednesday 10 March", 1)[1].split("</li>\n", 1)[0]
    assert "09:00</time> Falls workshop" in wednesday
    assert page.count("Nothing planned.") == 6
    assert client.get(f"/c/{community.slug}/events/week/2027/2/30/").status_code == 404
    assert client.get(f"/c/{community.slug}/events/calendar/2027/13/").status_code == 404


def test_a_calendar_year_too_big_for_a_date_is_not_found_rather_than_a_server_error(
    client, community
):
    huge = "9" * 25  # found by the hostile-input sweep: an OverflowError, not a ValueError
    assert client.get(f"/c/{community.slug}/events/calendar/{huge}/1/").status_code == 404
    assert client.get(f"/c/{community.slug}/events/week/2027/1/{huge}/").status_code == 404
