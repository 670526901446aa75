"""The guard's warning on the pages: what was typed stays, confirming saves, blocking holds."""

from __future__ import annotations

import pytest
from django.urls import reverse

from practica.communities.models import GuardMode
from practica.communities.stages import Stage
from practica.conversations.models import ThreadStatus
from practica.conversations.tests.factories import ThreadFactory
from practica.events.models import Event
from practica.events.tests.factories import EventFactory
from practica.library.models import ArticleComment
from practica.library.tests.factories import make_article
from practica.privacy.models import GuardLog

pytestmark = pytest.mark.django_db

NHS = "Mr John Brown, NHS number 943 476 5919"


def _warned(response, typed: str) -> str:
    html = response.content.decode()
    assert response.status_code in (200, 400, 422)
    assert "Check for patient-identifiable information" in html
    assert '<mark class="guard-mark"' in html
    assert 'name="confirm_guard"' in html
    # What was typed comes back in the form, escaped.
    assert typed in html
    return html


def test_article_edit_with_an_nhs_number_is_caught_and_kept(client, community, member_at):
    editor = member_at(Stage.FULL)
    article = make_article(community, author=editor)
    client.force_login(editor)
    url = reverse("library:article-edit", args=[community.slug, article.slug])
    data = {
        "title": article.title,
        "summary": "",
        "body": f"Handover for {NHS} on the ward.",
        "base_revision": article.current_revision_id,
        "kind": "guide",
    }
    _warned(client.post(url, data), "NHS number 943 476 5919")
    assert article.revisions.count() == 1
    response = client.post(url, {**data, "confirm_guard": "1"})
    assert response.status_code == 302
    assert article.revisions.count() == 2


def test_article_comment_stays_on_the_page_after_a_warning(client, community, member_at):
    article = make_article(community)
    client.force_login(member_at(Stage.PERIPHERAL))
    url = reverse("library:comment-add", args=[community.slug, article.slug])
    response = client.post(url, {"body": f"I nursed {NHS} last week."})
    html = _warned(response, "I nursed Mr John Brown")
    assert "This looks like a patient&#x27;s name, an NHS number." in html  # beside the field
    assert not ArticleComment.objects.exists()


def test_a_blocked_comment_keeps_the_text_but_offers_no_confirmation(client, community, member_at):
    community.guard_mode = GuardMode.BLOCK
    community.save()
    article = make_article(community)
    client.force_login(member_at(Stage.PERIPHERAL))
    url = reverse("library:comment-add", args=[community.slug, article.slug])
    response = client.post(url, {"body": f"I nursed {NHS}.", "confirm_guard": "1"})
    html = response.content.decode()
    assert "Remove patient-identifiable information to save" in html
    assert 'name="confirm_guard"' not in html
    assert "I nursed Mr John Brown" in html
    assert not ArticleComment.objects.exists()
    assert GuardLog.objects.get().decision == GuardLog.Decision.BLOCKED


def test_event_description_is_caught_like_a_post(client, community, member_at):
    client.force_login(member_at(Stage.FULL))
    data = {
        "title": "Falls case discussion",
        "kind": "meeting",
        "description": f"We will talk about {NHS}.",
        "timezone": "Europe/London",
        "start_date": "2031-03-03",
        "start_time": "13:00",
        "end_time": "14:00",
        "location": "Seminar room 2",
    }
    url = reverse("events:create", args=[community.slug])
    _warned(client.post(url, data), "We will talk about Mr John Brown")
    assert not Event.objects.exists()
    assert client.post(url, {**data, "confirm_guard": "1"}).status_code == 302


def test_event_notes_come_back_on_their_own_page(client, community, member_at):
    organiser = member_at(Stage.FULL)
    event = EventFactory(community=community, created_by=organiser)
    event.organisers.add(organiser)
    client.force_login(organiser)
    url = reverse("events:notes", args=[community.slug, event.pk])
    _warned(client.post(url, {"notes": f"Discussed {NHS}."}), "Discussed Mr John Brown")
    event.refresh_from_db()
    assert event.notes == ""


def test_staging_comment_is_kept_on_the_thread_page(client, community, member_at):
    learner = member_at(Stage.PERIPHERAL)
    thread = ThreadFactory(community=community, author=learner, status=ThreadStatus.STAGED)
    client.force_login(learner)
    url = reverse("conversations:staging-action", args=[community.slug, thread.pk])
    response = client.post(url, {"action": "comment", "body": f"It was {NHS}."})
    _warned(response, "It was Mr John Brown")
    assert response.status_code == 422


def test_profile_bio_is_screened(client, user):
    client.force_login(user)
    response = client.get(reverse("people:profile-edit"))
    form = response.context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    data.update(bio=f"Ward sister. Ask me about {NHS}.", expertise_text="", timezone="UTC")
    response = client.post(reverse("people:profile-edit"), data)
    _warned(response, "Ask me about Mr John Brown")


def test_a_warning_is_logged_although_the_submission_keys_transaction_rolls_back(
    client, community, member_at
):
    article = make_article(community)
    client.force_login(member_at(Stage.PERIPHERAL))
    url = reverse("library:comment-add", args=[community.slug, article.slug])
    data = {"body": f"I nursed {NHS}.", "submission_key": "k-1"}
    _warned(client.post(url, data), "I nursed Mr John Brown")
    assert GuardLog.objects.get().decision == GuardLog.Decision.WARNED
    response = client.post(url, {**data, "confirm_guard": "1"})
    assert response.status_code == 302
    assert ArticleComment.objects.count() == 1
    assert GuardLog.objects.filter(decision=GuardLog.Decision.CONFIRMED).count() == 1
