from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import ValidationError

from practica.events.timezones import describe, to_utc


def test_spring_forward_gap_is_refused_with_a_suggestion():
    with pytest.raises(ValidationError) as caught:
        to_utc(date(2026, 3, 8), time(2, 30), "America/Toronto")
    message = caught.value.messages[0]
    assert "doesn't exist in America/Toronto" in message
    assert "clocks go forward" in message
    assert "03:30" in message


def test_fall_back_time_needs_a_choice_and_each_choice_is_an_hour_apart():
    with pytest.raises(ValidationError) as caught:
        to_utc(date(2026, 11, 1), time(1, 30), "America/Toronto")
    assert "happens twice" in caught.value.messages[0]
    earlier = to_utc(date(2026, 11, 1), time(1, 30), "America/Toronto", fold_choice="earlier")
    later = to_utc(date(2026, 11, 1), time(1, 30), "America/Toronto", fold_choice="later")
    assert earlier == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert later == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def test_unknown_zone_is_refused():
    with pytest.raises(ValidationError) as caught:
        to_utc(date(2026, 5, 1), time(9, 0), "Mars/Olympus_Mons")
    assert "not a time zone we know" in caught.value.messages[0]


def test_reader_sees_their_time_first_and_the_organisers_beside_it():
    start = to_utc(date(2026, 12, 3), time(19, 0), "America/Toronto")
    end = to_utc(date(2026, 12, 3), time(20, 0), "America/Toronto")
    toronto = describe(start, end, event_zone="Australia/Sydney", reader_zone="America/Toronto")
    assert str(toronto) == (
        "Thu 3 Dec, 19:00–20:00 your time (Toronto) · 11:00–12:00 Fri in Sydney (organiser)"
    )
    sydney = describe(start, end, event_zone="Australia/Sydney", reader_zone="Australia/Sydney")
    assert str(sydney) == "Fri 4 Dec, 11:00–12:00 your time (Sydney)"
    anonymous = describe(start, end, event_zone="Australia/Sydney")
    assert str(anonymous) == "Fri 4 Dec, 11:00–12:00 Sydney time"
