"""The layout as a person meets it: readable on a phone, usable from the keyboard."""

import pytest

from practica.tests.factories import CommunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_fits_a_320px_screen_and_the_skip_link_works(chromium, live_server):
    CommunityFactory(name="Interprofessional ward care", tagline="Improving care on the ward")
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto("/")
        assert page.get_by_role("heading", name="Interprofessional ward care").is_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than a 320px screen"
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to content")
        assert skip.evaluate("el => el === document.activeElement")
        assert skip.is_visible()
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"
    finally:
        context.close()


def test_every_asset_comes_from_our_own_server(page, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/accounts/login/")
    page.wait_for_load_state("networkidle")
    assert requested, "the page made no requests at all"
    foreign = [url for url in requested if not url.startswith(live_server.url)]
    assert foreign == []
