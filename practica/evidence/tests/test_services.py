import datetime

import pytest
from django.core.exceptions import ValidationError

from practica.communities.capabilities import CapabilityDenied
from practica.communities.models import CriterionKind, Membership
from practica.communities.progression_sources import source_for
from practica.communities.stages import Stage
from practica.evidence.models import (
    Decision,
    EvidenceScale,
    EvidenceSettings,
    ProposalStatus,
    Rating,
)
from practica.evidence.services import appraisals, proposals, summaries
from practica.evidence.services.proposals import DecisionInput, ProposalMovedMeanwhile
from practica.evidence.services.summaries import SummaryConflict, SummaryInput
from practica.evidence.tests.factories import EvidenceSummaryFactory, PracticeProposalFactory
from practica.library.models import Article, Reference

pytestmark = pytest.mark.django_db


def summary_input(**overrides) -> SummaryInput:
    values = {
        "title": "ISBAR handover",
        "citation_title": "Effect of a structured handover tool on handover quality",
        "citation_authors": ["Marshall, Stuart", "Harrison, Jeff"],
        "citation_source": "Quality and Safety in Health Care",
        "citation_year": 2009,
        "key_findings": "More information passed on with ISBAR.",
        "level": "II",
        "implications": "Teach ISBAR to new staff.",
    }
    values.update(overrides)
    return SummaryInput(**values)


def test_full_member_writes_a_summary_with_its_first_revision(community, member_at):
    author = member_at(Stage.FULL)
    summary = summaries.create_summary(actor=author, community=community, data=summary_input())
    assert summary.scale == EvidenceScale.NHMRC
    assert summary.level_label.startswith("Level II")
    revision = summary.revisions.get()
    assert revision.number == 1
    assert "Marshall S, Harrison J." in revision.citation
    assert "<p>More information" in summary.key_findings_html


def test_summary_without_a_citation_is_refused_with_a_clear_message(community, member_at):
    author = member_at(Stage.FULL)
    with pytest.raises(ValidationError) as caught:
        summaries.create_summary(
            actor=author, community=community, data=summary_input(citation_title="")
        )
    assert "needs its citation" in caught.value.message_dict["citation_title"][0]


def test_summary_drafted_from_a_library_reference_takes_its_citation(community, member_at):
    author = member_at(Stage.FULL)
    article = Article.objects.create(community=community, slug="handover", title="Handover")
    reference = Reference.objects.create(
        article=article,
        authors=["Cornell, Paul"],
        year=2014,
        title="Improving situation awareness with SBAR",
        container="Clinical Nurse Specialist",
    )
    summary = summaries.create_summary(
        actor=author,
        community=community,
        data=summary_input(citation_title="", citation_authors=[], reference=reference),
    )
    assert summary.citation_title == "Improving situation awareness with SBAR"
    assert summary.citation_authors == ["Cornell, Paul"]
    assert summary.reference == reference


def test_level_outside_the_communitys_scale_is_refused_naming_the_scale(community, member_at):
    EvidenceSettings.objects.create(community=community, scale=EvidenceScale.GRADE)
    author = member_at(Stage.FULL)
    with pytest.raises(ValidationError) as caught:
        summaries.create_summary(actor=author, community=community, data=summary_input(level="II"))
    message = caught.value.message_dict["level"][0]
    assert "“II” is not on" in message and "GRADE" in message and "very low" in message


def test_participant_cannot_write_evidence(community, member_at):
    with pytest.raises(CapabilityDenied):
        summaries.create_summary(
            actor=member_at(Stage.PARTICIPANT), community=community, data=summary_input()
        )


def test_reviewers_must_be_members(community, member_at, user):
    with pytest.raises(ValidationError) as caught:
        summaries.create_summary(
            actor=member_at(Stage.FULL),
            community=community,
            data=summary_input(reviewers=(user,)),
        )
    assert "reviewers" in caught.value.message_dict


def test_revising_adds_a_revision_and_a_stale_editor_is_told(community, member_at):
    author = member_at(Stage.FULL)
    summary = summaries.create_summary(actor=author, community=community, data=summary_input())
    summaries.revise_summary(
        actor=author,
        summary=summary,
        data=summary_input(key_findings="Far more information passed on."),
        base_revision=1,
        edit_summary="Effect size",
    )
    assert summary.revisions.count() == 2
    with pytest.raises(SummaryConflict):
        summaries.revise_summary(
            actor=author, summary=summary, data=summary_input(), base_revision=1
        )


