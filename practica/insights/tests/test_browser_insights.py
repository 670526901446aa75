"""The health pages in a browser: readable on a 320 px phone without JavaScript, charts
named for screen readers with their table one click away, dark mode drawing its own colours."""

import pytest

from practica.communities.stages import Stage
from practica.insights.tests.test_views import busy
from practica.tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long and unusual passphrase"


@pytest.fixture
def ward():
    community = CommunityFactory(slug="ward-care", name="Interprofessional ward care")
    steward = UserFactory(email="steward@example.org", password=PASSWORD)
    MembershipFactory(community=community, user=steward, stage=Stage.STEWARD)
    busy(community, 6, 20)
    return community


def signed_in(chromium, live_server, **options):
    context = chromium.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("steward@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


def test_the_health_pages_fit_a_320px_phone_without_javascript(chromium, live_server, ward):
    context, page = signed_in(
        chromium, live_server, viewport={"width": 320, "height": 640}, java_script_enabled=False
    )
    try:
        for path in ("", "value/", "report/", "stories/"):
            page.goto(f"/c/ward-care/insights/{path}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path or 'dashboard'} is {overflow}px wider than 320px"
        page.goto("/c/ward-care/insights/")
        chart = page.get_by_role("img", name="Questions over time")
        assert chart.is_visible()
        figure = page.locator("figure", has=chart)
        table = figure.locator("table")
        assert not table.is_visible()
        figure.get_by_text("Show the table behind this chart").click()
        assert table.is_visible() and "Asked" in table.inner_text()
    finally:
        context.close()


def test_charts_draw_with_dark_colours_in_dark_mode(chromium, live_server, ward):
    strokes = {}
    for scheme in ("light", "dark"):
        context, page = signed_in(chromium, live_server, color_scheme=scheme)
        try:
            page.goto("/c/ward-care/insights/")
            series = page.locator("svg.chart polyline.series.s1").first
            strokes[scheme] = series.evaluate("el => getComputedStyle(el).stroke")
        finally:
            context.close()
    assert strokes["light"] != strokes["dark"], strokes
