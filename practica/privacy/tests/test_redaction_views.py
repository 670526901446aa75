"""The Redact pages: on posts and their history, article revisions and comments."""

from __future__ import annotations

import pytest
from django.urls import reverse

from practica.communities.stages import Stage
from practica.conversations import services as conversations
from practica.library.models import Revision
from practica.library.services import articles
from practica.library.tests.factories import make_article
from practica.privacy.models import Redaction
from practica.search.indexing import index_objects

pytestmark = pytest.mark.django_db

NAME = "Dorothy Pike"


@pytest.fixture
def posted(community, member_at):
    steward = member_at(Stage.STEWARD)
    author = member_at(Stage.PARTICIPANT)
    thread = conversations.start_thread(
        actor=author, community=community, kind="discussion", title="Night falls",
        body=f"Mrs {NAME} fell twice.", confirm_guard=True,
    )  # fmt: skip
    post = thread.posts.get(is_opening=True)
    conversations.edit_post(actor=author, post=post, body="Our patient fell twice.")
    index_objects("thread", [thread.pk])
    return {"community": community, "steward": steward, "author": author, "post": post}


def _history(community, post):
    return reverse(
        "conversations:post-history", kwargs={"community_slug": community.slug, "post_id": post.pk}
    )


def test_steward_redacts_a_name_from_a_posts_history(client, posted):
    community, post = posted["community"], posted["post"]
    client.force_login(posted["steward"])
    history = client.get(_history(community, post))
    assert NAME in history.content.decode()
    redact_url = reverse("privacy:redact", args=["post", post.pk])
    assert redact_url in history.content.decode()
    page = client.get(redact_url)
    assert page.status_code == 200
    assert NAME in page.content.decode() or "Our patient" in page.content.decode()
    done = client.post(redact_url, {"scope": "span", "span": NAME, "reason": "patient's name"})
    assert done.status_code == 302
    after = client.get(_history(community, post)).content.decode()
    assert NAME not in after
    assert "[removed by" in after
    found = client.get("/search.json", {"q": "Dorothy"}).json()
    assert found["results"] == []
    moderation = client.get(reverse("conversations:moderation", args=[community.slug]))
    text = moderation.content.decode()
    assert "patient&#x27;s name" in text and "Post" in text
    assert Redaction.objects.get().actor == posted["steward"]


def test_a_redaction_without_a_reason_comes_back_with_a_message_and_what_was_typed(client, posted):
    client.force_login(posted["steward"])
    url = reverse("privacy:redact", args=["post", posted["post"].pk])
    response = client.post(url, {"scope": "span", "span": NAME, "reason": ""})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Say why this is removed" in body
    assert f'value="{NAME}"' in body
    assert not Redaction.objects.exists()


def test_another_member_gets_a_403_naming_the_stage(client, posted, member_at):
    client.force_login(member_at(Stage.FULL))
    response = client.get(reverse("privacy:redact", args=["post", posted["post"].pk]))
    assert response.status_code == 403
    assert "Steward" in response.content.decode()


def test_the_author_sees_redact_on_their_post_and_on_its_history(client, posted):
    community, post = posted["community"], posted["post"]
    client.force_login(posted["author"])
    thread_page = client.get(post.thread.get_absolute_url()).content.decode()
    assert reverse("privacy:redact", args=["post", post.pk]) in thread_page
    revision = post.revisions.order_by("created_at").first()
    history = client.get(_history(community, post)).content.decode()
    assert reverse("privacy:redact", args=["post-revision", revision.pk]) in history


def test_article_revision_and_comment_pages_offer_redact(client, community, member_at):
    steward = member_at(Stage.STEWARD)
    learner = member_at(Stage.PERIPHERAL)
    article = make_article(community, author=steward, body="Check footwear.")
    comment = articles.add_comment(actor=learner, article=article, body="Useful, thanks.")
    revision = Revision.objects.get(article=article, number=1)
    client.force_login(steward)
    detail = client.get(article.get_absolute_url()).content.decode()
    assert reverse("privacy:redact", args=["article-comment", comment.pk]) in detail
    page = client.get(revision.get_absolute_url()).content.decode()
    assert reverse("privacy:redact", args=["article-revision", revision.pk]) in page
    client.force_login(member_at(Stage.FULL))
    detail = client.get(article.get_absolute_url()).content.decode()
    assert reverse("privacy:redact", args=["article-comment", comment.pk]) not in detail


def test_unknown_kinds_and_objects_are_not_found(client, posted):
    client.force_login(posted["steward"])
    assert client.get(reverse("privacy:redact", args=["thread", 1])).status_code == 404
    assert client.get(reverse("privacy:redact", args=["post", 999999])).status_code == 404
