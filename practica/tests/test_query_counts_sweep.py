"""Every kind of GET page in the demo runs as many queries with more data as with less.

The demo is seeded once; every kind of page a steward and a visitor can reach is found by
following links (`discover_pages`), and each is opened once and its queries counted. Then
the community grows — more members, a reply from each of them in every conversation, more
helpful marks, RSVPs, glossary terms and notifications — and each page is opened again: a
page whose count went up does work per row (an N+1) and is named with both counts.
"""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from practica.tests.demo_pages import discover_pages

pytestmark = pytest.mark.django_db

# The most queries any page may run at all, whatever it shows.
CEILING = 60

REPLY = (
    "We do this on our ward too: the nurse in charge checks the chart at the safety huddle "
    "and escalates by the protocol, and we note the time of the call in the record."
)


def count_queries(client: Client, url: str) -> tuple[int, int]:
    cache.clear()  # rate limits and cached fragments must not make a later load cheaper
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


def grow_ward_care(newcomers: int = 8) -> None:
    """More of everything that pages list: members, replies, marks, RSVPs, terms, notices."""
    from practica.communities.models import Community
    from practica.communities.stages import Stage
    from practica.conversations.models import Thread, ThreadStatus
    from practica.conversations.services.marks import mark_helpful
    from practica.conversations.services.threads import reply
    from practica.events.models import RSVP, Event
    from practica.library.models import GlossaryTerm
    from practica.notifications.models import Notification
    from practica.people.models import User
    from practica.tests.factories import MembershipFactory, UserFactory

    community = Community.objects.get(slug="ward-care")
    members = [
        MembershipFactory(community=community, stage=Stage.FULL, user=UserFactory()).user
        for _ in range(newcomers)
    ]
    threads = Thread.objects.filter(
        community=community,
        status=ThreadStatus.PUBLISHED,
        hidden_at=None,
        deleted_at=None,
        is_locked=False,
    )
    for thread in threads:
        for member in members[:3]:
            cache.clear()
            post = reply(actor=member, thread=thread, body=REPLY, confirm_guard=True)
            for other in members[3:5]:
                mark_helpful(actor=other, post=post)
    for event in Event.objects.filter(community=community):
        RSVP.objects.bulk_create(
            [RSVP(event=event, user=member, status=RSVP.Status.GOING) for member in members],
            ignore_conflicts=True,
        )
    author = members[0]
    GlossaryTerm.objects.bulk_create(
        [
            GlossaryTerm(
                community=community,
                term=f"Added term {n}",
                slug=f"added-term-{n}",
                definition="A term added to grow the glossary.",
                created_by=author,
            )
            for n in range(10)
        ]
    )
    steward = User.objects.get(email="steward@example.com")
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=steward,
                community=note.community,
                kind=note.kind,
                actor=note.actor,
                text=note.text,
                url=note.url,
            )
            for note in Notification.objects.filter(recipient=steward)[:10]
        ]
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed-demo", stdout=io.StringIO())
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def signed_in(email: str | None) -> Client:
    from practica.people.models import User

    client = Client()
    if email:
        client.force_login(User.objects.get(email=email))
    return client


PEOPLE = {"steward": "steward@example.com", "visitor": None}


def test_no_page_runs_more_queries_when_the_community_grows(demo):
    """One test for both people, so the demo is seeded once in one test process."""
    pages = {}
    before = {}
    for person, email in PEOPLE.items():
        client = signed_in(email)
        pages[person] = discover_pages(client, per_kind=1).first()
        assert len(pages[person]) > 30, f"the sweep should reach most kinds of page ({person})"
        before[person] = {url: count_queries(client, url) for url in pages[person]}
    grow_ward_care()
    grew, heavy = {}, {}
    for person, email in PEOPLE.items():
        client = signed_in(email)
        for url in pages[person]:
            status, count = count_queries(client, url)
            if status == 200 and count > before[person][url][1]:
                grew[f"{person} {url}"] = (before[person][url][1], count)
            if count > CEILING:
                heavy[f"{person} {url}"] = count
    assert not grew, f"pages whose query count grew with the data (before, after): {grew}"
    assert not heavy, f"pages over {CEILING} queries: {heavy}"
