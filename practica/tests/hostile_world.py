"""A small world for the hostile-input sweep: one of each kind of object a URL names.

The sweep needs every route to reach its view with objects that exist (else most views stop
at their 404 and the hostile parameters are never read). The full demo is far bigger than
that and slow to seed, so this builds one community with one thread, article, event, module,
bulletin issue and so on, through the services where they exist so the rows are as real as
the demo's. `url_values()` names, for each URL argument of the URL conf, the value that
points at the seeded object; `practica.tests.test_hostile_input` checks that every argument
of every route has one, so a new route cannot slip past the sweep unseeded.
"""

from __future__ import annotations

import dataclasses
import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from practica.api import tokens
from practica.api.models import TokenScope
from practica.communities.models import Visibility
from practica.communities.stages import Stage
from practica.conversations.models import ThreadKind
from practica.conversations.services import moderation, threads
from practica.tests.factories import (
    CommunityFactory,
    MembershipFactory,
    TopicFactory,
    UserFactory,
)

PASSWORD = "correct horse battery staple"


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(out, "PNG")
    return out.getvalue()


def seed_world() -> dict:
    """Seed the world; returns the people and the URL argument values (see url_values)."""
    from practica.badges.tests.factories import module_badge
    from practica.bulletin import tokens as bulletin_tokens
    from practica.bulletin.services import publication, subscriptions
    from practica.bulletin.tests.factories import BulletinFactory
    from practica.communities.models import (
        JoinRequest,
        Mentorship,
        ProgressionRule,
        PromotionRequest,
    )
    from practica.communities.services import membership as membership_services
    from practica.communities.services import progression
    from practica.communities.services.proposals import propose_community
    from practica.conversations.models import Flag, FlagReason
    from practica.events import services as event_services
    from practica.evidence.services import edits, proposals, summaries
    from practica.evidence.services.edits import SummaryText
    from practica.evidence.tests.test_services import summary_input
    from practica.learning.models import Feedback
    from practica.learning.services import assessment as assessment_services
    from practica.learning.tests.factories import make_module
    from practica.library.services import articles, collections, glossary, references
    from practica.library.services import proposals as article_proposals
    from practica.library.services.resources import add_resource
    from practica.notifications.models import Notification
    from practica.privacy.models import GuardLog

    ward = CommunityFactory(name="Ward care", slug="ward")
    CommunityFactory(name="Night shift", slug="night", visibility=Visibility.PRIVATE)
    topic = TopicFactory(community=ward, name="Falls", slug="falls")
    steward = MembershipFactory(community=ward, stage=Stage.STEWARD).user
    full = MembershipFactory(community=ward, stage=Stage.FULL).user
    learner = MembershipFactory(community=ward, stage=Stage.PERIPHERAL).user
    outsider = UserFactory()

    # Conversations: a question with an edited, flagged reply and a staged question.
    thread = threads.start_thread(
        actor=learner,
        community=ward,
        kind=ThreadKind.QUESTION,
        title="How often do we re-screen for falls?",
        body="After a fall, or weekly?",
        topics=[topic],
    )
    reply = threads.reply(actor=full, thread=thread, body="After every fall, and weekly.")
    threads.edit_post(actor=full, post=reply, body="After every fall, and at least weekly.")
    moderation.flag_post(actor=learner, post=reply, reason=FlagReason.SPAM, note="Odd")
    flag = Flag.objects.get(post=reply)
    threads.reply(
        actor=full,
        thread=thread,
        body="Call NHS number 943 476 5919 about it.",
        confirm_guard=True,
    )
    guard_log = GuardLog.objects.order_by("pk").first()

    # Library: an article with two revisions, a proposed edit, a reference and a comment.
    article = articles.create_article(
        actor=full,
        community=ward,
        title="Falls prevention bundle",
        body="Check the bed height.",
        kind="guide",
        publish=True,
    )
    articles.save_revision(
        actor=full,
        article=article,
        base_revision_id=article.current_revision_id,
        title=article.title,
        summary="",
        body="Check the bed height and the call bell.",
    )
    article.refresh_from_db()
    proposal = article_proposals.propose_edit(
        actor=learner,
        article=article,
        base_revision_id=article.current_revision_id,
        title=article.title,
        summary="",
        body="Check the bed height, the call bell and the lighting.",
    )
    reference = references.add_reference(
        actor=full, article=article, title="Falls in hospital", year=2020, kind="article"
    )
    articles.add_comment(actor=learner, article=article, body="Useful, thank you.")
    upload = SimpleUploadedFile("chart.png", _png(), content_type="image/png")
    resource = add_resource(actor=full, community=ward, title="Falls chart", uploaded=upload)
    collection = collections.create_collection(actor=full, community=ward, title="Falls reading")
    item = collections.add_item(actor=full, collection=collection, article=article)
    term = glossary.save_term(
        actor=full, community=ward, term="ISBAR", definition="A handover structure.", synonyms=[]
    )

    # Evidence: a summary with a proposed edit, and a practice-change proposal.
    summary = summaries.create_summary(actor=full, community=ward, data=summary_input())
    text = SummaryText.of(summary)
    edit = edits.propose_edit(
        actor=learner,
        summary=summary,
        base_revision=summary.revision_count,
        text=dataclasses.replace(text, key_findings="Fewer omissions."),
        edit_summary="Shorter",
    )
    change = proposals.propose_change(
        actor=full, community=ward, title="ISBAR at every handover", change="Use ISBAR."
    )
    decided = proposals.propose_change(
        actor=full, community=ward, title="Falls huddle each morning", change="Huddle at 08:00."
    )
    from practica.evidence.models import Decision

    # Seeded as the decision log stores it (the workflow to adopt is tested in evidence).
    decision = Decision.objects.create(
        community=ward,
        proposal=decided,
        outcome=Decision._meta.get_field("outcome").choices[0][0],
        context="Falls rose over the winter.",
        options_considered="A huddle, or posters.",
        rationale="The huddle reached every shift.",
        decided_by=steward,
    )

    # Events: a weekly journal club that started last week.
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=8)
    event = event_services.create_event(
        actor=full,
        community=ward,
        title="Journal club",
        kind="journal_club",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        timezone_name="Europe/London",
        join_url="https://meet.example.org/room",
        repeat="weekly",
        repeat_until=(start + datetime.timedelta(days=40)).date(),
    )
    occurrence_key = start.strftime("%Y%m%dT%H%M%SZ")

    # Learning: a module with a section, an activity, an assessment, an attempt, feedback
    # and a badge for the learner who completed a one-section module.
    module = make_module(community=ward, author=full, questions=4, per_attempt=2)
    snapshot = module.current_version.snapshot
    attempt = assessment_services.start_attempt(actor=learner, module=module)
    Feedback.objects.create(module=module, author=learner, text="More on night shifts.")
    feedback = Feedback.objects.get(module=module)
    badge_module = make_module(
        community=ward, author=full, title="Badge module", sections=1, activities=0, readings=0
    )
    assertion = module_badge(learner, badge_module)

    # Bulletin: a published issue with an article, and a confirmed subscriber.
    bulletin = BulletinFactory(name="Ward bulletin", slug="ward-bulletin", community=ward)
    publication.add_editor(actor=None, bulletin=bulletin, user=steward)
    issue = publication.create_issue(
        actor=None, bulletin=bulletin, volume=1, number=1, year=2026, month=3
    )
    bulletin_article = publication.create_article(
        actor=None, issue=issue, title="Falls down a third", body="Good news.", topics=["Falls"]
    )
    publication.publish_issue(actor=None, issue=issue)
    subscriber = subscriptions.subscribe(bulletin=bulletin, email="reader@example.net")

    # Membership business: an invitation, a join request, a mentorship, a promotion
    # request, a community proposal, a webhook with a delivery, tokens and a notification.
    invitation = membership_services.invite(
        actor=steward, community=ward, email="invited@example.org"
    )
    join_request = JoinRequest.objects.create(community=ward, user=outsider, message="Hello")
    mentorship = Mentorship.objects.create(community=ward, mentor=full, mentee=learner)
    community_proposal = propose_community(
        actor=steward, name="Theatre care", reason="Care in theatres needs its own place."
    )
    hook, delivery = _webhook(steward, ward)
    api_token = tokens.create_personal_token(
        actor=steward, name="sweep", scope=TokenScope.READ, expires_in_days=7
    )
    note = Notification.objects.create(
        recipient=steward,
        community=ward,
        kind="reply",
        text="A reply",
        url=thread.get_absolute_url(),
    )
    feed = event_services.feed_for(user=steward)
    progression.create_default_rules(actor=steward, community=ward)
    rule = ProgressionRule.objects.filter(community=ward).order_by("from_stage").first()
    promotion = PromotionRequest.objects.create(
        membership=learner.memberships.get(community=ward), rule=rule, to_stage=rule.to_stage
    )

    values = {
        "community_slug": ward.slug,
        "slug": ward.slug,
        "username": learner.username,
        "user_id": steward.pk,
        "thread_id": thread.pk,
        "post_id": reply.pk,
        "flag_id": flag.pk,
        "topic_slug": topic.slug,
        "log_id": guard_log.pk,
        "kind": "post",
        "object_id": reply.pk,
        "article_slug": article.slug,
        "number": article.current_revision.number,
        "proposal_id": proposal.pk,
        "reference_id": reference.pk,
        "fmt": "bib",
        "resource_id": resource.pk,
        "collection_slug": collection.slug,
        "step": 1,
        "item_id": item.pk,
        "term_slug": term.slug,
        "summary_id": summary.pk,
        "edit_id": edit.pk,
        "decision_id": decision.pk,
        "event_id": event.pk,
        "occurrence_key": occurrence_key,
        "module_slug": module.slug,
        "section_id": snapshot["sections"][0]["id"],
        "activity_id": snapshot["activities"][0]["id"],
        "part_id": snapshot["sections"][0]["id"],
        "question_id": module.assessment.questions.order_by("pk").first().pk,
        "attempt_id": attempt.pk,
        "feedback_id": feedback.pk,
        "badge_class_id": assertion.badge_class.pk,
        "badge_class_uid": assertion.badge_class.uid,
        "assertion_uid": assertion.uid,
        "bulletin_slug": bulletin.slug,
        "year": issue.year,
        "month": issue.month,
        "issue_id": issue.pk,
        "article_id": bulletin_article.pk,
        "token": bulletin_tokens.manage_token(subscriber),
        "invitation_id": invitation.pk,
        "request_id": join_request.pk,
        "mentorship_id": mentorship.pk,
        "from_stage": Stage.PERIPHERAL,
        "hook_id": hook.pk,
        "delivery_id": delivery.pk,
        "token_id": api_token.token.pk,
        "notification_id": note.pk,
        "day": 1,
        "story_id": _story(learner, ward).pk,
        "table_name": "funnel",
        "export_id": _export(steward, ward).pk,
        "key": "nonsense",
        "uidb36": "1",
    }
    # Arguments whose meaning depends on the route (a bulletin's article slug, a proposal
    # of a community or of an evidence change, the token of each kind of link).
    by_route = {
        "bulletin:confirm": {"token": bulletin_tokens.confirm_token(subscriber)},
        "bulletin:article": {"article_slug": bulletin_article.slug},
        "bulletin:article-pdf": {"article_slug": bulletin_article.slug},
        "evidence:proposal": {"proposal_id": change.pk},
        "evidence:proposal-move": {"proposal_id": change.pk},
        "evidence:proposal-pdf": {"proposal_id": change.pk},
        "communities:proposal-approve": {"proposal_id": community_proposal.pk},
        "communities:proposal-decline": {"proposal_id": community_proposal.pk},
        "communities:promotion-decide": {"request_id": promotion.pk},
        "communities:invitation-accept": {
            "token": membership_services.invitation_token(invitation)
        },
        "notifications:calendar:feed": {"token": feed.token},
        "notifications:unsubscribe": {"token": _unsubscribe_token(steward)},
        "learning:activity": {"kind": "activity"},
        "learning:part-new": {"kind": "section"},
        "learning:part-edit": {"kind": "section"},
        "learning:part-delete": {"kind": "section"},
        "learning:part-move": {"kind": "section"},
        "library:resource-download": {"number": 1},
    }
    return {
        "member": steward,
        "values": values,
        "by_route": by_route,
    }


def _webhook(steward, ward):
    from practica.api.models import Webhook, WebhookDelivery

    hook = Webhook.objects.create(
        community=ward,
        url="https://hooks.example.org/practica",
        events=["thread.created"],
        created_by=steward,
        secret="whsec_sweep",
    )
    delivery = WebhookDelivery.objects.create(
        webhook=hook, event="thread.created", event_id="sweep", payload={"id": 1}
    )
    return hook, delivery


def _story(learner, ward):
    from practica.insights.models import ValueStory

    return ValueStory.objects.create(
        community=ward,
        author=learner,
        title="What the falls huddle gave me",
        took_part_in="The weekly falls huddle.",
        what_it_gave="A checklist I now use.",
    )


def _export(steward, ward):
    from practica.portability.models import CommunityExport

    return CommunityExport.objects.create(community=ward, requested_by=steward)


def _unsubscribe_token(user) -> str:
    from practica.notifications.mail import unsubscribe_token

    return unsubscribe_token(user, "digest")
