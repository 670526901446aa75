import pytest
from django.core.exceptions import ValidationError

from practica.communities.capabilities import CapabilityDenied
from practica.communities.models import Community, GuardMode
from practica.communities.stages import Stage
from practica.conversations import services
from practica.conversations.models import (
    ConversationSettings,
    Flag,
    HelpfulMark,
    Post,
    PostRevision,
    Thread,
    ThreadKind,
    ThreadStatus,
    Watch,
)
from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.conversations.trajectory import (
    accepted_answers,
    contributions,
    helpful_marks_received,
    helpful_or_accepted,
)
from practica.notifications.models import Notification
from practica.privacy.models import GuardLog
from practica.tests.factories import MembershipFactory, TopicFactory

pytestmark = pytest.mark.django_db

BODY = "We use ISBAR at handover but night staff say it takes too long. What works for you?"


def ask(actor, community, **kwargs):
    data = {"kind": ThreadKind.QUESTION, "title": "How do you keep handover short?", "body": BODY}
    data.update(kwargs)
    return services.start_thread(actor=actor, community=community, **data)


def test_learner_asks_a_question_with_topics_and_watches_it(community, learner):
    topic = TopicFactory(community=community)
    thread = ask(learner, community, topics=[topic])
    assert thread.status == ThreadStatus.PUBLISHED
    assert list(thread.topics.all()) == [topic]
    opening = thread.posts.get()
    assert opening.is_opening and "<p>" in opening.body_html
    assert opening.is_first_contribution
    assert Watch.objects.filter(user=learner, thread=thread).exists()
    assert PostRevision.objects.filter(post=opening).count() == 1


def test_learner_cannot_start_a_discussion(community, learner):
    with pytest.raises(CapabilityDenied, match="Participants and above"):
        ask(learner, community, kind=ThreadKind.DISCUSSION)
    assert not Thread.objects.exists()


def test_visitor_cannot_ask(community, user):
    with pytest.raises(CapabilityDenied):
        ask(user, community)


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("", BODY, "title"),
        ("Short", BODY, "title"),
        ("x" * 201, BODY, "title"),
        ("A perfectly good title", "", "body"),
        ("A perfectly good title", "   ", "body"),
        ("A perfectly good title", "x" * 20_001, "body"),
        ("A perfectly good title", ">" * 40 + " deep", "body"),
        ("A perfectly good title", "\n".join("| a | b |" for _ in range(400)), "body"),
        ("A perfectly good title", "|" + " x |" * 60, "body"),
    ],
)
def test_bad_titles_and_bodies_are_refused_and_nothing_is_saved(
    community, learner, title, body, field
):
    with pytest.raises(ValidationError) as error:
        ask(learner, community, title=title, body=body)
    assert field in error.value.message_dict
    assert not Thread.objects.exists() and not Post.objects.exists()


def test_script_injection_is_rendered_as_text(community, learner):
    thread = ask(
        learner, community, body='<script>alert("x")</script> <img src=x onerror=alert(1)>'
    )
    html = thread.posts.get().body_html
    assert "<script" not in html and "onerror" not in html.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;" in html


def test_unknown_topic_is_refused(community, learner):
    other = TopicFactory()  # another community's topic
    with pytest.raises(ValidationError, match="unknown"):
        ask(learner, community, topics=[other])
    assert not Thread.objects.exists()


def test_reply_to_locked_or_hidden_thread_is_refused(community, learner, steward):
    thread = ask(steward, community)
    services.set_locked(actor=steward, thread=thread, locked=True)
    with pytest.raises(ValidationError, match="locked"):
        services.reply(actor=learner, thread=thread, body="Any update?")
    services.set_locked(actor=steward, thread=thread, locked=False)
    services.hide_post(actor=steward, post=thread.posts.get(), reason="Duplicate question.")
    with pytest.raises(ValidationError, match="hidden"):
        services.reply(actor=learner, thread=thread, body="Any update?")
    assert thread.posts.count() == 1


def test_reply_counts_and_mentions_notify(community, learner, full_member, run_on_commit):
    thread = ask(learner, community)
    post = run_on_commit(
        services.reply,
        actor=full_member,
        thread=thread,
        body=f"Try a printed ISBAR card, @{learner.username}.",
    )
    thread.refresh_from_db()
    assert thread.reply_count == 1
    assert f'href="/people/{learner.username}/"' in post.body_html
    note = Notification.objects.get(recipient=learner)
    assert note.kind == Notification.Kind.MENTION


