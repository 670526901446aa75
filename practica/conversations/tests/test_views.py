import pytest
from django.urls import reverse

from practica.communities.stages import Stage
from practica.conversations.models import (
    ConversationSettings,
    HelpfulMark,
    Thread,
    ThreadKind,
)
from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.privacy.models import GuardLog
from practica.tests.factories import MembershipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, community, **kwargs):
    return reverse(f"conversations:{name}", kwargs={"community_slug": community.slug, **kwargs})


def test_list_page_is_the_contract_url(client, community):
    ThreadFactory(community=community, title="Falls after night sedation")
    response = client.get(f"/c/{community.slug}/conversations/")
    assert response.status_code == 200
    assert "Falls after night sedation" in response.content.decode()


def test_list_filters_kind_topic_solved_unanswered_and_mine(client, community, learner):
    topic = TopicFactory(community=community, slug="falls-prevention")
    mine = ThreadFactory(community=community, author=learner, title="My own question here")
    mine.topics.add(topic)
    discussion = ThreadFactory(
        community=community, kind=ThreadKind.DISCUSSION, title="A discussion thread"
    )
    solved = ThreadFactory(community=community, title="A solved question here")
    answer = PostFactory(thread=solved)
    solved.accepted_post = answer
    solved.reply_count = 1
    solved.save()
    client.force_login(learner)
    base = url("list", community)

    def titles(query):
        html = client.get(f"{base}?{query}").content.decode()
        return {t.title for t in (mine, discussion, solved) if t.title in html}

    assert titles("kind=discussion") == {"A discussion thread"}
    assert titles("topic=falls-prevention") == {"My own question here"}
    assert titles("solved=yes") == {"A solved question here"}
    assert titles("solved=no") == {"My own question here"}
    assert titles("unanswered=1") == {"My own question here"}
    assert titles("mine=1") == {"My own question here"}


@pytest.mark.parametrize("topic", ["'", "<b>", "a b", "x" * 300, "%00"])
def test_list_with_a_topic_that_is_not_one_shows_the_list(client, community, learner, topic):
    TopicFactory(community=community, slug="falls-prevention")
    ThreadFactory(community=community, title="Falls after night sedation")
    client.force_login(learner)
    response = client.get(url("list", community), {"topic": topic})
    assert response.status_code == 200
    assert "Falls after night sedation" in response.content.decode()


def test_list_hides_staged_hidden_and_deleted_threads(client, community):
    from django.utils import timezone

    ThreadFactory(community=community, title="Staged question title", status="staged")
    ThreadFactory(community=community, title="Hidden question title", hidden_at=timezone.now())
    ThreadFactory(community=community, title="Deleted question title", deleted_at=timezone.now())
    html = client.get(url("list", community)).content.decode()
    assert "Staged question" not in html and "Hidden question" not in html
    assert "Deleted question" not in html
    assert "No conversations yet" in html


