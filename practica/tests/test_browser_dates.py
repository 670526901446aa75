"""Edit forms keep their dates: the browser's date and time pickers show what is stored."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from practica.communities.stages import Stage
from practica.events.models import Event
from practica.events.tests.factories import EventFactory
from practica.library.models import Article
from practica.library.tests.factories import make_article
from practica.tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long and unusual passphrase"


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("You are logged in.")).to_be_visible()


@pytest.fixture
def steward():
    community = CommunityFactory(slug="ward-care", name="Ward care")
    user = UserFactory(email="steward@example.org", password=PASSWORD, timezone="Europe/London")
    MembershipFactory(community=community, user=user, stage=Stage.STEWARD)
    return user


def test_saving_an_event_unchanged_keeps_its_dates_times_and_repeat(page: Page, steward):
    community = steward.memberships.get().community
    starts = datetime.datetime(2026, 11, 13, 9, 30, tzinfo=datetime.UTC)
    event = EventFactory(
        community=community,
        created_by=steward,
        title="Falls case review",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1, minutes=15),
        repeat="weekly",
        repeat_until=datetime.date(2027, 1, 29),
        timezone="Europe/London",
    )
    before = Event.objects.get(pk=event.pk)
    log_in(page, steward.email)
    page.goto(f"/c/ward-care/events/{event.pk}/edit/")
    expect(page.get_by_label("Start date")).to_have_value("2026-11-13")
    expect(page.get_by_label("Start time")).to_have_value("09:30")
    expect(page.get_by_label("End time")).to_have_value("10:45")
    expect(page.get_by_label("Repeat until")).to_have_value("2027-01-29")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Falls case review", level=1)).to_be_visible()
    after = Event.objects.get(pk=event.pk)
    assert (after.starts_at, after.ends_at, after.repeat, after.repeat_until) == (
        before.starts_at,
        before.ends_at,
        before.repeat,
        before.repeat_until,
    )


def test_saving_an_article_keeps_its_review_date(page: Page, steward):
    community = steward.memberships.get().community
    article = make_article(
        community,
        author=steward,
        title="Pressure ulcer prevention",
        body="Turn every two hours.",
        review_due=datetime.date(2027, 5, 1),
    )
    log_in(page, steward.email)
    page.goto(article.get_absolute_url() + "edit/")
    expect(page.get_by_label("Review by")).to_have_value("2027-05-01")
    page.get_by_label("Body", exact=True).fill(
        "Turn every two hours, and check heels at each turn."
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="Pressure ulcer prevention", level=1)).to_be_visible()
    assert Article.objects.get(pk=article.pk).review_due == datetime.date(2027, 5, 1)
