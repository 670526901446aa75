"""The Content-Security-Policy header (practica.middleware); the browser sweep that proves
no demo page breaks it is test_browser_csp."""

import pytest

pytestmark = pytest.mark.django_db


def test_html_pages_carry_the_strict_policy(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]:
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_feeds_get_no_page_policy(client):
    from practica.bulletin.tests.factories import BulletinFactory

    BulletinFactory()
    response = client.get("/bulletin/rss.xml")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response


def test_the_mastodon_share_form_may_send_readers_to_their_own_server(client, settings):
    url = settings.SITE_URL + "/bulletin/"
    response = client.get("/bulletin/share/mastodon/", {"url": url, "text": "Hi"})
    assert response.status_code == 200
    assert "form-action 'self' https:" in response["Content-Security-Policy"]


def test_no_template_uses_a_style_attribute_or_inline_script():
    """Style attributes and inline scripts are blocked by the policy; PDFs and emails are
    not web pages and keep theirs."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    offenders = []
    for path in root.rglob("templates/**/*.html"):
        if "/pdf/" in str(path) or "/email/" in str(path) or path.stem.endswith("_pdf"):
            continue
        text = path.read_text()
        if re.search(r"\sstyle=|<style\b", text) or re.search(r"<script(?![^>]*\ssrc=)", text):
            offenders.append(str(path.relative_to(root)))
        if re.search(r"\son[a-z]+=", text):
            offenders.append(f"{path.relative_to(root)} (event handler attribute)")
    assert offenders == []