def test_watchers_hear_about_replies(community, learner, full_member, participant, run_on_commit):
    thread = ask(learner, community)
    run_on_commit(services.reply, actor=full_member, thread=thread, body="First answer here.")
    assert Notification.objects.filter(recipient=learner, kind="reply").count() == 1
    services.set_watching_thread(actor=participant, thread=thread, watching=True)
    run_on_commit(services.reply, actor=learner, thread=thread, body="Thanks, that helps.")
    assert Notification.objects.filter(recipient=participant, kind="reply").count() == 1
    assert Notification.objects.filter(recipient=full_member, kind="reply").count() == 1


def test_topic_watchers_hear_about_new_threads(community, learner, full_member, run_on_commit):
    topic = TopicFactory(community=community)
    services.set_watching_topic(actor=full_member, topic=topic, watching=True)
    run_on_commit(ask, learner, community, topics=[topic])
    assert Notification.objects.filter(recipient=full_member, kind="reply").exists()


def test_marking_your_own_post_helpful_is_refused(community, learner):
    thread = ask(learner, community)
    with pytest.raises(ValidationError, match="your own post"):
        services.mark_helpful(actor=learner, post=thread.posts.get())
    assert not HelpfulMark.objects.exists()


def test_helpful_mark_once_per_member(community, learner, full_member):
    thread = ask(learner, community)
    post = thread.posts.get()
    assert services.mark_helpful(actor=full_member, post=post) is True
    assert services.mark_helpful(actor=full_member, post=post) is False
    post.refresh_from_db()
    thread.refresh_from_db()
    assert post.helpful_count == 1 and thread.helpful_count == 1
    services.unmark_helpful(actor=full_member, post=post)
    post.refresh_from_db()
    assert post.helpful_count == 0


def test_asker_accepts_an_answer_even_as_a_learner(community, learner, full_member, run_on_commit):
    thread = ask(learner, community)
    answer = services.reply(actor=full_member, thread=thread, body="Use the SBAR card.")
    run_on_commit(services.accept_answer, actor=learner, post=answer)
    thread.refresh_from_db()
    assert thread.accepted_post == answer
    assert Notification.objects.filter(recipient=full_member, kind="accepted").exists()


def test_accepting_without_the_capability_is_refused(community, learner, participant, full_member):
    thread = ask(full_member, community)
    answer = services.reply(actor=learner, thread=thread, body="Maybe a checklist?")
    with pytest.raises(CapabilityDenied, match="Full members and above may accept answers"):
        services.accept_answer(actor=participant, post=answer)
    thread.refresh_from_db()
    assert thread.accepted_post is None


def asked_days_ago(thread, days):
    from datetime import timedelta

    from django.utils import timezone

    Thread.objects.filter(pk=thread.pk).update(
        published_at=timezone.now() - timedelta(days=days, minutes=1)
    )
    thread.refresh_from_db()
    return thread


def test_full_member_cannot_accept_while_the_asker_still_has_their_days(
    community, learner, full_member, steward
):
    thread = ask(learner, community)
    answer = services.reply(actor=steward, thread=thread, body="Here is how we do it.")
    with pytest.raises(CapabilityDenied, match="The asker chooses the accepted answer. If they"):
        services.accept_answer(actor=full_member, post=answer)
    with pytest.raises(CapabilityDenied, match="within 7 days"):
        services.accept_answer(actor=steward, post=answer)
    assert Thread.objects.get(pk=thread.pk).accepted_post_id is None


def test_full_member_accepts_once_the_asker_has_not_within_the_community_days(
    community, learner, full_member, steward
):
    ConversationSettings.objects.create(community=community, accept_after_days=3)
    thread = ask(learner, community)
    answer = services.reply(actor=steward, thread=thread, body="Here is how we do it.")
    thread = asked_days_ago(thread, 2)
    with pytest.raises(CapabilityDenied, match="within 3 days"):
        services.accept_answer(actor=full_member, post=answer)
    thread = asked_days_ago(thread, 3)
    answer.thread = thread
    services.accept_answer(actor=full_member, post=answer)
    thread.refresh_from_db()
    assert (thread.accepted_post_id, thread.accepted_by) == (answer.pk, full_member)
    # The asker may still change what someone else chose for them.
    services.unaccept_answer(actor=learner, thread=thread)
    assert Thread.objects.get(pk=thread.pk).accepted_post_id is None


def test_nobody_else_changes_the_askers_choice(community, learner, full_member, steward):
    thread = ask(learner, community)
    answer = services.reply(actor=steward, thread=thread, body="Here is how we do it.")
    other = services.reply(actor=full_member, thread=thread, body="We do it differently.")
    services.accept_answer(actor=learner, post=answer)
    thread = asked_days_ago(Thread.objects.get(pk=thread.pk), 30)
    other.thread = thread
    with pytest.raises(CapabilityDenied, match="The asker chose this answer"):
        services.accept_answer(actor=steward, post=other)
    with pytest.raises(CapabilityDenied, match="The asker chose this answer"):
        services.unaccept_answer(actor=full_member, thread=thread)
    assert Thread.objects.get(pk=thread.pk).accepted_post_id == answer.pk


