"""Every `next` in the project goes through one safe-redirect helper, and every view that
honours one refuses to send the member off the site (issue 15, item 2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import RequestFactory

from practica.communities.models import Mentorship
from practica.communities.stages import Stage
from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.redirects import safe_next
from practica.tests.urlconf import every_route

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_NEXT = [
    "https://evil.example/phish",
    "//evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example",
    "///evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "post-detail",
    " //evil.example",
    "/\t/evil.example",
]
READS_NEXT_PY = re.compile(r"""(?:GET|POST|REQUEST)(?:\.get\(|\.getlist\(|\[)\s*["']next["']""")
READS_NEXT_TEMPLATE = re.compile(r"request\.(?:GET|POST)\.next\b")


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_safe_next_refuses_anything_but_a_path_on_this_site(value):
    request = RequestFactory().get("/", {"next": value})
    assert safe_next(request, "/fallback/") == "/fallback/"


def test_safe_next_keeps_a_path_and_its_query():
    request = RequestFactory().post("/", {"next": "/c/ward-care/conversations/?page=2"})
    assert safe_next(request, "/fallback/") == "/c/ward-care/conversations/?page=2"


def test_only_the_redirect_helper_reads_next():
    readers = []
    for path in ROOT.rglob("*"):
        if "tests" in path.parts or path.name == "redirects.py" or not path.is_file():
            continue
        if path.suffix == ".py":
            pattern = READS_NEXT_PY
        elif path.suffix == ".html":
            pattern = READS_NEXT_TEMPLATE
        else:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                readers.append(f"{path.relative_to(ROOT)}:{number}")
    assert readers == [], "read `next` through practica.redirects.safe_next"


# --- the sweep: every view that honours `next` ---------------------------------------------------


def _post_hide(community, member_at):
    steward = member_at(Stage.STEWARD)
    thread = ThreadFactory(community=community)
    post = PostFactory(thread=thread)
    url = f"/c/{community.slug}/conversations/posts/{post.pk}/hide/"
    return steward, url, {"reason": "It names a patient."}, thread.get_absolute_url()


def _mentorship_end(community, member_at):
    mentor, learner = member_at(Stage.FULL), member_at(Stage.PERIPHERAL)
    link = Mentorship.objects.create(community=community, mentor=mentor, mentee=learner)
    url = f"/c/{community.slug}/mentorships/{link.pk}/end/"
    return mentor, url, {}, f"/c/{community.slug}/trajectory/"


# URL name → builder of (member, url, valid form data, where the view goes without `next`).
VIEWS_THAT_HONOUR_NEXT = {
    "conversations:post-hide": _post_hide,
    "communities:mentorship-end": _mentorship_end,
}


def test_every_view_that_honours_next_is_swept():
    honouring = {
        route.name
        for route in every_route()
        if route.ours and re.search(r"\b(safe_next|redirect_next)\(", route.source)
    }
    assert honouring == set(VIEWS_THAT_HONOUR_NEXT), "add the new view to VIEWS_THAT_HONOUR_NEXT"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(VIEWS_THAT_HONOUR_NEXT))
@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_a_view_that_honours_next_never_leaves_the_site(client, community, member_at, name, value):
    member, url, data, default = VIEWS_THAT_HONOUR_NEXT[name](community, member_at)
    client.force_login(member)
    response = client.post(url, {**data, "next": value})
    assert response.status_code == 302
    assert response["Location"].split("#")[0] == default


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(VIEWS_THAT_HONOUR_NEXT))
def test_a_view_that_honours_next_goes_to_a_path_on_this_site(client, community, member_at, name):
    member, url, data, _ = VIEWS_THAT_HONOUR_NEXT[name](community, member_at)
    client.force_login(member)
    response = client.post(url, {**data, "next": f"/c/{community.slug}/conversations/?page=2"})
    assert response["Location"] == f"/c/{community.slug}/conversations/?page=2"


@pytest.mark.django_db
def test_the_hide_form_does_not_carry_a_hostile_next(client, community, member_at):
    member, url, _, _ = _post_hide(community, member_at)
    client.force_login(member)
    html = client.get(url, {"next": "https://evil.example/phish"}).content.decode()
    assert "evil.example" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["https://evil.example/phish", "//evil.example/x"])
def test_login_ignores_a_next_off_the_site(client, user, value):
    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": "correct horse battery staple", "next": value},
    )
    assert response.status_code == 302 and "evil.example" not in response["Location"]
