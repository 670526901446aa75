"""Every kind of page in the demo, opened in Chromium as a visitor, a learner and a steward.

The demo is seeded once for the module and each page is loaded once per person; every check
runs on that one load: at 320 px nothing scrolls sideways, and the Content-Security-Policy
reports no violation (issue 15, item 7). The admin's pages are opened as the staff account
for the policy alone.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from practica.tests.demo_pages import discover_admin_pages, discover_pages

# Not transactional: the demo is seeded once for the module, and the checks only read it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PERSONS = {"visitor": None, "learner": "learner@example.com", "steward": "steward@example.com"}
EMAILS = {**PERSONS, "full member": "full@example.com", "staff": "admin@example.com"}
# Collects what the page's policy refused (the event fires for enforced and report-only).
LISTEN_FOR_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} refused ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || ""}:${e.lineNumber || ""}`);
});
"""


@dataclass
class Sweep:
    person: str
    pages: list[str]
    overflow: dict[str, int] = field(default_factory=dict)
    csp: dict[str, list[str]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """The demo seeded once into the test database and served for this module, emptied after.

    Its own live server: pytest-django's `live_server` would empty the database after each
    test, and seeding the demo takes longer than every check together.
    """
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        call_command("seed-demo", stdout=io.StringIO())
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


def check_page(tab, url: str, result: Sweep, *, refused: list[str], width: bool = True) -> None:
    """Load `url` once, measure it at 320 px and collect what the CSP refused on it."""
    refused.clear()
    tab.set_viewport_size({"width": 320, "height": 700})
    tab.goto(url, wait_until="load")
    if width:
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            result.overflow[url] = overflow
    violations = tab.evaluate("window.__csp || []") + refused
    if violations:
        result.csp[url] = violations


def open_sweep_tab(context) -> tuple[object, list[str]]:
    """A tab that records the CSP's refusals, from the event and from the console."""
    context.add_init_script(LISTEN_FOR_CSP)
    tab = context.new_page()
    refused: list[str] = []
    tab.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return tab, refused


def client_for(person: str) -> Client:
    from practica.people.models import User

    client = Client()
    if EMAILS[person]:
        client.force_login(User.objects.get(email=EMAILS[person]))
    return client


@pytest.fixture(scope="module", params=list(PERSONS))
def sweep(request, demo_site, chromium, django_db_blocker) -> Sweep:
    person = request.param
    with django_db_blocker.unblock():
        client = client_for(person)
        pages = discover_pages(client).first()
    result = Sweep(person=person, pages=pages)
    context = chromium.new_context(base_url=demo_site.url, viewport={"width": 320, "height": 700})
    context.set_default_timeout(60_000)  # a busy 2-core machine is slow to render big pages
    if "sessionid" in client.cookies:
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": demo_site.url}])
    tab, refused = open_sweep_tab(context)
    try:
        for url in pages:
            check_page(tab, url, result, refused=refused)
    finally:
        context.close()
    return result


@pytest.fixture(scope="module")
def admin_sweep(demo_site, chromium, django_db_blocker) -> Sweep:
    """Every kind of admin page, as the staff account, for the policy alone (the admin is
    Django's own layout, not made for 320 px)."""
    from practica.people.models import User

    with django_db_blocker.unblock():
        # The demo's staff account may see every admin page here, so that all are swept.
        User.objects.filter(email=EMAILS["staff"]).update(is_superuser=True)
        client = client_for("staff")
        pages = discover_admin_pages(client).first()
    result = Sweep(person="staff", pages=pages)
    context = chromium.new_context(base_url=demo_site.url)
    context.set_default_timeout(60_000)
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": demo_site.url}])
    tab, refused = open_sweep_tab(context)
    try:
        for url in pages:
            check_page(tab, url, result, refused=refused, width=False)
    finally:
        context.close()
    return result


def test_the_sweep_reaches_every_kind_of_page(sweep):
    expected = {"visitor": 40, "learner": 60, "steward": 100}[sweep.person]
    assert len(sweep.pages) >= expected, sweep.pages


def test_no_demo_page_scrolls_sideways_at_320px(sweep):
    assert sweep.overflow == {}, f"wider than a 320px screen ({sweep.person}): {sweep.overflow}"


def test_no_demo_page_violates_the_content_security_policy(sweep):
    assert sweep.csp == {}, f"refused by the CSP ({sweep.person}): {sweep.csp}"


def test_no_admin_page_violates_the_content_security_policy(admin_sweep):
    assert len(admin_sweep.pages) >= 40, admin_sweep.pages
    assert admin_sweep.csp == {}, f"refused by the CSP (staff): {admin_sweep.csp}"


@pytest.fixture(scope="module")
def sessions(demo_site, django_db_blocker) -> dict[str, str]:
    """A session for each person, made once for the module outside any test's transaction:
    the live server reads them on its own connection (on PostgreSQL it cannot see rows a
    test has not committed)."""
    with django_db_blocker.unblock():
        clients = {person: client_for(person) for person in EMAILS}
    return {
        person: client.cookies["sessionid"].value
        for person, client in clients.items()
        if "sessionid" in client.cookies
    }


@pytest.fixture
def phone(chromium, demo_site, sessions):
    """`phone(person, js=True)`: a 390 x 844 tab, signed in as that person."""
    contexts = []

    def open_tab(person: str, *, js: bool = True, width: int = 390):
        context = chromium.new_context(
            base_url=demo_site.url,
            viewport={"width": width, "height": 844},
            is_mobile=width < 500,
            java_script_enabled=js,
        )
        context.set_default_timeout(60_000)  # a busy 2-core machine is slow to render big pages
        if person in sessions:
            cookie = {"name": "sessionid", "value": sessions[person], "url": demo_site.url}
            context.add_cookies([cookie])
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def in_first_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] + min(box["height"], 40) <= 844


