"""Replying to a particular post: "in reply to Mira", a link back and a collapsed quote,
in a thread that stays flat and paged."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from practica.communities.stages import Stage
from practica.conversations import services
from practica.conversations.models import Post
from practica.conversations.querysets import POSTS_PER_PAGE
from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.notifications.models import Notification
from practica.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url(name, community, **kwargs):
    return reverse(f"conversations:{name}", kwargs={"community_slug": community.slug, **kwargs})


@pytest.fixture
def mira(member_at):
    person = member_at(Stage.FULL, user__display_name="Mira Patel")
    return person


def test_a_reply_records_the_post_it_answers_and_tells_its_author(
    community, learner, mira, run_on_commit
):
    thread = ThreadFactory(community=community)
    answered = services.reply(actor=mira, thread=thread, body="Start with the falls screen.")
    post = run_on_commit(
        services.reply,
        actor=learner,
        thread=thread,
        body="Which screen do you use at night?",
        reply_to=answered.pk,
    )
    assert post.reply_to == answered
    note = Notification.objects.get(recipient=mira, kind=Notification.Kind.REPLY)
    assert note.text.startswith(f"{learner.name} replied to your post")


def test_a_reply_cannot_answer_a_post_of_another_thread_or_a_hidden_one(community, learner, mira):
    thread = ThreadFactory(community=community)
    elsewhere = PostFactory(thread=ThreadFactory(community=community), author=mira)
    hidden = PostFactory(thread=thread, author=mira, hidden_at=timezone.now())
    for target in (elsewhere.pk, hidden.pk, "x"):
        with pytest.raises(ValidationError) as error:
            services.reply(actor=learner, thread=thread, body="A reply.", reply_to=target)
        assert "reply_to" in error.value.message_dict
    assert not Post.objects.filter(body="A reply.").exists()


def test_the_thread_shows_in_reply_to_with_a_link_back_and_a_collapsed_excerpt(
    client, community, learner, mira
):
    thread = ThreadFactory(community=community)
    answered = services.reply(
        actor=mira, thread=thread, body="**Start** with the falls screen on admission."
    )
    post = services.reply(actor=learner, thread=thread, body="Thank you.", reply_to=answered.pk)
    html = client.get(thread.get_absolute_url()).content.decode()
    reply_html = html.split(f'id="post-{post.pk}"')[1]
    assert f'<a href="#post-{answered.pk}">In reply to Mira Patel</a>' in reply_html
    assert "<summary>Show what Mira Patel wrote</summary>" in reply_html
    # The excerpt is plain text: no raw Markdown and no HTML from the answered post.
    assert "<blockquote>Start with the falls screen on admission.</blockquote>" in reply_html


def test_a_reply_to_a_post_on_an_earlier_page_links_through_the_permalink(
    client, community, learner, mira
):
    thread = ThreadFactory(community=community)
    answered = services.reply(actor=mira, thread=thread, body="An early answer.")
    for _ in range(POSTS_PER_PAGE):
        PostFactory(thread=thread, author=MembershipFactory(community=community).user)
    post = services.reply(actor=learner, thread=thread, body="Late reply.", reply_to=answered)
    html = client.get(thread.get_absolute_url() + "?page=2").content.decode()
    permalink = url("post", community, post_id=answered.pk)
    assert (
        f'<a href="{permalink}">In reply to Mira Patel</a>' in html.split(f'id="post-{post.pk}"')[1]
    )
    response = client.get(permalink)
    assert response.status_code == 302
    assert response["Location"] == f"{thread.get_absolute_url()}#post-{answered.pk}"
    later = client.get(url("post", community, post_id=post.pk))
    assert later["Location"] == f"{thread.get_absolute_url()}?page=2#post-{post.pk}"


def test_a_deleted_answered_post_shows_no_excerpt(client, community, learner, mira):
    thread = ThreadFactory(community=community)
    answered = services.reply(actor=mira, thread=thread, body="Something I regret saying.")
    services.reply(actor=learner, thread=thread, body="Disagree.", reply_to=answered)
    services.delete_post(actor=mira, post=answered)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "This post was deleted by its author." in html
    assert html.count("Something I regret saying.") == 0


def test_reply_link_and_form_work_without_javascript(client, community, learner, mira):
    thread = ThreadFactory(community=community)
    answered = services.reply(actor=mira, thread=thread, body="Use the bed alarm.")
    client.force_login(learner)
    page = client.get(thread.get_absolute_url() + f"?reply_to={answered.pk}").content.decode()
    assert f'href="?reply_to={answered.pk}#reply"' in page
    assert f'name="reply_to" id="id_reply_to" value="{answered.pk}"' in page
    assert "Replying to <strong data-replying-to-name>Mira Patel</strong>" in page

    response = client.post(
        url("thread-reply", community, thread_id=thread.pk),
        {"body": "Which alarm?", "reply_to": answered.pk},
    )
    assert response.status_code == 302
    assert Post.objects.get(body="Which alarm?").reply_to == answered


def test_a_refused_reply_keeps_the_post_it_answered(client, community, learner, mira):
    thread = ThreadFactory(community=community)
    answered = services.reply(actor=mira, thread=thread, body="Use the bed alarm.")
    client.force_login(learner)
    response = client.post(
        url("thread-reply", community, thread_id=thread.pk), {"body": "", "reply_to": answered.pk}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert f'value="{answered.pk}" data-reply-to-field' in html
    assert "Replying to <strong data-replying-to-name>Mira Patel</strong>" in html


def test_a_quote_links_to_the_quoted_post_and_answers_it(client, community, learner, mira):
    thread = ThreadFactory(community=community)
    answered = services.reply(actor=mira, thread=thread, body="Use the bed alarm.")
    client.force_login(learner)
    page = client.get(thread.get_absolute_url() + f"?quote={answered.pk}").content.decode()
    permalink = url("post", community, post_id=answered.pk)
    assert f"&gt; — [@{mira.username}]({permalink})" in page
    assert f'value="{answered.pk}" data-reply-to-field' in page
    quoted = services.reply(
        actor=learner,
        thread=thread,
        body=f"> Use the bed alarm.\n>\n> — [@{mira.username}]({permalink})\n\nWhich one?",
        reply_to=answered,
    )
    assert f'<a href="{permalink}" rel="noopener noreferrer nofollow">@{mira.username}</a>' in (
        quoted.body_html
    )


def test_replies_to_posts_add_no_query_to_the_thread_page(
    client, community, learner, django_assert_max_num_queries
):
    def thread_of(posts: int, *, replies: bool):
        thread = ThreadFactory(community=community)
        previous = None
        for _ in range(posts):
            previous = PostFactory(
                thread=thread,
                author=MembershipFactory(community=community).user,
                body="A useful reply about night checks.",
                reply_to=previous if replies else None,
            )
        return thread

    flat = thread_of(POSTS_PER_PAGE * 2, replies=False)
    answering = thread_of(POSTS_PER_PAGE * 2, replies=True)
    client.force_login(learner)
    with django_assert_max_num_queries(30) as baseline:
        assert client.get(flat.get_absolute_url() + "?page=2").status_code == 200
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        html = client.get(answering.get_absolute_url() + "?page=2").content.decode()
    assert html.count("In reply to") == POSTS_PER_PAGE
