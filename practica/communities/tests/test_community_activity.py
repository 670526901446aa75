"""The community home shows what is happening, from each capability's own reads."""

import pytest
from django.urls import reverse

from practica.communities.stages import Stage
from practica.conversations.tests.factories import ThreadFactory
from practica.events.tests.factories import EventFactory
from practica.library.tests.factories import make_article
from practica.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def fill(community, size):
    for n in range(size):
        ThreadFactory(community=community, title=f"Handover question number {n}")
        EventFactory(community=community, title=f"Journal club {n}")
    for n in range(min(size, 6)):
        make_article(community, title=f"Falls guide {n}")


@pytest.mark.parametrize("size", [1, 12])
def test_home_shows_latest_conversations_articles_and_events_in_constant_queries(
    client, community, django_assert_max_num_queries, size
):
    fill(community, size)
    viewer = MembershipFactory(community=community, stage=Stage.PERIPHERAL).user
    client.force_login(viewer)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("communities:home", args=[community.slug]))
    html = response.content.decode()
    assert "Latest conversations" in html and "Handover question number" in html
    assert "Recently updated in the library" in html and "Falls guide" in html
    assert "Coming up" in html and "Journal club" in html
    assert html.count("Handover question number") == min(size, 5)


def test_home_of_a_quiet_community_says_so(client, community):
    html = client.get(reverse("communities:home", args=[community.slug])).content.decode()
    assert "Nothing here yet" in html


def test_hidden_and_staged_threads_stay_off_the_home_page(client, community):
    ThreadFactory(community=community, title="A visible question about falls")
    ThreadFactory(community=community, title="A staged question", status="staged")
    html = client.get(reverse("communities:home", args=[community.slug])).content.decode()
    assert "A visible question about falls" in html
    assert "A staged question" not in html