@pytest.mark.parametrize("js", [True, False], ids=["with JavaScript", "without JavaScript"])
def test_a_phone_shows_threads_in_the_first_screen_and_folds_the_menu(phone, js):
    tab = phone("learner", js=js)
    tab.goto("/c/ward-care/conversations/")
    assert in_first_screen(tab.locator(".thread-title a").first)
    menu_link = tab.get_by_role("navigation", name="Main").get_by_role("link", name="Bulletin")
    assert not menu_link.is_visible()
    assert not tab.get_by_label("Kind").is_visible(), "the filters should be folded"
    tab.locator("[data-menu-toggle]").click()
    assert menu_link.is_visible()
    if js:
        toggle = tab.get_by_role("button", name="Menu")
        assert toggle.get_attribute("aria-expanded") == "true"
        tab.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not menu_link.is_visible()
    else:
        tab.get_by_role("link", name="Close the menu").click()
        assert not menu_link.is_visible()
    tab.get_by_text("Filters", exact=True).click()
    assert tab.get_by_label("Kind").is_visible()
    community_nav = tab.get_by_role("navigation", name="Interprofessional ward care")
    assert community_nav.evaluate("nav => nav.getBoundingClientRect().height") < 60, "one row"


def test_a_phone_shows_content_first_on_home_thread_and_ask_pages(phone):
    tab = phone("learner")
    tab.goto("/")
    assert in_first_screen(tab.locator("main h2, main .card").first)
    tab.goto("/c/ward-care/conversations/")
    tab.locator(".thread-title a").first.click()
    assert in_first_screen(tab.locator(".post-body").first)
    tab.goto("/c/ward-care/conversations/ask/")
    assert in_first_screen(tab.get_by_label("Title"))
    similar = tab.get_by_role("heading", name="Already asked?").bounding_box()
    post = tab.get_by_role("button", name="Post your question").bounding_box()
    assert similar["y"] < post["y"], "the suggestions come before the Post button"


