"""A "patient data" flag hides the post at once, tells the stewards now, and waits for review."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from practica.conversations import services
from practica.conversations.models import Flag, FlagReason, Post
from practica.notifications.models import Delivery, Notification
from practica.privacy import redaction
from practica.search.models import SearchEntry

pytestmark = pytest.mark.django_db

BODY = "Mrs Edna Crowe in bed 9 had the same reaction, we stopped the infusion."


@pytest.fixture
def held(community, learner, participant, steward, run_on_commit):
    """A reply by `participant`, flagged as patient data by `learner`."""
    thread = services.start_thread(
        actor=participant, community=community, kind="discussion",
        title="Infusion reactions on the ward", body="What do you do first?",
    )  # fmt: skip
    post = run_on_commit(
        services.reply, actor=participant, thread=thread, body=BODY, confirm_guard=True
    )
    run_on_commit(services.flag_post, actor=learner, post=post, reason=FlagReason.PATIENT_DATA)
    post.refresh_from_db()
    return post


def test_the_flag_hides_the_post_at_once_pending_review(held):
    assert held.is_hidden and held.held_for_review
    assert held.hidden_by is None
    entry = SearchEntry.objects.get(kind="reply", object_id=held.pk)
    assert not entry.is_public


def test_stewards_are_told_by_email_now_not_in_their_digest(held, steward):
    # The steward's kind ("Things waiting for stewards") defaults to a daily digest.
    note = Notification.objects.get(recipient=steward, kind=Notification.Kind.STEWARD)
    assert note.delivery == Delivery.IMMEDIATE
    assert "flagged as patient data" in note.text
    assert [m.to for m in mail.outbox] == [[steward.email]]
    assert "flagged as patient data" in mail.outbox[0].subject + mail.outbox[0].body


def test_only_the_author_and_stewards_read_it_while_held(
    client, held, learner, participant, steward
):
    url = held.thread.get_absolute_url()
    for reader, sees in ((participant, True), (steward, True), (learner, False), (None, False)):
        if reader is None:
            client.logout()
        else:
            client.force_login(reader)
        page = client.get(url).content.decode()
        assert ("Edna Crowe" in page) is sees, reader


def test_an_opening_post_flagged_takes_its_thread_out_of_sight(
    client, community, learner, participant, steward, run_on_commit
):
    thread = services.start_thread(
        actor=participant, community=community, kind="discussion",
        title="Reaction to an infusion", body=BODY, confirm_guard=True,
    )  # fmt: skip
    opening = thread.posts.get(is_opening=True)
    client.force_login(learner)
    response = client.post(
        reverse("conversations:post-flag", args=[community.slug, opening.pk]),
        {"reason": FlagReason.PATIENT_DATA},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("conversations:list", args=[community.slug])
    assert client.get(thread.get_absolute_url()).status_code == 404
    client.force_login(participant)
    assert "Edna Crowe" in client.get(thread.get_absolute_url()).content.decode()


def test_restore_shows_it_again_and_settles_the_flag(client, held, steward, community):
    client.force_login(steward)
    queue = reverse("conversations:moderation", args=[community.slug])
    page = client.get(queue).content.decode()
    assert "Hidden until you review it" in page
    assert reverse("privacy:redact", args=["post", held.pk]) in page
    response = client.post(
        reverse("conversations:post-hide", args=[community.slug, held.pk]),
        {"unhide": "1", "next": queue},
    )
    assert response["Location"] == queue
    held.refresh_from_db()
    assert not held.is_hidden and not held.held_for_review
    assert held.flags.get().status == Flag.Status.DISMISSED


def test_remove_keeps_it_hidden_for_good_with_a_reason(held, steward, participant):
    services.hide_post(actor=steward, post=held, reason="It names a patient.")
    held.refresh_from_db()
    assert held.is_hidden and not held.held_for_review
    assert held.flags.get().status == Flag.Status.ACTIONED
    assert Notification.objects.filter(recipient=participant, kind="moderation").exists()


def test_redact_then_restore(held, steward):
    target = redaction.target_for("post", held.pk)
    redaction.redact(actor=steward, target=target, span="Edna Crowe", reason="patient's name")
    services.unhide_post(actor=steward, post=Post.objects.get(pk=held.pk))
    held.refresh_from_db()
    assert not held.is_hidden
    assert "Edna Crowe" not in held.body and "[removed by" in held.body
