"""Browser journeys for accounts and people, in headless Chromium against a live server."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from practica.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long and unusual passphrase"


def emailed_link() -> str:
    return re.search(r"https?://\S+", mail.outbox[-1].body).group(0)


def test_sign_up_verify_log_in_edit_profile_and_find_yourself(page: Page):
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Profession").select_option("pharmacist")
    page.get_by_label("Time zone").fill("Europe/London")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(emailed_link())
    expect(page.get_by_text("Confirm that ada@example.org")).to_be_visible()
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_text("ada@example.org is confirmed")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    header = page.get_by_role("banner")
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    header.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("You are logged in. Welcome, Ada Lovelace.")).to_be_visible()

    header.get_by_role("link", name="Ada Lovelace").click()
    page.get_by_role("link", name="Edit profile").click()
    page.get_by_label("Location", exact=True).fill("Sheffield, UK")
    page.get_by_role("combobox", name="Time zone", exact=True).fill("Australia/Sydney")
    page.get_by_label("Areas of expertise").fill("anticoagulation, deprescribing")
    page.get_by_label("About you").fill("Ward pharmacist. <script>alert(1)</script> *Ask me*.")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()
    expect(page.locator(".prose em")).to_have_text("Ask me")
    expect(page.locator(".prose script")).to_have_count(0)

    header.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("main").get_by_label("Search", exact=True).fill("deprescribing")
    page.get_by_label("Profession").select_option("pharmacist")
    page.get_by_role("main").get_by_role("button", name="Search").click()
    members = page.get_by_role("list", name="Members")
    expect(members.get_by_role("link", name="Ada Lovelace")).to_be_visible()
    expect(page.get_by_text("1 member matches")).to_be_visible()


def test_a_refused_profile_keeps_input_and_explains_at_phone_width(phone_page: Page):
    UserFactory(email="ada@example.org", password=PASSWORD, display_name="Ada")
    phone_page.goto("/accounts/login/")
    phone_page.get_by_label("Email").fill("ada@example.org")
    phone_page.get_by_label("Password").fill(PASSWORD)
    phone_page.get_by_role("button", name="Log in").click()
    phone_page.goto("/people/me/edit/")
    phone_page.get_by_role("combobox", name="Time zone", exact=True).fill("Europe/Atlantis")
    phone_page.get_by_label("Location", exact=True).fill("Somewhere nice")
    phone_page.get_by_role("button", name="Save profile").click()
    next_to_field = phone_page.locator(".field.has-error .error")
    expect(next_to_field.get_by_text("“Europe/Atlantis” is not a time zone")).to_be_visible()
    summary = phone_page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Time zone").click()
    expect(phone_page.get_by_role("combobox", name="Time zone", exact=True)).to_be_focused()
    expect(phone_page.get_by_label("Location", exact=True)).to_have_value("Somewhere nice")
    expect(phone_page.get_by_role("combobox", name="Time zone", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )


@pytest.mark.parametrize(
    "url", ["/", "/people/", "/people/ada/", "/accounts/login/", "/accounts/signup/", "/nope/"]
)
def test_pages_fit_a_320px_screen_without_sideways_scrolling(page: Page, url):
    UserFactory.create_batch(3)
    UserFactory(username="ada", display_name="Ada Lovelace-Byron of Ockham and Marylebone")
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(url)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{url} is {overflow}px wider than the screen"


def test_the_skip_link_is_the_first_stop_and_visible_on_focus(page: Page):
    page.goto("/people/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
