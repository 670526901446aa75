"""The Content-Security-Policy holds on every demo page (issue 15, item 7).

Chromium visits every page the demo links to, as a visitor and as the steward, and fails
on any violation the enforced policy reports (a `securitypolicyviolation` event, or the
console's "Refused to …"), so a new inline script, style attribute or foreign asset is
caught here rather than silently blocked for members.
"""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from practica.tests.demo_pages import DEMO_PASSWORD, crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || ""}:${e.lineNumber || ""}`);
});
"""


def _html_pages(client: Client, start: list[str]) -> list[str]:
    found = crawl(client, start)
    pages = []
    for path in sorted(set(found.values())):
        response = client.get(path)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append(path)
    return pages


def _violations(context, paths: list[str]) -> list[str]:
    context.add_init_script(LISTEN)
    tab = context.new_page()
    refused: list[str] = []
    tab.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    problems = []
    for path in paths:
        refused.clear()
        tab.goto(path)
        tab.wait_for_load_state("load")
        reported = tab.evaluate("window.__csp")
        if reported or refused:
            problems.append(f"{path}: {reported + refused}")
    return problems


def test_no_demo_page_violates_the_content_security_policy(chromium, live_server):
    call_command("seed-demo", stdout=io.StringIO())
    visitor_pages = _html_pages(Client(), ["/", "/c/", "/bulletin/", "/learning/"])
    steward = Client()
    assert steward.login(email="steward@example.com", password=DEMO_PASSWORD)
    steward_pages = _html_pages(
        steward, ["/", "/c/ward-care/", "/people/", "/notifications/", "/learning/", "/bulletin/"]
    )
    assert len(visitor_pages) > 20 and len(steward_pages) > 60

    problems = []
    visitor = chromium.new_context(base_url=live_server.url)
    try:
        problems += [f"visitor {p}" for p in _violations(visitor, visitor_pages)]
    finally:
        visitor.close()
    member = chromium.new_context(base_url=live_server.url)
    try:
        login = member.new_page()
        login.goto("/accounts/login/")
        login.fill("input[name=login]", "steward@example.com")
        login.fill("input[name=password]", DEMO_PASSWORD)
        login.click("form button[type=submit]")
        login.wait_for_url(lambda url: "/accounts/login/" not in url)
        problems += [f"steward {p}" for p in _violations(member, steward_pages)]
    finally:
        member.close()
    assert problems == []