def test_steward_sets_the_scale(community, member_at):
    summaries.set_scale(actor=member_at(Stage.STEWARD), community=community, scale="grade")
    assert EvidenceSettings.objects.get(community=community).scale == "grade"
    with pytest.raises(CapabilityDenied):
        summaries.set_scale(actor=member_at(Stage.FULL), community=community, scale="nhmrc")


def test_discussion_thread_is_started_once(community, member_at):
    author = member_at(Stage.FULL)
    summary = EvidenceSummaryFactory(community=community)
    thread = summaries.start_discussion(actor=author, summary=summary)
    again = summaries.start_discussion(actor=member_at(Stage.FULL), summary=summary)
    assert thread.pk == again.pk
    assert summary.title in thread.title


# --- proposals -----------------------------------------------------------------------------------


def decision(**overrides) -> DecisionInput:
    values = {
        "context": "Handover omissions in incident reports.",
        "options_considered": "ISBAR; SBAR; no change.",
        "rationale": "The pilot halved omissions.",
    }
    values.update(overrides)
    return DecisionInput(**values)


def move(actor, proposal, to, **kwargs):
    kwargs.setdefault("reason", "Ready for the next step.")
    return proposals.move_proposal(
        actor=actor, proposal=proposal, to_status=to, expected_status=proposal.status, **kwargs
    )


