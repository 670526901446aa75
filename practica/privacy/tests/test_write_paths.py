"""Every service that stores text a member wrote screens it with the one shared guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.bulletin.models import BulletinEditor
from practica.bulletin.tests.factories import BulletinFactory, IssueFactory
from practica.communities.models import GuardMode
from practica.communities.stages import Stage
from practica.conversations import services as conversations
from practica.conversations.models import ThreadStatus
from practica.conversations.tests.factories import ThreadFactory
from practica.events import services as events
from practica.events.tests.factories import EventFactory
from practica.evidence.models import ProposalStatus, Rating
from practica.evidence.services import appraisals, summaries
from practica.evidence.services import edits as evidence_edits
from practica.evidence.services import proposals as evidence_proposals
from practica.evidence.tests.factories import EvidenceSummaryFactory, PracticeProposalFactory
from practica.learning.services import authoring, feedback, progress
from practica.learning.tests.factories import make_module
from practica.library.services import articles, glossary, proposals, resources
from practica.library.tests.factories import make_article
from practica.people.services import update_profile
from practica.privacy.guard import PatientDataFound
from practica.privacy.models import GuardLog

pytestmark = pytest.mark.django_db

PATIENT = "Mr John Brown, NHS number 943 476 5919, fell on the ward"


@pytest.fixture
def world(community, member_at):
    steward = member_at(Stage.STEWARD)
    learner = member_at(Stage.PERIPHERAL)
    article = make_article(community, author=steward)
    summary = EvidenceSummaryFactory(community=community, created_by=steward)
    summaries.record_revision(summary, author=steward, edit_summary="First", now=timezone.now())
    bulletin = BulletinFactory(community=community)
    BulletinEditor.objects.create(bulletin=bulletin, user=steward)
    module = make_module(community=community, author=steward, sections=1, activities=1)
    return {
        "community": community,
        "steward": steward,
        "learner": learner,
        "article": article,
        "summary": summary,
        "proposal": PracticeProposalFactory(community=community, proposed_by=steward),
        "event": EventFactory(community=community, created_by=steward),
        "thread": ThreadFactory(community=community, author=steward),
        "staged": ThreadFactory(community=community, author=learner, status=ThreadStatus.STAGED),
        "issue": IssueFactory(bulletin=bulletin),
        "module": module,
    }


def _evidence_text(text):
    return evidence_edits.SummaryText(
        key_findings=text, implications="Use a structured tool at every handover."
    )


def _summary_input(text):
    return summaries.SummaryInput(
        title="Bedside handover and falls",
        key_findings=text,
        level="II",
        implications="Try bedside handover.",
        citation_title="A trial of bedside handover",
    )


# (where the log says it was, who writes, the write given the text and confirm_guard)
WRITES = {
    "question": ("steward", lambda w, t, c: conversations.start_thread(
        actor=w["steward"], community=w["community"], kind="question",
        title="Falls at night on the ward", body=t, confirm_guard=c)),
    "reply": ("steward", lambda w, t, c: conversations.reply(
        actor=w["steward"], thread=w["thread"], body=t, confirm_guard=c)),
    "staging comment": ("learner", lambda w, t, c: conversations.comment_on_staged(
        actor=w["learner"], thread=w["staged"], body=t, confirm_guard=c)),
    "article": ("steward", lambda w, t, c: articles.create_article(
        actor=w["steward"], community=w["community"], title="Falls", body=t, kind="guide",
        publish=True, confirm_guard=c)),
    "article revision": ("steward", lambda w, t, c: articles.save_revision(
        actor=w["steward"], article=w["article"],
        base_revision_id=w["article"].current_revision_id, title=w["article"].title,
        summary="", body=t, confirm_guard=c)),
    "proposed edit": ("learner", lambda w, t, c: proposals.propose_edit(
        actor=w["learner"], article=w["article"],
        base_revision_id=w["article"].current_revision_id, title=w["article"].title,
        summary="", body=t, confirm_guard=c)),
    "evidence proposed edit": ("learner", lambda w, t, c: evidence_edits.propose_edit(
        actor=w["learner"], summary=w["summary"], base_revision=1, text=_evidence_text(t),
        confirm_guard=c)),
    "article comment": ("learner", lambda w, t, c: articles.add_comment(
        actor=w["learner"], article=w["article"], body=t, confirm_guard=c)),
    "glossary entry": ("steward", lambda w, t, c: glossary.save_term(
        actor=w["steward"], community=w["community"], term="ISBAR", definition=t,
        synonyms=[], confirm_guard=c)),
    "resource": ("steward", lambda w, t, c: resources.add_resource(
        actor=w["steward"], community=w["community"], title="Falls leaflet", description=t,
        url="https://example.org/falls", confirm_guard=c)),
    "evidence summary": ("steward", lambda w, t, c: summaries.create_summary(
        actor=w["steward"], community=w["community"], data=_summary_input(t),
        confirm_guard=c)),
    "appraisal": ("learner", lambda w, t, c: appraisals.record_appraisal(
        actor=w["learner"], summary=w["summary"], answers={
            "validity": Rating.GOOD, "validity_comment": t, "results": Rating.GOOD,
            "applicability": Rating.GOOD}, confirm_guard=c)),
    "practice-change proposal": ("steward", lambda w, t, c: evidence_proposals.propose_change(
        actor=w["steward"], community=w["community"], title="Bedside handover", change=t,
        confirm_guard=c)),
    "proposal step": ("steward", lambda w, t, c: evidence_proposals.move_proposal(
        actor=w["steward"], proposal=w["proposal"], to_status=ProposalStatus.UNDER_REVIEW,
        expected_status=ProposalStatus.PROPOSED, reason=t, confirm_guard=c)),
    "event": ("steward", lambda w, t, c: events.create_event(
        actor=w["steward"], community=w["community"], title="Falls huddle", kind="meeting",
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=1), timezone_name="Europe/London",
        description=t, join_url="https://meet.example.org/x", confirm_guard=c)),
    "event notes": ("steward", lambda w, t, c: events.save_notes(
        actor=w["steward"], event=w["event"], notes=t, confirm_guard=c)),
    "module section": ("steward", lambda w, t, c: authoring.save_part(
        actor=w["steward"], module=w["module"], kind="section", title="Case", body=t,
        confirm_guard=c)),
    "reflection": ("learner", lambda w, t, c: progress.save_reflection(
        actor=w["learner"], module=w["module"],
        activity_id=w["module"].current_version.snapshot["activities"][0]["id"], text=t,
        confirm_guard=c)),
    "module feedback": ("learner", lambda w, t, c: feedback.send_feedback(
        actor=w["learner"], module=w["module"], text=t, confirm_guard=c)),
    "bulletin article": ("steward", lambda w, t, c: __import__(
        "practica.bulletin.services.publication", fromlist=["x"]).create_article(
        actor=w["steward"], issue=w["issue"], title="Falls week", body=t, confirm_guard=c)),
    "profile bio": ("learner", lambda w, t, c: update_profile(
        user=w["learner"], actor=w["learner"], data={"bio": t}, expertise=[],
        confirm_guard=c)),
}  # fmt: skip

# Where two keys above log the same kind of text.
LOGGED_AS = {"event notes": "event", "evidence proposed edit": "proposed edit"}


@pytest.mark.parametrize("where", list(WRITES))
def test_every_write_path_warns_then_saves_once_confirmed(world, where):
    who, write = WRITES[where]
    with pytest.raises(PatientDataFound) as found:
        write(world, PATIENT, False)
    assert not found.value.blocked
    assert found.value.labels == ["a patient's name", "an NHS number"]
    logged = GuardLog.objects.get()
    assert logged.decision == GuardLog.Decision.WARNED
    assert logged.where == LOGGED_AS.get(where, where)
    assert logged.user == world[who]
    write(world, PATIENT, True)
    confirmed = GuardLog.objects.get(decision=GuardLog.Decision.CONFIRMED)
    assert confirmed.target is not None
    # The log says what kind of thing was found, never the text.
    assert "943 476 5919" not in str(list(GuardLog.objects.values()))


@pytest.mark.parametrize("where", ["article comment", "event", "module section", "appraisal"])
def test_a_blocking_community_blocks_every_kind_of_text(world, where):
    world["community"].guard_mode = GuardMode.BLOCK
    world["community"].save()
    _who, write = WRITES[where]
    with pytest.raises(PatientDataFound) as found:
        write(world, PATIENT, True)
    assert found.value.blocked
    assert GuardLog.objects.get().decision == GuardLog.Decision.BLOCKED


@pytest.mark.parametrize("where", list(WRITES))
def test_clean_text_is_saved_without_a_word_from_the_guard(world, where):
    _who, write = WRITES[where]
    write(world, "Paracetamol 1 g QDS; K+ 4.2 mmol/L; review with Dr Singh at 14:00.", False)
    assert not GuardLog.objects.exists()


# A title-like text, short enough for every title field.
NAMED = "Mrs Jane Smith in bed 4"


def _opening(world):
    return world["thread"].posts.get(is_opening=True)


def _under_review(world):
    proposal = world["proposal"]
    evidence_proposals.move_proposal(
        actor=world["steward"],
        proposal=proposal,
        to_status=ProposalStatus.UNDER_REVIEW,
        expected_status=ProposalStatus.PROPOSED,
        reason="Worth a look",
    )
    return proposal


def _proposed_edit(world):
    return proposals.propose_edit(
        actor=world["learner"],
        article=world["article"],
        base_revision_id=world["article"].current_revision_id,
        title=world["article"].title,
        summary="",
        body="Use ISBAR at every handover.",
    )


# (the field the message is shown beside, the write given the text): the texts issue 19 names
# besides the bodies above — titles, edits, decisions, review comments.
FIELDS = {
    "thread title": ("title", lambda w, t: conversations.start_thread(
        actor=w["steward"], community=w["community"], kind="discussion", title=t,
        body="How do you run the night huddle?")),
    "post edit": ("body", lambda w, t: conversations.edit_post(
        actor=w["steward"], post=_opening(w), body=t)),
    "thread title edit": ("title", lambda w, t: conversations.edit_post(
        actor=w["steward"], post=_opening(w), body=_opening(w).body, title=t)),
    "article revision title": ("title", lambda w, t: articles.save_revision(
        actor=w["steward"], article=w["article"],
        base_revision_id=w["article"].current_revision_id, title=t, summary="",
        body="Use ISBAR.")),
    "event title": ("title", lambda w, t: events.create_event(
        actor=w["steward"], community=w["community"], title=t, kind="meeting",
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=1), timezone_name="Europe/London",
        description="Weekly huddle", join_url="https://meet.example.org/x")),
    "event description edit": ("description", lambda w, t: events.update_event(
        actor=w["steward"], event=w["event"], description=t)),
    "resource title": ("title", lambda w, t: resources.add_resource(
        actor=w["steward"], community=w["community"], title=t, description="A leaflet",
        url="https://example.org/falls")),
    "module overview": ("overview", lambda w, t: authoring.create_module(
        actor=w["steward"], community=w["community"], title="Falls prevention", overview=t)),
    "decision": ("rationale", lambda w, t: evidence_proposals.move_proposal(
        actor=w["steward"], proposal=_under_review(w), to_status=ProposalStatus.DECLINED,
        expected_status=ProposalStatus.UNDER_REVIEW, reason="Not now",
        decision=evidence_proposals.DecisionInput(
            context="Audit", options_considered="Keep or change", rationale=t))),
    "review comment": ("comment", lambda w, t: proposals.request_changes(
        actor=w["steward"], proposal=_proposed_edit(w), comment=t)),
    "evidence summary revision": ("key_findings", lambda w, t: summaries.revise_summary(
        actor=w["steward"], summary=w["summary"], data=_summary_input(t), base_revision=1)),
}  # fmt: skip


@pytest.mark.parametrize("what", list(FIELDS))
def test_each_named_text_is_screened_and_flagged_beside_its_field(world, what):
    field_name, write = FIELDS[what]
    with pytest.raises(PatientDataFound) as found:
        write(world, NAMED)
    assert field_name in found.value.message_dict
    assert "a patient's name" in found.value.labels
    assert GuardLog.objects.filter(decision=GuardLog.Decision.WARNED).count() == 1
