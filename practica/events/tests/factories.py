"""Factories for events, beside the core ones in practica.tests.factories."""

from datetime import UTC, datetime, timedelta

import factory

from practica.events.models import Event, EventType
from practica.tests.factories import CommunityFactory


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Journal club {n}")
    kind = EventType.JOURNAL_CLUB
    starts_at = factory.LazyFunction(
        lambda: datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=3)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    timezone = "Europe/London"
    join_url = "https://meet.example.org/room"
    last_ends_at = factory.LazyAttribute(lambda o: o.ends_at)