def test_proposal_moves_through_piloting_to_adoption_with_a_decision(community, member_at):
    mover = member_at(Stage.FULL)
    summary = EvidenceSummaryFactory(community=community)
    proposal = proposals.propose_change(
        actor=mover,
        community=community,
        title="Use ISBAR at every handover",
        change="All nursing handovers follow ISBAR.",
        summaries=[summary],
        discussion_links=["https://example.org/c/ward/t/1/", "/c/ward/t/2/"],
    )
    move(mover, proposal, ProposalStatus.UNDER_REVIEW)
    move(
        mover,
        proposal,
        ProposalStatus.PILOTING,
        pilot_plan="Ward 4B for six weeks.",
        pilot_measures="Omissions per handover.",
    )
    article = Article.objects.create(community=community, slug="isbar", title="ISBAR guide")
    move(
        mover,
        proposal,
        ProposalStatus.ADOPTED,
        pilot_results="Omissions fell from 3.1 to 1.4 per handover.",
        decision=decision(evidence=[summary]),
        library_article=article,
        review_by=datetime.date(2027, 1, 1),
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ADOPTED
    assert proposal.library_article == article
    moves = list(proposal.transitions.values_list("from_status", "to_status", "actor"))
    assert moves == [
        ("", "proposed", mover.pk),
        ("proposed", "under_review", mover.pk),
        ("under_review", "piloting", mover.pk),
        ("piloting", "adopted", mover.pk),
    ]
    record = Decision.objects.get(proposal=proposal)
    assert record.outcome == "adopted" and record.decided_by == mover
    assert list(record.evidence.all()) == [summary]
    move(mover, proposal, ProposalStatus.RETIRED, reason="Replaced by the electronic handover.")
    assert proposal.status == ProposalStatus.RETIRED


def test_a_move_that_skips_a_step_is_refused_naming_the_stages(community, member_at):
    proposal = PracticeProposalFactory(community=community)
    with pytest.raises(ValidationError) as caught:
        move(member_at(Stage.FULL), proposal, ProposalStatus.ADOPTED, decision=decision())
    message = caught.value.message_dict["to_status"][0]
    assert "“Proposed”" in message and "“Under review”" in message and "“Adopted”" in message
    assert proposal.transitions.count() == 1


def test_declined_proposal_cannot_move_again(community, member_at):
    proposal = PracticeProposalFactory(community=community, status=ProposalStatus.DECLINED)
    with pytest.raises(ValidationError) as caught:
        move(member_at(Stage.FULL), proposal, ProposalStatus.RETIRED)
    assert "workflow has ended" in caught.value.message_dict["to_status"][0]


def test_participant_cannot_move_a_proposal(community, member_at):
    proposal = PracticeProposalFactory(community=community)
    with pytest.raises(CapabilityDenied) as caught:
        move(member_at(Stage.PARTICIPANT), proposal, ProposalStatus.UNDER_REVIEW)
    assert "Full member" in str(caught.value)


def test_piloting_needs_a_plan_and_measures(community, member_at):
    proposal = PracticeProposalFactory(community=community, status=ProposalStatus.UNDER_REVIEW)
    with pytest.raises(ValidationError) as caught:
        move(member_at(Stage.FULL), proposal, ProposalStatus.PILOTING)
    assert set(caught.value.message_dict) == {"pilot_plan", "pilot_measures"}


def test_declining_needs_the_decision_record(community, member_at):
    proposal = PracticeProposalFactory(community=community, status=ProposalStatus.UNDER_REVIEW)
    with pytest.raises(ValidationError) as caught:
        move(member_at(Stage.FULL), proposal, ProposalStatus.DECLINED, reason="")
    assert {"context", "options_considered", "rationale", "reason"} <= set(
        caught.value.message_dict
    )


def test_a_move_from_a_stale_page_is_refused_and_names_who_moved_it(community, member_at):
    first, second = member_at(Stage.FULL), member_at(Stage.STEWARD)
    proposal = PracticeProposalFactory(community=community, status=ProposalStatus.UNDER_REVIEW)
    stale = type(proposal).objects.get(pk=proposal.pk)
    move(first, proposal, ProposalStatus.DECLINED, decision=decision())
    with pytest.raises(ProposalMovedMeanwhile) as caught:
        proposals.move_proposal(
            actor=second,
            proposal=stale,
            to_status=ProposalStatus.PILOTING,
            expected_status=ProposalStatus.UNDER_REVIEW,
            reason="Pilot it.",
            pilot_plan="Ward 4B",
            pilot_measures="Falls",
        )
    assert first.name in caught.value.messages[0] and "“Declined”" in caught.value.messages[0]
    assert Decision.objects.get(proposal=proposal).outcome == "declined"
    assert proposal.transitions.count() == 2


def test_proposer_is_notified_of_each_move(
    community, member_at, django_capture_on_commit_callbacks
):
    proposer, mover = member_at(Stage.FULL), member_at(Stage.STEWARD)
    proposal = PracticeProposalFactory(community=community, proposed_by=proposer)
    with django_capture_on_commit_callbacks(execute=True):
        move(mover, proposal, ProposalStatus.UNDER_REVIEW)
    assert proposer.notifications.filter(text__contains="under review").exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_one_wins_and_the_other_is_told(community, member_at):
    """Two movers press their buttons at once from pages showing "Under review"."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; SQLite serialises writers anyway.")
    import threading

    from django.db import close_old_connections

    movers = [member_at(Stage.FULL), member_at(Stage.STEWARD)]
    proposal = PracticeProposalFactory(community=community, status=ProposalStatus.UNDER_REVIEW)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(actor, to_status):
        try:
            stale = type(proposal).objects.select_related("community").get(pk=proposal.pk)
            barrier.wait()
            proposals.move_proposal(
                actor=actor,
                proposal=stale,
                to_status=to_status,
                expected_status=ProposalStatus.UNDER_REVIEW,
                reason="Now.",
                pilot_plan="Ward 4B",
                pilot_measures="Falls",
                decision=decision(),
            )
            outcomes.append("moved")
        except ProposalMovedMeanwhile:
            outcomes.append("told")
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=attempt, args=(movers[0], ProposalStatus.PILOTING)),
        threading.Thread(target=attempt, args=(movers[1], ProposalStatus.DECLINED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["moved", "told"]
    assert proposal.transitions.count() == 2


# --- appraisals ----------------------------------------------------------------------------------


def answers(**overrides):
    values = {
        "validity": Rating.GOOD,
        "validity_comment": "Randomised, concealed allocation.",
        "results": Rating.SOME_CONCERNS,
        "results_comment": "",
        "applicability": Rating.GOOD,
        "applicability_comment": "Same kind of ward.",
    }
    values.update(overrides)
    return values


def test_learner_appraises_and_it_counts_toward_the_trajectory(
    community, member_at, django_capture_on_commit_callbacks
):
    learner = member_at(Stage.PERIPHERAL)
    summary = EvidenceSummaryFactory(community=community)
    with django_capture_on_commit_callbacks() as callbacks:
        appraisals.record_appraisal(actor=learner, summary=summary, answers=answers())
    assert len(callbacks) >= 1
    appraisals.record_appraisal(
        actor=learner, summary=summary, answers=answers(validity=Rating.SERIOUS_CONCERNS)
    )
    assert summary.appraisals.get().validity == Rating.SERIOUS_CONCERNS
    membership = Membership.objects.get(user=learner, community=community)
    assert source_for(CriterionKind.APPRAISALS)(membership, None) == 1


def test_visitor_cannot_appraise(community, user):
    summary = EvidenceSummaryFactory(community=community)
    with pytest.raises(CapabilityDenied):
        appraisals.record_appraisal(actor=user, summary=summary, answers=answers())


def test_an_appraisal_needs_every_rating(community, member_at):
    summary = EvidenceSummaryFactory(community=community)
    with pytest.raises(ValidationError):
        appraisals.record_appraisal(
            actor=member_at(Stage.PERIPHERAL), summary=summary, answers=answers(results="")
        )
