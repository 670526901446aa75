"""A member's own data: the download, and deleting the account (anonymise or delete)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import Membership
from practica.communities.stages import Stage
from practica.conversations import services as conversations
from practica.conversations.models import Post, Thread
from practica.events import services as events
from practica.library.models import ArticleComment
from practica.library.services import articles, resources
from practica.library.tests.factories import make_article
from practica.notifications.models import Notification
from practica.notifications.services import notify
from practica.people.models import User
from practica.privacy import account, redaction
from practica.privacy.tests.test_redaction import places_holding

pytestmark = pytest.mark.django_db

PASSWORD = "a long and private passphrase"


@pytest.fixture
def mira(community, member_at):
    """A participant with posts, a revision, a comment, an upload, an RSVP, a redaction."""
    steward = member_at(Stage.STEWARD)
    mira = member_at(Stage.PARTICIPANT, user__display_name="Mira Okonkwo-Hale")
    mira.set_password(PASSWORD)
    mira.save()
    other = member_at(Stage.PARTICIPANT)
    thread = conversations.start_thread(
        actor=mira, community=community, kind="discussion", title="Night-time falls",
        body="What works on your ward at night?",
    )  # fmt: skip
    conversations.reply(actor=other, thread=thread, body="Low beds and a sensor mat.")
    alone = conversations.start_thread(
        actor=mira, community=community, kind="discussion", title="Bay lighting",
        body="Anyone tried dimmable lights?",
    )  # fmt: skip
    reply = conversations.reply(actor=mira, thread=thread, body="We tried hip protectors.")
    conversations.edit_post(actor=mira, post=reply, body="We tried hip protectors, twice.")
    article = make_article(community, author=steward, body="Check footwear.")
    articles.add_comment(actor=mira, article=article, body="Slippers count too.")
    resources.add_resource(
        actor=mira, community=community, title="Falls audit sheet",
        uploaded=SimpleUploadedFile("audit.csv", b"bed,falls\n1,0\n"),
    )  # fmt: skip
    event = events.create_event(
        actor=steward, community=community, title="Falls huddle", kind="meeting",
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=1), timezone_name="Europe/London",
        description="Weekly", join_url="https://meet.example.org/x",
    )  # fmt: skip
    events.respond(actor=mira, event=event, status="going")
    notify(
        recipient=other, kind=Notification.Kind.REPLY, community=community, actor=mira,
        text=f"{mira.name} replied to “{thread.title}”.", url=thread.get_absolute_url(),
    )  # fmt: skip
    notify(
        recipient=other, kind=Notification.Kind.REPLY, community=community,
        text="Private to the other member.", url=thread.get_absolute_url(),
    )  # fmt: skip
    # As the author, Mira redacted a word of her own post: the marker carries her name.
    redaction.redact(
        actor=mira, target=redaction.target_for("post", reply.pk), span="twice",
        reason="not needed",
    )  # fmt: skip
    return {
        "user": mira, "other": other, "steward": steward, "thread": thread, "alone": alone,
        "reply": reply, "community": community,
    }  # fmt: skip


def _open(spool) -> zipfile.ZipFile:
    return zipfile.ZipFile(spool)


def test_the_download_holds_everything_of_theirs_and_nothing_of_others(mira):
    user = mira["user"]
    archive = _open(account.build_export(user))
    names = set(archive.namelist())
    assert {"README.txt", "profile.json", "counts.json"} <= names
    profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == user.email and "password" not in profile
    posts = json.loads(archive.read("data/conversations.Post.json"))
    assert {p["body"] for p in posts} >= {"What works on your ward at night?"}
    assert all(p["author_id"] == user.pk for p in posts)
    revisions = json.loads(archive.read("data/conversations.PostRevision.json"))
    assert any("hip protectors" in r["body"] for r in revisions)
    comments = json.loads(archive.read("data/library.ArticleComment.json"))
    assert [c["body"] for c in comments] == ["Slippers count too."]
    assert json.loads(archive.read("data/events.RSVP.json"))[0]["status"] == "going"
    assert json.loads(archive.read("data/communities.Membership.json"))[0]["stage"] == 20
    (upload,) = [n for n in names if n.startswith("files/")]
    assert archive.read(upload) == b"bed,falls\n1,0\n"
    everything = b"".join(archive.read(n) for n in names).decode()
    assert "Private to the other member." not in everything
    assert "Low beds and a sensor mat." not in everything


def test_a_big_account_is_read_in_chunks_with_a_fixed_number_of_queries(
    mira, django_assert_max_num_queries
):
    user, thread = mira["user"], mira["thread"]
    Post.objects.bulk_create(
        Post(thread=thread, author=user, body=f"Reply number {n}", body_html="")
        for n in range(1500)
    )
    with django_assert_max_num_queries(120):
        archive = _open(account.build_export(user, chunk=500))
    posts = json.loads(archive.read("data/conversations.Post.json"))
    assert len(posts) == 1503


def test_deleting_the_account_keeps_posts_anonymised_and_forgets_name_and_email(client, mira):
    user = mira["user"]
    name, email = user.name, user.email
    account.delete_account(user=user, mode=account.Mode.ANONYMISE, password=PASSWORD)
    assert places_holding(name) == []
    assert places_holding(email) == []
    assert places_holding("Okonkwo") == []
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()
    reply = Post.objects.get(pk=mira["reply"].pk)
    assert reply.body.startswith("We tried hip protectors") and reply.author_id == user.pk
    assert "[removed by a former member: not needed]" in reply.body
    # A steward reading the thread sees "A former member".
    client.force_login(mira["steward"])
    page = client.get(mira["thread"].get_absolute_url()).content.decode()
    assert "A former member" in page and name not in page
    assert not client.login(email=email, password=PASSWORD)


def test_deleting_with_contributions_removes_their_text(mira):
    user = mira["user"]
    account.delete_account(user=user, mode=account.Mode.DELETE, password=PASSWORD)
    assert places_holding("hip protectors") == []
    assert places_holding("Slippers count too") == []
    assert not ArticleComment.objects.filter(body__contains="Slippers").exists()
    # The thread others replied to stays; the one nobody answered goes.
    assert Thread.objects.get(pk=mira["thread"].pk).deleted_at is None
    assert Thread.objects.get(pk=mira["alone"].pk).deleted_at is not None
    assert Post.objects.filter(body="Low beds and a sensor mat.").exists()


def test_a_wrong_password_changes_nothing(mira):
    user = mira["user"]
    with pytest.raises(ValidationError) as refused:
        account.delete_account(user=user, mode=account.Mode.DELETE, password="guess")
    assert "password" in refused.value.message_dict
    user.refresh_from_db()
    assert user.is_active and Post.objects.filter(author=user, body__contains="night").exists()


def test_a_failure_half_way_leaves_the_account_whole(mira, monkeypatch):
    user = mira["user"]
    email = user.email
    before = places_holding(email)

    def breaks(*args):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(account, "_reindex", breaks)  # after the text, rows and profile changed
    with pytest.raises(RuntimeError):
        account.delete_account(user=user, mode=account.Mode.DELETE, password=PASSWORD)
    assert places_holding(email) == before
    assert User.objects.get(pk=user.pk).is_active
    assert Post.objects.filter(author=user, body__contains="hip protectors").exists()


def test_a_member_without_a_password_types_the_phrase(community, member_at):
    user = member_at(Stage.PERIPHERAL)
    user.set_unusable_password()
    user.save()
    with pytest.raises(ValidationError) as refused:
        account.delete_account(user=user, mode=account.Mode.ANONYMISE, phrase="yes")
    assert "phrase" in refused.value.message_dict
    account.delete_account(user=user, mode=account.Mode.ANONYMISE, phrase="Delete my account")
    user.refresh_from_db()
    assert not user.is_active


def test_the_pages_download_and_delete_with_a_confirmation(client, mira):
    user = mira["user"]
    client.force_login(user)
    edit = client.get(reverse("people:profile-edit")).content.decode()
    assert reverse("privacy:my-data") in edit and reverse("privacy:delete-account") in edit
    download = client.post(reverse("privacy:my-data"))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "attachment" in download["Content-Disposition"]
    body = b"".join(download.streaming_content)
    assert "profile.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    again = client.post(reverse("privacy:my-data"))
    assert again.status_code == 302  # once a minute
    url = reverse("privacy:delete-account")
    refused = client.post(url, {"mode": "anonymise", "password": "wrong"})
    assert refused.status_code == 422
    assert "That is not your password." in refused.content.decode()
    assert re.search(r'value="anonymise"[^>]*checked', refused.content.decode())  # kept
    done = client.post(url, {"mode": "anonymise", "password": PASSWORD})
    assert done.status_code == 302
    assert client.get(reverse("people:profile-edit")).status_code == 302  # signed out


@pytest.mark.parametrize(
    ("engine", "in_database"),
    [
        ("django.contrib.sessions.backends.db", True),
        ("django.contrib.sessions.backends.cached_db", True),
        ("practica.reliability.sessions", True),
        ("django.contrib.sessions.backends.cache", False),
        ("django.contrib.sessions.backends.signed_cookies", False),
    ],
)
def test_deleting_an_account_knows_which_session_engines_keep_sessions_in_the_database(
    settings, engine, in_database
):
    from practica.privacy.account import _sessions_in_database

    settings.SESSION_ENGINE = engine
    assert _sessions_in_database() is in_database