def test_an_article_table_scrolls_in_its_own_box_without_breaking_words(phone):
    tab = phone("visitor")
    tab.goto("/c/ward-care/library/")
    tab.get_by_role("link", name="NEWS2 escalation on the ward").first.click()
    box = tab.get_by_role("region", name="Table: NEWS2, Frequency of observations, Response")
    assert box.get_attribute("tabindex") == "0"
    lines = box.evaluate(
        """box => {
          const cell = [...box.querySelectorAll("th")].find(th => th.textContent.includes("Frequency"));
          const range = document.createRange();
          const text = cell.firstChild;
          range.setStart(text, text.textContent.indexOf("Frequency"));
          range.setEnd(text, text.textContent.indexOf("Frequency") + "Frequency".length);
          return range.getClientRects().length;
        }"""
    )
    assert lines == 1, "“Frequency” is broken across lines"


def test_marking_helpful_keeps_focus_on_the_button_and_announces_the_count(phone):
    from practica.conversations.models import Post, ThreadStatus

    tab = phone("full member", width=1280)
    post = (
        Post.objects.filter(
            thread__community__slug="ward-care",
            thread__status=ThreadStatus.PUBLISHED,
            thread__hidden_at=None,
            thread__deleted_at=None,
            hidden_at=None,
            deleted_at=None,
        )
        .exclude(author__email="full@example.com")
        .order_by("pk")
        .first()
    )
    tab.goto(f"/c/ward-care/conversations/posts/{post.pk}/")
    button = tab.locator(f"#helpful-button-{post.pk}")
    before = int(button.inner_text().split("·")[1])
    pressed = button.get_attribute("aria-pressed")
    button.focus()
    tab.keyboard.press("Enter")
    expect(button).not_to_have_attribute("aria-pressed", pressed)
    assert tab.evaluate("document.activeElement.id") == f"helpful-button-{post.pk}"
    after = before + (1 if pressed == "false" else -1)
    live = tab.locator(f"#helpful-{post.pk}").locator("xpath=..")
    assert live.get_attribute("aria-live") == "polite"
    expect(live).to_contain_text(f"{after} helpful now")
    tab.keyboard.press("Enter")  # and back, for the other checks
    expect(button).to_have_attribute("aria-pressed", pressed)
    assert tab.evaluate("document.activeElement.id") == f"helpful-button-{post.pk}"


def test_a_refused_question_moves_focus_to_an_error_summary_linked_to_the_fields(phone):
    tab = phone("learner", width=1280)
    tab.goto("/c/ward-care/conversations/ask/")
    tab.get_by_role("button", name="Post your question").click()
    summary = tab.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    title = tab.get_by_role("textbox", name="Title")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(tab.locator("textarea[name=body]")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link", name="Title").click()
    expect(title).to_be_focused()


def test_the_mention_list_pops_up_from_the_textarea_and_follows_the_arrow_keys(phone):
    tab = phone("learner", width=1280)
    tab.goto("/c/ward-care/conversations/ask/")
    # Still a multi-line textbox (a textarea may not be a combobox), with a listbox popup.
    body = tab.locator("textarea[name=body]")
    expect(body).not_to_have_attribute("role", re.compile(".+"))
    expect(body).not_to_have_attribute("aria-multiline", re.compile(".+"))
    expect(body).to_have_attribute("aria-haspopup", "listbox")
    expect(body).to_have_attribute("aria-autocomplete", "list")
    body.click()
    body.press_sequentially("Thanks @mir")
    listbox = tab.get_by_role("listbox", name="Members to mention")
    expect(listbox).to_be_visible()
    assert body.get_attribute("aria-controls") == listbox.get_attribute("id")
    expect(tab.locator(".mention-status")).to_contain_text("to mention")
    tab.keyboard.press("ArrowDown")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    assert body.get_attribute("aria-activedescendant") == first.get_attribute("id")
    username = first.get_attribute("data-username")
    tab.keyboard.press("Enter")
    expect(body).to_have_value(f"Thanks @{username} ")
    expect(listbox).to_be_hidden()