def test_discussions_have_no_accepted_answer(community, participant, full_member):
    thread = ask(participant, community, kind=ThreadKind.DISCUSSION)
    post = services.reply(actor=full_member, thread=thread, body="Agreed.")
    with pytest.raises(ValidationError, match="Only questions"):
        services.accept_answer(actor=participant, post=post)


def test_edit_keeps_history(community, learner):
    thread = ask(learner, community)
    post = thread.posts.get()
    services.edit_post(actor=learner, post=post, body=BODY + " Edited.", title="A new better title")
    assert post.revisions.count() == 2
    thread.refresh_from_db()
    assert thread.title == "A new better title"
    assert post.edited_at is not None


def test_others_cannot_edit_but_stewards_can(community, learner, full_member, steward):
    thread = ask(learner, community)
    post = thread.posts.get()
    with pytest.raises(CapabilityDenied):
        services.edit_post(actor=full_member, post=post, body="Rewritten by someone else.")
    services.edit_post(actor=steward, post=post, body="Tidied by a steward.")
    assert post.revisions.last().editor == steward


def test_author_deletes_own_reply_but_not_the_accepted_answer(community, learner, full_member):
    thread = ask(learner, community)
    first = services.reply(actor=full_member, thread=thread, body="Answer one.")
    second = services.reply(actor=full_member, thread=thread, body="Answer two.")
    services.accept_answer(actor=learner, post=first)
    thread.refresh_from_db()
    first.thread = thread
    with pytest.raises(ValidationError, match="accepted answer"):
        services.delete_post(actor=full_member, post=first)
    second.thread = thread
    services.delete_post(actor=full_member, post=second)
    thread.refresh_from_db()
    assert thread.reply_count == 1
    with pytest.raises(ValidationError, match="Only the author"):
        services.delete_post(actor=learner, post=first)


def test_thread_with_others_replies_cannot_be_deleted(community, learner, full_member):
    thread = ask(learner, community)
    services.reply(actor=full_member, thread=thread, body="An answer.")
    with pytest.raises(ValidationError, match="Others have replied"):
        services.delete_post(actor=learner, post=thread.posts.get(is_opening=True))


def test_rate_limit_has_a_clear_message(community, learner, run_on_commit):
    ConversationSettings.objects.create(community=community, posts_per_ten_minutes=2)
    thread = run_on_commit(ask, learner, community)
    run_on_commit(services.reply, actor=learner, thread=thread, body="Adding a detail.")
    community = Community.objects.get(pk=community.pk)
    thread.community = community
    with pytest.raises(ValidationError, match="limit. Please wait"):
        services.reply(actor=learner, thread=thread, body="And another.")
    assert thread.posts.count() == 2


def test_guard_warns_then_logs_confirmation(community, learner):
    body = "Mr Jones, DOB 03/04/1941, fell at 02:00 — what do we do next?"
    with pytest.raises(services.PatientDataFound) as found:
        ask(learner, community, body=body)
    assert not found.value.blocked
    assert not Thread.objects.exists()
    assert GuardLog.objects.get().decision == GuardLog.Decision.WARNED
    thread = ask(learner, community, body=body, confirm_guard=True)
    log = GuardLog.objects.get(decision=GuardLog.Decision.CONFIRMED)
    assert log.target == thread.posts.get() and log.kinds == ["date_of_birth", "patient_name"]
    assert log.where == "question"


def test_guard_blocks_when_the_community_says_so(community, learner):
    community.guard_mode = GuardMode.BLOCK
    community.save()
    with pytest.raises(services.PatientDataFound) as found:
        ask(learner, community, body="NHS number 943 476 5919", confirm_guard=True)
    assert found.value.blocked
    assert not Thread.objects.exists()
    assert GuardLog.objects.get().decision == GuardLog.Decision.BLOCKED


def test_staging_holds_a_learners_first_questions(community, learner, full_member, run_on_commit):
    ConversationSettings.objects.create(
        community=community, staging_enabled=True, staging_question_count=1
    )
    staged = ask(learner, community)
    assert staged.is_staged and staged.staged_at
    second = ask(learner, community, title="A second question for the ward")
    assert not second.is_staged
    with pytest.raises(ValidationError, match="reviewer looks"):
        services.publish_own_staged(actor=learner, thread=staged)
    with pytest.raises(ValidationError, match="staging"):
        services.reply(actor=full_member, thread=staged, body="An answer too soon.")
    services.comment_on_staged(actor=full_member, thread=staged, body="Add what you tried.")
    assert Notification.objects.filter(recipient=learner, kind="mentoring").exists()
    run_on_commit(services.publish_own_staged, actor=learner, thread=staged)
    staged.refresh_from_db()
    assert staged.status == ThreadStatus.PUBLISHED