def test_list_htmx_returns_the_results_fragment(client, community):
    ThreadFactory(community=community, title="Pressure injury checks")
    response = client.get(url("list", community), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="results"' in html and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("posts", [5, 200])
def test_thread_page_runs_a_constant_number_of_queries(
    client, community, learner, posts, django_assert_max_num_queries
):
    thread = ThreadFactory(community=community)
    for _ in range(posts - 1):
        PostFactory(thread=thread, author=MembershipFactory(community=community).user)
    client.force_login(learner)
    with django_assert_max_num_queries(25):
        response = client.get(thread.get_absolute_url())
    assert response.status_code == 200
    with django_assert_max_num_queries(25):
        client.get(thread.get_absolute_url() + "?page=3")


@pytest.mark.parametrize("threads", [5, 200])
def test_list_page_runs_a_constant_number_of_queries(
    client, community, learner, threads, django_assert_max_num_queries
):
    topic = TopicFactory(community=community)
    for _ in range(threads):
        thread = ThreadFactory(
            community=community, author=MembershipFactory(community=community).user
        )
        thread.topics.add(topic)
    client.force_login(learner)
    with django_assert_max_num_queries(15):
        response = client.get(url("list", community) + "?sort=helpful")
    assert response.status_code == 200


def test_ask_flow_posts_and_redirects(client, community, learner):
    client.force_login(learner)
    response = client.post(
        url("ask", community),
        {"title": "How long do you wait before rechecking a NEWS2 of 5?", "body": "Details."},
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == thread.get_absolute_url()
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "first post here, as a learner" in page
    assert 'class="lanyard"' in page


def test_ask_form_keeps_what_was_typed_on_error(client, community, learner):
    client.force_login(learner)
    response = client.post(url("ask", community), {"title": "Short", "body": "My typed details"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "My typed details" in html and "at least 8 characters" in html
    assert 'data-draft-key="practica-draft:' in html
    assert not Thread.objects.exists()


def test_ask_form_shows_the_guard_warning_with_highlights(client, community, learner):
    client.force_login(learner)
    data = {"title": "Falls overnight on the ward", "body": "Mrs Smith DOB 01/02/1940 fell."}
    response = client.post(url("ask", community), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert '<mark class="guard-mark"' in html and "I have checked" in html
    assert GuardLog.objects.filter(decision="warned").count() == 1
    response = client.post(url("ask", community), {**data, "confirm_guard": "on"})
    assert response.status_code == 302


def test_learner_gets_403_with_reason_for_start_discussion(client, community, learner):
    client.force_login(learner)
    response = client.get(url("start", community))
    assert response.status_code == 403
    assert "Participants and above may start discussions" in response.content.decode()


def test_unknown_topic_in_the_form_is_refused(client, community, learner):
    client.force_login(learner)
    other = TopicFactory()
    response = client.post(
        url("ask", community),
        {"title": "A question with a foreign topic", "body": "Text.", "topics": [other.pk]},
    )
    assert response.status_code == 422
    assert "list" in response.content.decode()
    assert not Thread.objects.exists()


def test_reply_to_locked_thread_shows_a_clear_message(client, community, learner):
    thread = ThreadFactory(community=community, is_locked=True)
    client.force_login(learner)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "locked by a steward" in page
    response = client.post(url("thread-reply", community, thread_id=thread.pk), {"body": "Hi"})
    assert response.status_code == 422
    assert "locked by a steward" in response.content.decode()


def test_helpful_by_htmx_and_plain_post(client, community, learner):
    thread = ThreadFactory(community=community)
    post = PostFactory(thread=thread)
    client.force_login(learner)
    target = url("post-helpful", community, post_id=post.pk)
    response = client.post(target, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="helpful-{post.pk}"' in response.content.decode()
    assert "Helpful · 1" in response.content.decode()
    response = client.post(target, {"undo": "1"})
    assert response.status_code == 302
    assert not HelpfulMark.objects.exists()


def test_marking_own_post_by_htmx_says_why(client, community, learner):
    thread = ThreadFactory(community=community)
    post = PostFactory(thread=thread, author=learner)
    client.force_login(learner)
    response = client.post(
        url("post-helpful", community, post_id=post.pk), headers={"HX-Request": "true"}
    )
    assert "cannot mark your own post" in response.content.decode()


def test_accepting_without_capability_is_403(client, community, participant):
    thread = ThreadFactory(community=community)
    post = PostFactory(thread=thread)
    client.force_login(participant)
    response = client.post(url("post-accept", community, post_id=post.pk))
    assert response.status_code == 403
    assert "accept answers" in response.content.decode()


def test_the_accept_button_follows_the_askers_days_and_the_mark_says_who_chose(
    client, community, learner, full_member
):
    from datetime import timedelta

    from django.utils import timezone

    thread = ThreadFactory(community=community, author=learner)
    answer = PostFactory(thread=thread, author=full_member)
    page = url("thread", community, thread_id=thread.pk)
    client.force_login(full_member)
    assert "Accept this answer" not in client.get(page).content.decode()
    response = client.post(url("post-accept", community, post_id=answer.pk))
    assert response.status_code == 403
    assert "The asker chooses the accepted answer" in response.content.decode()
    client.force_login(learner)
    assert "Accept this answer" in client.get(page).content.decode()

    Thread.objects.filter(pk=thread.pk).update(published_at=timezone.now() - timedelta(days=8))
    client.force_login(full_member)
    assert "Accept this answer" in client.get(page).content.decode()
    assert client.post(url("post-accept", community, post_id=answer.pk)).status_code == 302
    html = client.get(page).content.decode()
    assert f'chosen by <a href="/people/{full_member.username}/">{full_member.name}</a>' in html
    assert "as the asker had not chosen" in html
    client.force_login(learner)
    client.post(url("post-accept", community, post_id=answer.pk))
    assert "chosen by the asker" in client.get(page).content.decode()


def test_edit_and_history_show_a_word_diff(client, community, learner):
    client.force_login(learner)
    client.post(
        url("ask", community),
        {"title": "Pressure area checks overnight", "body": "We turn every two hours."},
    )
    post = Thread.objects.get().posts.get()
    response = client.post(
        url("post-edit", community, post_id=post.pk),
        {"title": "Pressure area checks overnight", "body": "We turn every four hours."},
    )
    assert response.status_code == 302
    html = client.get(url("post-history", community, post_id=post.pk)).content.decode()
    assert "<del>two</del>" in html and "<ins>four</ins>" in html


def test_similar_json_contract(client, community, run_on_commit, learner):
    from practica.conversations import services

    run_on_commit(
        services.start_thread,
        actor=learner,
        community=community,
        kind="question",
        title="Medication reconciliation at discharge",
        body="Who checks the discharge medicines list against the admission list?",
    )
    response = client.get(
        url("similar-json", community), {"title": "discharge medication reconciliation", "limit": 3}
    )
    results = response.json()["results"]
    assert len(results) == 1
    assert set(results[0]) == {"id", "external_id", "title", "url", "score"}
    assert results[0]["url"] == Thread.objects.get().get_absolute_url()


def test_similar_fragment_for_the_ask_form(client, community, run_on_commit, learner):
    from practica.conversations import services

    run_on_commit(
        services.start_thread,
        actor=learner,
        community=community,
        kind="question",
        title="Falls risk assessment on admission",
        body="Which tool do you use?",
    )
    response = client.get(url("similar-fragment", community), {"title": "falls risk tool"})
    html = response.content.decode()
    assert 'id="similar-questions"' in html and "Falls risk assessment" in html


def test_moderation_queue_needs_a_steward(client, community, full_member, steward):
    client.force_login(full_member)
    assert client.get(url("moderation", community)).status_code == 403
    client.force_login(steward)
    assert client.get(url("moderation", community)).status_code == 200


def test_staged_question_is_private_to_asker_and_reviewers(
    client, community, learner, participant, full_member
):
    ConversationSettings.objects.create(community=community, staging_enabled=True)
    client.force_login(learner)
    client.post(url("ask", community), {"title": "My first staged question", "body": "Details."})
    thread = Thread.objects.get()
    assert thread.is_staged
    assert client.get(thread.get_absolute_url()).status_code == 200
    client.force_login(participant)
    assert client.get(thread.get_absolute_url()).status_code == 404
    client.force_login(full_member)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Approve and publish" in page


def test_mention_members_json(client, community, learner):
    member = MembershipFactory(community=community, stage=Stage.FULL).user
    client.force_login(learner)
    response = client.get(url("mention-members", community), {"q": member.username[:4]})
    assert member.username in {m["username"] for m in response.json()["results"]}


def test_a_moved_threads_old_address_redirects_permanently(client, community, learner):
    from practica.communities.models import Visibility
    from practica.tests.factories import CommunityFactory

    thread = ThreadFactory(community=community, title="Moved to where it belongs")
    other = CommunityFactory()
    Thread.objects.filter(pk=thread.pk).update(community=other)
    old = url("thread", community, thread_id=thread.pk)
    response = client.get(f"{old}?page=2")
    assert response.status_code == 301
    assert response["Location"] == f"/c/{other.slug}/conversations/{thread.pk}/?page=2"
    assert client.get(response["Location"].split("?")[0]).status_code == 200
    # Moved somewhere the reader may not go: as missing as a thread that never was.
    other.visibility = Visibility.PRIVATE
    other.save()
    assert client.get(old).status_code == 404
    assert client.get(url("thread", community, thread_id=thread.pk + 999)).status_code == 404


def test_mention_autocomplete_is_only_for_members_who_may_post(client, community):
    MembershipFactory(community=community, user__display_name="Olive Okafor")
    mentions = url("mention-members", community)
    response = client.get(mentions, {"q": "Olive"})
    assert response.status_code == 403
    assert b"Olive" not in response.content
    client.force_login(UserFactory())  # signed in, not a member
    assert client.get(mentions, {"q": "Olive"}).status_code == 403


def test_mention_autocomplete_leaves_out_members_who_opted_out_of_the_directory(
    client, community, learner
):
    MembershipFactory(community=community, user__display_name="Olive Okafor")
    MembershipFactory(
        community=community, user__display_name="Olive Hidden", user__show_in_directory=False
    )
    client.force_login(learner)
    names = {
        m["name"]
        for m in client.get(url("mention-members", community), {"q": "Olive"}).json()["results"]
    }
    assert names == {"Olive Okafor"}


def test_mention_autocomplete_lists_nobody_for_an_empty_query(client, community, learner):
    MembershipFactory.create_batch(3, community=community)
    client.force_login(learner)
    for q in ["", "@", "   "]:
        assert client.get(url("mention-members", community), {"q": q}).json() == {"results": []}
