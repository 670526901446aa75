"""One public address for every link that leaves the site (practica/site.py)."""

import io
import os
import pathlib
import re

import pytest
from django.core import mail
from django.core.management import call_command

from practica.bulletin.services import publication
from practica.bulletin.tests.factories import ArticleFactory, IssueFactory, SubscriberFactory
from practica.communities.services import membership
from practica.communities.stages import Stage
from practica.notifications.models import Notification
from practica.notifications.services import notify
from practica.tests.factories import CommunityFactory, MembershipFactory, UserFactory
from practica.tests.test_settings import load_settings

SITE = "http://127.0.0.1:8301"
PRACTICA = pathlib.Path(__file__).resolve().parents[1]


def links(message) -> list[str]:
    bodies = [message.body] + [content for content, _ in getattr(message, "alternatives", [])]
    headers = [v.strip("<>") for k, v in message.extra_headers.items() if k == "List-Unsubscribe"]
    return headers + [url for body in bodies for url in re.findall(r"https?://[^\s\"'<>]+", body)]


def assert_all_on_site(message) -> None:
    found = links(message)
    assert found, f"no links in {message.subject!r}"
    assert [url for url in found if not url.startswith(SITE + "/")] == []


def test_without_site_url_a_local_server_links_to_the_port_it_serves(monkeypatch):
    assert load_settings(monkeypatch, DEBUG="1", PORT="8301").SITE_URL == SITE
    assert load_settings(monkeypatch, DEBUG="1").SITE_URL == "http://127.0.0.1:8000"
    public = load_settings(monkeypatch, DEBUG="1", PORT="8301", SITE_URL="https://cop.example/")
    assert public.SITE_URL == "https://cop.example"


def test_serve_hands_its_own_address_to_the_server_and_the_worker(monkeypatch, settings):
    started = []

    class Process:
        pid = 1

        def __init__(self, command, **kwargs):
            started.append((command, dict(os.environ)))

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0  # the server exits at once, so serve stops

        def send_signal(self, sig):
            pass

    monkeypatch.setenv("SITE_URL", "")  # unset, and restored after the test
    monkeypatch.setattr("practica.management.commands.serve.subprocess.Popen", Process)
    monkeypatch.setattr("practica.reliability.supervise.subprocess.Popen", Process)
    call_command("serve", port=8301, workers=1, with_worker=True, stdout=io.StringIO())
    assert len(started) == 2
    assert {env["SITE_URL"] for _, env in started} == {SITE}
    assert settings.SITE_URL == SITE


@pytest.mark.django_db
def test_account_emails_link_to_the_public_address_not_the_requests_host(client, settings):
    settings.SITE_URL = SITE
    client.post(
        "/accounts/signup/",
        {
            "email": "ana@example.org",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
            "display_name": "Ana",
            "profession": "pharmacist",
            "timezone": "Europe/London",
        },
    )
    assert len(mail.outbox) == 1
    assert_all_on_site(mail.outbox[0])
    client.post("/accounts/password/reset/", {"email": "ana@example.org"})
    assert len(mail.outbox) == 2
    assert_all_on_site(mail.outbox[1])


@pytest.mark.django_db
def test_invitation_mention_and_bulletin_emails_link_to_the_public_address(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE
    community = CommunityFactory()
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    member = MembershipFactory(community=community, stage=Stage.FULL).user
    issue = IssueFactory()
    ArticleFactory(issue=issue, title="Falls on the ward")
    SubscriberFactory(bulletin=issue.bulletin)
    with django_capture_on_commit_callbacks(execute=True):
        membership.invite(actor=steward, community=community, email="ana@example.org")
        notify(
            recipient=member,
            kind=Notification.Kind.MENTION,
            text="Mira mentioned you",
            url="/c/x/",
            community=community,
        )
        publication.publish_issue(actor=UserFactory(is_staff=True), issue=issue)
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert_all_on_site(message)


def test_no_module_builds_absolute_links_but_practica_site():
    """Every absolute link comes from practica.site, so they can't disagree again."""
    offenders = []
    for path in PRACTICA.rglob("*.py"):
        relative = path.relative_to(PRACTICA)
        if relative.parts[0] in ("tests",) or "tests" in relative.parts:
            continue
        if str(relative) in ("site.py", "settings.py", "management/commands/serve.py"):
            continue
        text = path.read_text()
        if "SITE_URL" in text or "build_absolute_uri" in text:
            offenders.append(str(relative))
    assert offenders == []
