"""The health dashboard over HTTP: who may see it, the period picker, charts, CSV, staff."""

import datetime
import re
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from practica.communities.stages import Stage
from practica.conversations.models import Post
from practica.conversations.tests.factories import ThreadFactory
from practica.insights.rollups import rollup
from practica.tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(community, suffix=""):
    return f"/c/{community.slug}/insights/{suffix}"


def busy(community, members: int, threads: int):
    """`members` members and `threads` questions with a reply each, over the last weeks."""
    now = timezone.now()
    people = [
        MembershipFactory(community=community, joined_at=now - timedelta(days=60)).user
        for _ in range(members)
    ]
    for index in range(threads):
        when = now - timedelta(days=index % 40, hours=3)
        thread = ThreadFactory(community=community, author=people[index % members], created_at=when)
        Post.objects.filter(thread=thread).update(created_at=when)
        Post.objects.create(
            thread=thread,
            author=people[(index + 1) % members],
            body="Try this.",
            created_at=when + timedelta(hours=2),
        )
    old = ThreadFactory(
        community=community,
        author=people[0],
        title="Who knows the falls policy?",
        created_at=now - timedelta(days=5),
    )
    rollup((now - timedelta(days=200)).date())
    return old


@pytest.fixture
def steward(community, member_at):
    return member_at(Stage.STEWARD)


def test_learner_gets_the_403_that_names_the_stage(client, community, member_at):
    client.force_login(member_at(Stage.PERIPHERAL))
    response = client.get(url(community))
    assert response.status_code == 403
    assert "Stewards and above may see community analytics" in response.content.decode()


def test_steward_sees_funnel_participation_and_questions(client, community, steward):
    old = busy(community, 5, 12)
    client.force_login(steward)
    response = client.get(url(community))
    page = response.content.decode()
    assert response.status_code == 200
    for heading in (
        "Progression funnel",
        "Participation",
        "Questions",
        "Gini coefficient",
        "Knowledge",
    ):
        assert heading in page
    assert page.count('<svg class="chart"') >= 5 and "<desc id=" in page and "<details>" in page
    assert old.title in page and old.get_absolute_url() in page  # unanswered after 48 h, linked


def test_the_dashboard_takes_the_same_number_of_queries_at_any_size(
    client, django_assert_max_num_queries, steward, community
):
    busy(community, 4, 6)
    client.force_login(steward)
    with django_assert_max_num_queries(40) as small:
        client.get(url(community) + "?period=365")
    busy(community, 12, 60)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url(community) + "?period=365")


@pytest.mark.parametrize(
    "start,end,message",
    [
        ("2026-03-10", "2026-03-01", "The end comes before the start"),
        ("2026-03-10", "2099-01-01", "The end is in the future"),
        ("2015-01-01", "2026-01-01", "at most five years"),
    ],
)
def test_a_bad_custom_period_is_explained_beside_the_field(
    client, community, steward, start, end, message
):
    client.force_login(steward)
    response = client.get(url(community), {"period": "custom", "start": start, "end": end})
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page and 'id="id_end_error"' in page and f'value="{start}"' in page


def test_a_custom_period_is_compared_with_the_one_before(client, community, steward):
    busy(community, 3, 4)
    client.force_login(steward)
    today = datetime.datetime.now(UTC).date()
    start = today - timedelta(days=9)
    response = client.get(
        url(community), {"period": "custom", "start": start.isoformat(), "end": today.isoformat()}
    )
    assert response.status_code == 200
    assert "(10 days), compared with" in response.content.decode()


def test_every_table_downloads_as_csv(client, community, steward):
    busy(community, 3, 5)
    client.force_login(steward)
    page = client.get(url(community)).content.decode()
    for name in (
        "funnel",
        "participation",
        "questions",
        "unanswered",
        "topics",
        "professions",
        "stuck",
        "members",
        "activity",
    ):
        assert f"/insights/{name}.csv?period=90" in page
        response = client.get(url(community, f"{name}.csv"), {"period": "90"})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert response.content.decode().splitlines()[0]
    assert client.get(url(community, "nothing.csv")).status_code == 404


def test_csv_needs_view_analytics_too(client, community, member_at):
    client.force_login(member_at(Stage.FULL))
    assert client.get(url(community, "funnel.csv")).status_code == 403


def test_staff_see_every_community_side_by_side(client, community, steward):
    other = CommunityFactory(name="Antimicrobial stewardship")
    busy(community, 3, 4)
    client.force_login(steward)
    assert client.get("/insights/").status_code == 403
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    page = client.get("/insights/").content.decode()
    assert community.name in page and other.name in page and url(community) in page
    csv = client.get("/insights/", {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and other.name in csv.content.decode()


def test_an_empty_community_says_so(client, steward, community):
    client.force_login(steward)
    assert "No figures for this period yet" in client.get(url(community)).content.decode()


def test_cached_figures_follow_the_next_rollup_and_live_ones_never_wait(
    client, community, steward, member_at
):
    busy(community, 5, 12)
    client.force_login(steward)
    first = client.get(url(community)).content.decode()
    assert "Who waits for the wound clinic?" not in first
    now = timezone.now()
    waiting = ThreadFactory(
        community=community,
        title="Who waits for the wound clinic?",
        created_at=now - timedelta(days=3),
    )
    member_at(Stage.PARTICIPANT)
    again = client.get(url(community)).content.decode()
    # Unanswered questions and members now are live; the question counts wait for a rollup.
    assert waiting.title in again
    assert figure("Members now", again) == figure("Members now", first) + 1
    assert figure("Asked", again) == figure("Asked", first)
    rollup((now - timedelta(days=4)).date())
    assert (
        figure("Asked", client.get(url(community)).content.decode()) == figure("Asked", first) + 1
    )


def figure(label: str, page: str) -> int:
    """The number after `label` in the page's headline figures or its tables."""
    found = re.search(rf">{re.escape(label)}</(?:dt|th)>\s*<(?:dd|td)>(\d+)<", page)
    assert found, label
    return int(found[1])
