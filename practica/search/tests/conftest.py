"""A small world with one of everything searchable, indexed through the signals."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from practica.communities.models import Visibility
from practica.communities.stages import Stage
from practica.conversations.models import ThreadKind, ThreadStatus
from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.people.models import ExpertiseArea, Profession
from practica.tests.factories import CommunityFactory, MembershipFactory, TopicFactory, UserFactory


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    """One public and one private community with "handover" in every kind of content."""
    from practica.bulletin.tests.factories import ArticleFactory, BulletinFactory, IssueFactory
    from practica.events.tests.factories import EventFactory
    from practica.evidence.tests.factories import EvidenceSummaryFactory
    from practica.learning.tests.factories import make_module
    from practica.library.models import Resource
    from practica.library.tests.factories import GlossaryTermFactory, make_article

    w = type("World", (), {})()
    w.public = CommunityFactory(name="Ward care", slug="ward-care")
    w.private = CommunityFactory(name="Secret ward", slug="secret", visibility=Visibility.PRIVATE)
    w.topic = TopicFactory(community=w.public, name="Handover", slug="handover")
    w.pharmacist = UserFactory(
        username="pharma", display_name="Priya Pharmacist", profession=Profession.PHARMACIST
    )
    w.nurse = UserFactory(
        username="nina", display_name="Nina Nurse", profession=Profession.NURSE,
        bio="I teach handover to new graduates.",
    )  # fmt: skip
    w.hidden_person = UserFactory(
        username="quiet", display_name="Quiet Handover Expert", show_in_directory=False
    )
    w.insider = UserFactory(username="insider", display_name="Ivy Insider")
    for person in [w.pharmacist, w.nurse]:
        MembershipFactory(community=w.public, user=person, stage=Stage.FULL)
    MembershipFactory(community=w.private, user=w.insider, stage=Stage.FULL)
    w.learner = MembershipFactory(community=w.public, stage=Stage.PERIPHERAL).user
    with django_capture_on_commit_callbacks(execute=True):
        w.nurse.expertise.add(*ExpertiseArea.for_names(["Clinical handover"]))
        w.question = ThreadFactory(
            community=w.public, author=w.nurse, title="Bedside handover at night",
            body="How do you run handover with the patient awake?",
        )  # fmt: skip
        w.question.topics.add(w.topic)
        w.reply = PostFactory(
            thread=w.question, author=w.pharmacist, body="We use ISBAR handover sheets."
        )
        w.question.accepted_post = w.reply
        w.question.save()
        w.discussion = ThreadFactory(
            community=w.public, author=w.pharmacist, kind=ThreadKind.DISCUSSION,
            title="Journal club on handover tools", body="Which handover tool do you prefer?",
        )  # fmt: skip
        w.staged = ThreadFactory(
            community=w.public, title="Staged handover question", status=ThreadStatus.STAGED
        )
        w.hidden = ThreadFactory(
            community=w.public, title="Hidden handover question", hidden_at=timezone.now()
        )
        w.hidden_reply = PostFactory(
            thread=w.question, body="A hidden handover reply", hidden_at=timezone.now()
        )
        w.secret = ThreadFactory(
            community=w.private, author=w.insider, title="Secret handover incident"
        )
        w.article = make_article(
            w.public, author=w.nurse, title="Handover with ISBAR", body="Structured handover."
        )
        w.draft = make_article(
            w.public, title="Draft handover article", body="Not yet.", publish=False
        )
        w.secret_article = make_article(w.private, title="Secret handover guide", body="Shh.")
        w.resource = Resource.objects.create(
            community=w.public, kind="link", title="Handover checklist (PDF link)",
            description="A one-page handover checklist.", url="https://example.org/handover",
            added_by=w.nurse,
        )  # fmt: skip
        w.glossary = GlossaryTermFactory(
            community=w.public, term="ISBAR", slug="isbar",
            definition="Identify, Situation, Background, Assessment, Recommendation: a handover tool.",
        )  # fmt: skip
        w.evidence = EvidenceSummaryFactory(
            community=w.public, title="Structured handover reduces omissions", created_by=w.nurse
        )
        w.module = make_module(community=w.public, author=w.nurse, title="Handover with ISBAR")
        w.unpublished_module = make_module(
            community=w.public, title="Unpublished handover module", publish=False
        )
        w.event = EventFactory(
            community=w.public, title="Handover workshop", created_by=w.pharmacist
        )
        w.secret_event = EventFactory(community=w.private, title="Secret handover workshop")
        issue = IssueFactory(bulletin=BulletinFactory(), published=True)
        w.bulletin = ArticleFactory(issue=issue, title="Handover research roundup")
        draft_issue = IssueFactory(bulletin=issue.bulletin)
        w.draft_bulletin = ArticleFactory(issue=draft_issue, title="Unsent handover news")
    w.today = datetime.date.today()
    return w
