"""Articles filed from elsewhere: distilling a solved thread, filing an event's notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from practica.communities.capabilities import CapabilityDenied
from practica.communities.stages import Stage
from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.events.tests.factories import EventFactory
from practica.library.models import Article, ArticleStatus
from practica.library.services.sources import AlreadyFiled, distil_thread, file_event_notes
from practica.markdown import render_markdown

pytestmark = pytest.mark.django_db


def solved_thread(community, member_at, *, accepted=True):
    asker = member_at(Stage.PERIPHERAL, user__display_name="Asha Learner")
    thread = ThreadFactory(
        community=community,
        author=asker,
        title="Who owns a pending CT result at handover?",
        body="Twice this month a CT result went unowned.\n\nWho should chase it?",
    )
    answer = PostFactory(
        thread=thread,
        author=member_at(Stage.FULL, user__display_name="Dr Okafor"),
        body="The requesting team owns it; the incoming nurse chases it at 21:00.",
    )
    PostFactory(thread=thread, body="Another reply that was not accepted.")
    if accepted:
        thread.accepted_post = answer
        thread.save()
    return thread


def distil_url(community, thread):
    return reverse("library:thread-distil", args=[community.slug, thread.pk])


def notes_url(community, event):
    return reverse("library:event-notes-file", args=[community.slug, event.pk])


def past_event(community, **kwargs):
    starts = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=2)
    notes = kwargs.pop("notes", "## Outcomes\n- Pending results get their own handover line.")
    return EventFactory(
        community=community,
        starts_at=starts,
        notes=notes,
        notes_html=render_markdown(notes),
        **kwargs,
    )


# --- distilling a thread -------------------------------------------------------------------------


def test_full_member_distils_a_solved_thread_into_a_draft_quoting_both_posts(community, member_at):
    thread = solved_thread(community, member_at)
    full = member_at(Stage.FULL)
    article = distil_thread(actor=full, thread=thread)
    assert article.status == ArticleStatus.DRAFT
    assert article.title == thread.title
    assert article.source_thread == thread
    assert article.source_url == thread.get_absolute_url()
    assert article.source_title == thread.title
    assert article.revisions.count() == 1 and article.created_by == full
    assert "> Twice this month a CT result went unowned.\n>\n> Who should chase it?" in article.body
    assert "> — Asha Learner, asking," in article.body
    assert "> The requesting team owns it" in article.body
    assert "> — Dr Okafor, in the accepted answer," in article.body
    assert "Another reply" not in article.body
    assert "<blockquote>" in article.body_html


@pytest.mark.parametrize(
    ("stage", "allowed"),
    [
        (Stage.PERIPHERAL, False),
        (Stage.PARTICIPANT, False),
        (Stage.FULL, True),
        (Stage.STEWARD, True),
    ],
)
def test_only_full_members_and_stewards_may_distil(community, member_at, stage, allowed):
    thread = solved_thread(community, member_at)
    actor = member_at(stage)
    if allowed:
        assert distil_thread(actor=actor, thread=thread).source_thread == thread
    else:
        with pytest.raises(CapabilityDenied) as refusal:
            distil_thread(actor=actor, thread=thread)
        assert "full member" in str(refusal.value).lower()
        assert not Article.objects.exists()


def test_an_unsolved_thread_cannot_be_distilled(community, member_at):
    thread = solved_thread(community, member_at, accepted=False)
    with pytest.raises(ValidationError, match="accept an answer"):
        distil_thread(actor=member_at(Stage.FULL), thread=thread)
    assert not Article.objects.exists()


def test_a_thread_is_distilled_once_and_the_second_try_names_the_article(community, member_at):
    thread = solved_thread(community, member_at)
    first = distil_thread(actor=member_at(Stage.FULL), thread=thread)
    with pytest.raises(AlreadyFiled) as refusal:
        distil_thread(actor=member_at(Stage.STEWARD), thread=thread)
    assert refusal.value.article == first
    assert Article.objects.count() == 1


def test_distil_button_creates_the_draft_and_the_thread_links_to_it(client, community, member_at):
    thread = solved_thread(community, member_at)
    client.force_login(member_at(Stage.FULL))
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Distil into an article" in page and distil_url(community, thread) in page
    response = client.post(distil_url(community, thread))
    article = Article.objects.get()
    assert response.status_code == 302 and response.url == article.get_absolute_url()
    article_page = client.get(article.get_absolute_url()).content.decode()
    assert thread.get_absolute_url() in article_page
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Distilled into:" in page and article.get_absolute_url() in page
    assert "Distil into an article" not in page


def test_distilling_again_through_the_page_goes_to_the_existing_article(
    client, community, member_at
):
    thread = solved_thread(community, member_at)
    article = distil_thread(actor=member_at(Stage.FULL), thread=thread)
    client.force_login(member_at(Stage.STEWARD))
    response = client.post(distil_url(community, thread), follow=True)
    assert response.redirect_chain[-1][0] == article.get_absolute_url()
    assert "already distilled" in response.content.decode()
    assert Article.objects.count() == 1


def test_unsolved_thread_has_no_button_and_a_forced_post_explains_why(client, community, member_at):
    thread = solved_thread(community, member_at, accepted=False)
    client.force_login(member_at(Stage.FULL))
    assert "Distil into an article" not in client.get(thread.get_absolute_url()).content.decode()
    response = client.post(distil_url(community, thread), follow=True)
    assert response.redirect_chain[-1][0] == thread.get_absolute_url()
    assert "Only a solved question can be distilled" in response.content.decode()
    assert not Article.objects.exists()


def test_participant_sees_no_button_and_is_refused_with_the_stage_named(
    client, community, member_at
):
    thread = solved_thread(community, member_at)
    client.force_login(member_at(Stage.PARTICIPANT))
    assert "Distil into an article" not in client.get(thread.get_absolute_url()).content.decode()
    response = client.post(distil_url(community, thread))
    assert response.status_code == 403
    assert "full member" in response.content.decode().lower()
    assert not Article.objects.exists()


def test_a_draft_distillation_is_not_shown_to_those_who_cannot_read_drafts(
    client, community, member_at
):
    thread = solved_thread(community, member_at)
    distil_thread(actor=member_at(Stage.FULL), thread=thread)
    client.force_login(member_at(Stage.PARTICIPANT))
    assert "Distilled into:" not in client.get(thread.get_absolute_url()).content.decode()


def test_distil_page_refuses_get(client, community, member_at):
    thread = solved_thread(community, member_at)
    client.force_login(member_at(Stage.FULL))
    assert client.get(distil_url(community, thread)).status_code == 405


# --- filing an event's notes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "status"),
    [
        (Stage.PERIPHERAL, None),
        (Stage.PARTICIPANT, ArticleStatus.DRAFT),
        (Stage.FULL, ArticleStatus.PUBLISHED),
        (Stage.STEWARD, ArticleStatus.PUBLISHED),
    ],
)
def test_event_notes_become_a_draft_or_published_article_by_stage(
    community, member_at, stage, status
):
    event = past_event(community)
    actor = member_at(stage)
    if status is None:
        with pytest.raises(CapabilityDenied):
            file_event_notes(actor=actor, event=event)
        assert not Article.objects.exists()
        return
    article = file_event_notes(actor=actor, event=event)
    assert article.status == status
    assert article.source_event == event
    assert article.source_url == event.get_absolute_url()
    assert article.source_title == event.title
    assert "Pending results get their own handover line." in article.body
    assert event.get_absolute_url() in article.body


def test_an_event_without_notes_cannot_be_filed(community, member_at):
    event = past_event(community, notes="  ")
    with pytest.raises(ValidationError, match="no notes yet"):
        file_event_notes(actor=member_at(Stage.FULL), event=event)
    assert not Article.objects.exists()


def test_event_notes_are_filed_once(community, member_at):
    event = past_event(community)
    first = file_event_notes(actor=member_at(Stage.FULL), event=event)
    with pytest.raises(AlreadyFiled) as refusal:
        file_event_notes(actor=member_at(Stage.FULL), event=event)
    assert refusal.value.article == first


def test_event_page_files_the_notes_and_then_names_the_article(client, community, member_at):
    event = past_event(community)
    client.force_login(member_at(Stage.PARTICIPANT))
    page = client.get(event.get_absolute_url()).content.decode()
    assert "File these notes in the library" in page
    response = client.post(notes_url(community, event))
    article = Article.objects.get()
    assert response.status_code == 302 and response.url == article.get_absolute_url()
    assert article.status == ArticleStatus.DRAFT
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Notes filed in the library as:" in page and article.get_absolute_url() in page
    assert "File these notes in the library" not in page


def test_event_page_offers_no_filing_without_notes_and_a_forced_post_explains(
    client, community, member_at
):
    event = past_event(community, notes="")
    client.force_login(member_at(Stage.FULL))
    assert "File these notes" not in client.get(event.get_absolute_url()).content.decode()
    response = client.post(notes_url(community, event), follow=True)
    assert "no notes yet" in response.content.decode()
    assert not Article.objects.exists()


def test_learner_sees_no_filing_button_and_is_refused(client, community, member_at):
    event = past_event(community)
    client.force_login(member_at(Stage.PERIPHERAL))
    assert "File these notes" not in client.get(event.get_absolute_url()).content.decode()
    assert client.post(notes_url(community, event)).status_code == 403
