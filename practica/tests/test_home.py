"""The signed-in home says what to do next."""

from datetime import UTC, datetime, timedelta

import pytest

from practica.communities.stages import Stage
from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.events.tests.factories import EventFactory
from practica.tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pharmacist(community):
    return MembershipFactory(
        community=community, stage=Stage.PARTICIPANT, user__profession="pharmacist"
    ).user


def _panel(page: str, title_id: str) -> str:
    return page.split(f'id="{title_id}"', 1)[1].split("</section>", 1)[0]


def test_a_member_sees_what_to_do_next(client, community, pharmacist):
    nurse = UserFactory(profession="nurse")
    waiting = ThreadFactory(
        community=community, title="Warfarin before a hip operation?", reply_count=1
    )
    PostFactory(thread=waiting, author=nurse)
    answered = ThreadFactory(community=community, title="Gentamicin levels at night?")
    PostFactory(thread=answered, author=UserFactory(profession="pharmacist"))
    ThreadFactory(community=community, title="My own question", author=pharmacist)
    elsewhere = ThreadFactory(title="In a community I am not in")
    soon = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=2)
    EventFactory(community=community, title="Journal club", starts_at=soon)
    client.force_login(pharmacist)
    page = client.get("/").content.decode()
    assert "Welcome back" in page
    latest = _panel(page, "latest-title")
    assert "Warfarin before a hip operation?" in latest and elsewhere.title not in latest
    questions = _panel(page, "waiting-title")
    assert "Questions waiting for a pharmacist" in questions
    assert "Warfarin before a hip operation?" in questions
    assert "1 reply, none from a pharmacist" in questions
    assert "Gentamicin levels at night?" not in questions
    assert "My own question" not in questions
    event = _panel(page, "event-title")
    assert "Journal club" in event
    steps = _panel(page, "steps-title")
    assert f"{community.name}</strong>: Participant" in steps and "See your trajectory" in steps


def test_a_visitor_and_a_member_of_nothing_get_the_welcome(client):
    assert "Learn from each other, in practice" in client.get("/").content.decode()
    client.force_login(UserFactory())
    page = client.get("/").content.decode()
    assert "Learn from each other, in practice" in page and "Welcome back" not in page


def test_the_home_takes_the_same_queries_however_much_there_is(
    client, community, pharmacist, django_assert_max_num_queries
):
    other = CommunityFactory()
    MembershipFactory(community=other, user=pharmacist)
    client.force_login(pharmacist)

    def grow(n):
        for place in (community, other):
            for _ in range(n):
                thread = ThreadFactory(community=place)
                PostFactory(thread=thread, author=UserFactory(profession="nurse"))
            EventFactory(community=place)

    grow(2)
    with django_assert_max_num_queries(40) as few:
        client.get("/")
    grow(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")


def test_every_profession_is_named_with_the_right_article(client, community):
    therapist = MembershipFactory(community=community, user__profession="allied_health").user
    ThreadFactory(community=community, title="Splints at night?")
    client.force_login(therapist)
    page = client.get("/").content.decode()
    assert "Questions waiting for an allied health professional" in page
    assert "a allied" not in page