def test_reviewer_approves_a_staged_question(community, learner, full_member, participant):
    ConversationSettings.objects.create(community=community, staging_enabled=True)
    staged = ask(learner, community)
    with pytest.raises(CapabilityDenied):
        services.approve_staged(actor=participant, thread=staged)
    services.approve_staged(actor=full_member, thread=staged)
    staged.refresh_from_db()
    assert staged.status == ThreadStatus.PUBLISHED


def test_flag_then_hide_tells_the_author(community, learner, participant, steward):
    thread = ask(learner, community)
    post = services.reply(actor=participant, thread=thread, body="Just double the dose.")
    with pytest.raises(ValidationError, match="own post"):
        services.flag_post(actor=participant, post=post, reason="unsafe")
    flag = services.flag_post(actor=learner, post=post, reason="unsafe")
    with pytest.raises(ValidationError, match="already flagged"):
        services.flag_post(actor=learner, post=post, reason="unsafe")
    with pytest.raises(CapabilityDenied):
        services.hide_post(actor=participant, post=post, reason="No")
    services.hide_post(actor=steward, post=post, reason="Unsafe dosing advice.")
    flag.refresh_from_db()
    assert flag.status == Flag.Status.ACTIONED
    note = Notification.objects.get(recipient=participant, kind="moderation")
    assert "Unsafe dosing advice." in note.text


def test_move_thread_needs_moderation_in_both_communities(community, learner, steward):
    other = MembershipFactory(user=steward, stage=Stage.STEWARD).community
    elsewhere = MembershipFactory(stage=Stage.PERIPHERAL).community
    thread = ask(learner, community, topics=[TopicFactory(community=community)])
    with pytest.raises(CapabilityDenied):
        services.move_thread(actor=steward, thread=thread, to_community=elsewhere)
    services.move_thread(actor=steward, thread=thread, to_community=other)
    thread.refresh_from_db()
    assert thread.community == other and not thread.topics.exists()


def test_profession_endorsement_where_enabled(community, learner, full_member, steward):
    from practica.people.models import Profession

    full_member.profession = Profession.PHARMACIST
    full_member.save()
    thread = ask(learner, community)
    answer = services.reply(actor=steward, thread=thread, body="Check the renal dose.")
    with pytest.raises(ValidationError, match="not turned on"):
        services.endorse_answer(actor=full_member, post=answer)
    ConversationSettings.objects.create(community=community, profession_endorsements=True)
    thread.community = Community.objects.get(pk=community.pk)
    endorsement = services.endorse_answer(actor=full_member, post=answer)
    assert endorsement.profession == "pharmacist"


def test_progression_sources_count_shown_contributions(community, learner, full_member, steward):
    membership = learner.memberships.get()
    thread = ask(learner, community)
    services.reply(actor=learner, thread=thread, body="More detail.")
    answer_thread = ask(full_member, community, title="Another question for learners")
    answer = services.reply(actor=learner, thread=answer_thread, body="My answer.")
    services.mark_helpful(actor=full_member, post=answer)
    services.accept_answer(actor=full_member, post=answer)
    assert contributions(membership) == 3
    assert helpful_marks_received(membership) == 1
    assert accepted_answers(membership) == 1
    assert helpful_or_accepted(membership) == 2
    services.hide_post(actor=steward, post=thread.posts.get(is_opening=True), reason="Spam.")
    assert contributions(membership) == 1  # the hidden thread's posts no longer count


def test_progression_sources_are_registered():
    from practica.communities.models import CriterionKind
    from practica.communities.progression_sources import source_for

    assert source_for(CriterionKind.CONTRIBUTIONS) is contributions
    assert source_for(CriterionKind.ACCEPTED_ANSWERS) is accepted_answers
    assert source_for(CriterionKind.HELPFUL_MARKS) is helpful_marks_received
    assert source_for(CriterionKind.HELPFUL_OR_ACCEPTED) is helpful_or_accepted


def test_a_post_asks_for_re_evaluation(community, learner, monkeypatch, run_on_commit):
    seen = []
    import practica.communities.services.progression as progression

    monkeypatch.setattr(progression, "request_evaluation", lambda pk: seen.append(pk))
    run_on_commit(ask, learner, community)
    assert seen == [learner.memberships.get().pk]


def test_factories_make_readable_threads():
    thread = ThreadFactory()
    PostFactory(thread=thread)
    assert thread.posts.count() == 2
