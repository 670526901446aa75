"""The daily rollups: each figure from real rows, idempotent, re-runnable for a past day."""

import datetime
from datetime import UTC, timedelta

import pytest
from django.core.management import call_command

from practica.communities.models import StageChange
from practica.communities.services.membership import leave_community
from practica.communities.stages import Stage
from practica.conversations.models import HelpfulMark, Post
from practica.conversations.tests.factories import ThreadFactory
from practica.insights.models import DailyBreakdown, DailyRollup, Departure, MemberDay
from practica.insights.rollups import bucket_of, rollup
from practica.insights.stats import median_of_histogram
from practica.tests.factories import MembershipFactory, TopicFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)


def at(day, hour=9, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=UTC)


@pytest.fixture
def scene(community):
    asker = MembershipFactory(community=community, joined_at=at(DAY - timedelta(days=40))).user
    answerer_membership = MembershipFactory(
        community=community, stage=Stage.FULL, joined_at=at(DAY - timedelta(days=100))
    )
    answerer = answerer_membership.user
    answerer.profession = "pharmacist"
    answerer.save()
    StageChange.objects.create(
        membership=answerer_membership, kind="promoted", from_stage=Stage.PARTICIPANT,
        to_stage=Stage.FULL, reason="Criteria met.", created_at=at(DAY, 8),
    )  # fmt: skip
    topic = TopicFactory(community=community)
    thread = ThreadFactory(community=community, author=asker, created_at=at(DAY, 9))
    thread.topics.add(topic)
    Post.objects.filter(thread=thread).update(created_at=at(DAY, 9))
    answer = Post.objects.create(
        thread=thread, author=answerer, body="Check the chart.", created_at=at(DAY, 11)
    )
    thread.accepted_post, thread.accepted_at = answer, at(DAY, 15)
    thread.save()
    HelpfulMark.objects.create(post=answer, user=asker, created_at=at(DAY, 12))
    unanswered = ThreadFactory(community=community, author=asker, created_at=at(DAY, 10))
    Post.objects.filter(thread=unanswered).update(created_at=at(DAY, 10))
    return {"asker": asker, "answerer": answerer, "topic": topic, "thread": thread}


def test_a_day_is_rolled_up_from_its_rows(community, scene):
    rollup(DAY, DAY)
    row = DailyRollup.objects.get(community=community, day=DAY)
    assert (row.questions_asked, row.questions_answered, row.questions_accepted) == (2, 1, 1)
    assert row.posts == 3 and row.contributions == 3 and row.contributors == 2
    assert row.new_contributors == 2
    assert row.first_answer_minutes[bucket_of(120)] == 1
    assert row.accepted_minutes[bucket_of(360)] == 1
    assert row.reached_full == 1 and row.time_to_stage["30"][bucket_of(100 * 1440)] == 1
    assert (row.members_peripheral, row.members_full) == (1, 1)
    light = MemberDay.objects.get(community=community, day=DAY, user=scene["asker"])
    assert (light.contributions, light.light) == (2, 1)
    by_profession = {
        b.key: (b.questions, b.answers, b.accepted)
        for b in DailyBreakdown.objects.filter(dimension="profession", day=DAY)
    }
    assert by_profession == {"nurse": (2, 0, 0), "pharmacist": (0, 1, 1)}
    topic = DailyBreakdown.objects.get(dimension="topic", key=str(scene["topic"].pk))
    assert (topic.questions, topic.answers, topic.accepted) == (1, 1, 1)


def test_running_again_rewrites_the_same_rows(community, scene):
    rollup(DAY - timedelta(days=2), DAY)
    first = list(
        DailyRollup.objects.order_by("day").values_list("day", "posts", "new_contributors")
    )
    rollup(DAY, DAY)
    again = list(
        DailyRollup.objects.order_by("day").values_list("day", "posts", "new_contributors")
    )
    assert again == first and DailyRollup.objects.filter(day=DAY).count() == 1
    assert MemberDay.objects.filter(day=DAY).count() == 2


def test_a_later_contribution_is_not_new(community, scene):
    Post.objects.create(
        thread=scene["thread"],
        author=scene["answerer"],
        body="And again.",
        created_at=at(DAY + timedelta(days=1)),
    )
    rollup(DAY, DAY + timedelta(days=1))
    next_day = DailyRollup.objects.get(community=community, day=DAY + timedelta(days=1))
    assert next_day.contributors == 1 and next_day.new_contributors == 0


def test_leavers_are_kept_and_counted(community, scene):
    leave_community(actor=scene["asker"], community=community)
    departure = Departure.objects.get()
    assert departure.user == scene["asker"] and departure.stage == Stage.PERIPHERAL
    today = departure.left_at.astimezone(UTC).date()
    rollup(today, today)
    row = DailyRollup.objects.get(community=community, day=today)
    assert row.leavers == 1 and row.members_peripheral == 0
    # On the day of the question the leaver was still a member.
    rollup(DAY, DAY)
    assert DailyRollup.objects.get(community=community, day=DAY).members_peripheral == 1


def test_the_command_takes_since_and_reports_a_bad_date(community, scene, capsys):
    call_command("rollup", "--since", DAY.isoformat(), "--until", DAY.isoformat())
    assert DailyRollup.objects.filter(day=DAY).exists()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("rollup", "--since", "10/03/2026")


def test_the_median_of_a_histogram_lies_in_its_bucket():
    histogram = [0] * 30
    histogram[bucket_of(90)] = 3
    assert 60 <= median_of_histogram(histogram) <= 120
    assert median_of_histogram([0] * 30) is None


def test_the_scheduler_runs_the_rollup_hourly():
    from practica.notifications.scheduling import JOBS

    names = {job.name: job.task for job in JOBS}
    assert names["insights-rollup"] == "practica.insights.tasks.rollup_recent"
