"""Forms carry a one-time key; the same form sent twice answers with the same redirect."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from practica.bulletin.tests.factories import ArticleFactory, SubscriberFactory
from practica.communities.stages import Stage
from practica.conversations.models import Post, Thread
from practica.conversations.tests.factories import ThreadFactory
from practica.library.models import Resource
from practica.library.tests.factories import make_article
from practica.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
KEY_INPUT = re.compile(r'<input type="hidden" name="submission_key" value="([0-9a-f]{32})"')


def _key_in(response) -> str:
    found = KEY_INPUT.search(response.content.decode())
    assert found, "the form carries no submission key"
    return found.group(1)


def _signed_in(client, community, stage):
    member = MembershipFactory(community=community, stage=stage).user
    client.force_login(member)
    return member


def test_the_same_reply_form_sent_twice_posts_once_and_redirects_the_same(client, community):
    _signed_in(client, community, Stage.PERIPHERAL)
    thread = ThreadFactory(community=community)
    page = client.get(thread.get_absolute_url())
    key = _key_in(page)
    url = reverse("conversations:thread-reply", args=[community.slug, thread.pk])
    form = {"body": "Ring the bell twice, then wait.", "submission_key": key}
    first = client.post(url, form)
    second = client.post(url, form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Post.objects.filter(thread=thread, is_opening=False).count() == 1


def test_each_showing_of_a_form_has_its_own_key(client, community):
    _signed_in(client, community, Stage.PARTICIPANT)
    url = reverse("conversations:ask", args=[community.slug])
    assert _key_in(client.get(url)) != _key_in(client.get(url))


def test_a_form_shown_again_with_errors_keeps_its_key(client, community):
    _signed_in(client, community, Stage.PARTICIPANT)
    url = reverse("conversations:ask", args=[community.slug])
    response = client.post(url, {"title": "", "body": "Details", "submission_key": "a" * 32})
    assert response.status_code == 422
    assert _key_in(response) == "a" * 32


def test_a_double_submitted_question_is_asked_once(client, community):
    _signed_in(client, community, Stage.PARTICIPANT)
    url = reverse("conversations:ask", args=[community.slug])
    key = _key_in(client.get(url))
    form = {
        "title": "Who signs off the controlled drugs book at night?",
        "body": "Asking for the night team.",
        "submission_key": key,
    }
    first, second = client.post(url, form), client.post(url, form)
    assert first["Location"] == second["Location"]
    assert Thread.objects.filter(community=community).count() == 1


def test_a_double_submitted_upload_stores_one_resource(client, community):
    _signed_in(client, community, Stage.PARTICIPANT)
    url = reverse("library:resource-new", args=[community.slug])
    key = _key_in(client.get(url))
    responses = [
        client.post(
            url,
            {
                "title": "Bed board",
                "file": SimpleUploadedFile("beds.csv", b"bed,nurse\n1,A\n"),
                "submission_key": key,
            },
        )
        for _ in range(2)
    ]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert Resource.objects.filter(community=community).count() == 1


def test_a_double_submitted_bulletin_send_publishes_once(client):
    editor = UserFactory(is_staff=True)
    client.force_login(editor)
    issue = ArticleFactory().issue
    SubscriberFactory.create_batch(2, bulletin=issue.bulletin)
    page = client.get(reverse("bulletin:issue-edit", args=[issue.bulletin.slug, issue.pk]))
    key = _key_in(page)
    url = reverse("bulletin:issue-publish", args=[issue.bulletin.slug, issue.pk])
    first = client.post(url, {"submission_key": key})
    second = client.post(url, {"submission_key": key}, follow=True)
    assert first.status_code == 302
    assert second.redirect_chain[0][0] == first["Location"]
    assert "Published. Sending to 2 subscribers." in second.content.decode()
    assert issue.deliveries.count() == 2


@pytest.mark.parametrize(
    ("stage", "url_name", "needs"),
    [
        (Stage.FULL, "library:article-new", None),
        (Stage.FULL, "events:create", None),
        (Stage.FULL, "evidence:proposal-new", None),
        (Stage.PERIPHERAL, "library:article", "article"),
    ],
)
def test_creating_forms_carry_a_submission_key(client, community, stage, url_name, needs):
    _signed_in(client, community, stage)
    if needs == "article":
        article = make_article(community)
        url = article.get_absolute_url()
    else:
        url = reverse(url_name, args=[community.slug])
    assert _key_in(client.get(url))
