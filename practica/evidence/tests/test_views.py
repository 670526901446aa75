import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from practica.communities.stages import Stage
from practica.evidence.models import (
    Decision,
    EvidenceScale,
    EvidenceSettings,
    EvidenceSummary,
    ProposalStatus,
    ProposalTransition,
)
from practica.evidence.tests.factories import (
    AppraisalFactory,
    EvidenceSummaryFactory,
    PracticeProposalFactory,
)
from practica.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url(name, community, **kwargs):
    return reverse(f"evidence:{name}", kwargs={"community_slug": community.slug, **kwargs})


SUMMARY_POST = {
    "title": "Falls prevention",
    "citation_title": "Interventions for preventing falls in older people in care facilities and hospitals",
    "citation_authors": "Cameron, Ian D\nDyer, Suzanne M",
    "citation_source": "Cochrane Database of Systematic Reviews",
    "citation_year": "2018",
    "key_findings": "Multifactorial interventions may reduce the rate of falls in hospitals.",
    "level": "I",
    "implications": "Assess every older inpatient's falls risk on admission.",
}


def test_full_member_writes_a_summary_over_http(client, community, member_at):
    client.force_login(member_at(Stage.FULL))
    response = client.post(url("summary-new", community), SUMMARY_POST)
    summary = EvidenceSummary.objects.get()
    assert response.status_code == 302 and response["Location"] == summary.get_absolute_url()
    page = client.get(summary.get_absolute_url())
    assert "Cameron ID, Dyer SM." in page.content.decode()
    assert "Level I — systematic review" in page.content.decode()


def test_summary_without_a_citation_gets_the_message_beside_the_field(client, community, member_at):
    client.force_login(member_at(Stage.FULL))
    response = client.post(url("summary-new", community), {**SUMMARY_POST, "citation_title": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "needs its citation" in body
    assert "Multifactorial interventions may reduce" in body  # what was typed is kept
    assert not EvidenceSummary.objects.exists()


def test_level_outside_the_scale_gets_a_clear_message(client, community, member_at):
    EvidenceSettings.objects.create(community=community, scale=EvidenceScale.GRADE)
    client.force_login(member_at(Stage.FULL))
    response = client.post(url("summary-new", community), {**SUMMARY_POST, "level": "III-2"})
    assert response.status_code == 400
    assert "“III-2” is not on" in response.content.decode()


def test_participant_gets_403_naming_the_stage_for_writing(client, community, member_at):
    client.force_login(member_at(Stage.PARTICIPANT))
    response = client.get(url("summary-new", community))
    assert response.status_code == 403
    assert "Full member" in response.content.decode()


def test_editing_records_a_revision_shown_as_a_word_diff(client, community, member_at):
    client.force_login(member_at(Stage.FULL))
    client.post(url("summary-new", community), SUMMARY_POST)
    summary = EvidenceSummary.objects.get()
    response = client.post(
        url("summary-edit", community, summary_id=summary.pk),
        {
            **SUMMARY_POST,
            "key_findings": "Multifactorial interventions probably reduce the rate of falls.",
            "base_revision": "1",
            "edit_summary": "Certainty wording",
        },
    )
    assert response.status_code == 302
    history = client.get(url("summary-history", community, summary_id=summary.pk)).content.decode()
    assert "<ins>probably</ins>" in history and "Certainty wording" in history
    stale = client.post(
        url("summary-edit", community, summary_id=summary.pk),
        {**SUMMARY_POST, "base_revision": "1"},
    )
    assert stale.status_code == 409


def test_learner_appraises_and_sees_the_aggregate(client, community, member_at):
    summary = EvidenceSummaryFactory(community=community)
    AppraisalFactory(summary=summary, appraiser=member_at(Stage.FULL))
    client.force_login(member_at(Stage.PERIPHERAL))
    response = client.post(
        url("summary-appraise", community, summary_id=summary.pk),
        {
            "validity": "3",
            "results": "2",
            "applicability": "1",
            "applicability_comment": "ICU only",
        },
    )
    assert response.status_code == 302
    page = client.get(summary.get_absolute_url()).content.decode()
    assert "Appraisals (2)" in page and "ICU only" in page


def test_appraisal_missing_a_rating_is_shown_again_with_errors(client, community, member_at):
    summary = EvidenceSummaryFactory(community=community)
    client.force_login(member_at(Stage.PERIPHERAL))
    response = client.post(
        url("summary-appraise", community, summary_id=summary.pk),
        {"validity": "3", "validity_comment": "Well randomised"},
    )
    assert response.status_code == 400
    assert "Well randomised" in response.content.decode()


def test_evidence_list_query_count_is_flat(
    client, community, member_at, django_assert_max_num_queries
):
    client.force_login(member_at(Stage.FULL))
    EvidenceSummaryFactory(community=community)
    PracticeProposalFactory(community=community)
    with django_assert_max_num_queries(14) as few:
        client.get(url("list", community))
    for _ in range(12):
        summary = EvidenceSummaryFactory(community=community)
        AppraisalFactory(summary=summary)
        PracticeProposalFactory(community=community)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("list", community))
    assert response.status_code == 200


def adopted_proposal(community, decider, *, summaries=3):
    evidence = [EvidenceSummaryFactory(community=community) for _ in range(summaries)]
    proposal = PracticeProposalFactory(
        community=community,
        status=ProposalStatus.ADOPTED,
        pilot_plan="Ward 4B, six weeks.",
        pilot_measures="Omissions per handover.",
        pilot_results="Omissions fell by half.",
    )
    proposal.summaries.set(evidence)
    for before, after in (
        ("proposed", "under_review"),
        ("under_review", "piloting"),
        ("piloting", "adopted"),
    ):
        ProposalTransition.objects.create(
            proposal=proposal, from_status=before, to_status=after, actor=decider, reason="Agreed."
        )
    record = Decision.objects.create(
        community=community,
        proposal=proposal,
        outcome="adopted",
        context="Incidents at handover.",
        options_considered="ISBAR or no change.",
        rationale="Pilot halved omissions.",
        decided_by=decider,
    )
    record.evidence.set(evidence)
    return proposal


def test_proposal_page_query_count_is_flat(
    client, community, member_at, django_assert_max_num_queries
):
    mover = member_at(Stage.FULL)
    client.force_login(mover)
    few = adopted_proposal(community, mover, summaries=1)
    with django_assert_max_num_queries(30) as counted:
        client.get(few.get_absolute_url())
    many = adopted_proposal(community, mover, summaries=10)
    with django_assert_max_num_queries(len(counted.captured_queries)):
        response = client.get(many.get_absolute_url())
    assert response.status_code == 200


def test_move_that_skips_a_step_is_refused_over_http(client, community, member_at):
    proposal = PracticeProposalFactory(community=community)
    client.force_login(member_at(Stage.FULL))
    response = client.post(
        url("proposal-move", community, proposal_id=proposal.pk),
        {
            "to_status": "piloting",
            "piloting-expected_status": "proposed",
            "piloting-reason": "Let's try it",
            "piloting-pilot_plan": "Ward 4B",
            "piloting-pilot_measures": "Falls",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        "can&#x27;t go straight to “Piloting”" in body or "can't go straight to “Piloting”" in body
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_move_without_the_capability_is_403_naming_the_stage(client, community, member_at):
    proposal = PracticeProposalFactory(community=community)
    client.force_login(member_at(Stage.PARTICIPANT))
    response = client.post(
        url("proposal-move", community, proposal_id=proposal.pk),
        {
            "to_status": "under_review",
            "under_review-expected_status": "proposed",
            "under_review-reason": "Go",
        },
    )
    assert response.status_code == 403
    assert "Full members and above may move practice-change proposals" in response.content.decode()


def test_move_from_a_stale_page_is_409_and_says_who_moved_it(client, community, member_at):
    proposal = PracticeProposalFactory(community=community, status=ProposalStatus.UNDER_REVIEW)
    first = member_at(Stage.FULL)
    ProposalTransition.objects.create(
        proposal=proposal,
        from_status="under_review",
        to_status="piloting",
        actor=first,
        reason="Pilot",
    )
    type(proposal).objects.filter(pk=proposal.pk).update(status=ProposalStatus.PILOTING)
    client.force_login(member_at(Stage.STEWARD))
    response = client.post(
        url("proposal-move", community, proposal_id=proposal.pk),
        {
            "to_status": "declined",
            "declined-expected_status": "under_review",
            "declined-reason": "No",
            "declined-context": "c",
            "declined-options_considered": "o",
            "declined-rationale": "r",
        },
    )
    assert response.status_code == 409
    assert f"{first.name} moved this proposal to “Piloting”" in response.content.decode()
    assert not Decision.objects.exists()


def test_move_form_keeps_what_was_typed_and_shows_missing_fields(client, community, member_at):
    proposal = PracticeProposalFactory(community=community, status=ProposalStatus.UNDER_REVIEW)
    client.force_login(member_at(Stage.FULL))
    response = client.post(
        url("proposal-move", community, proposal_id=proposal.pk),
        {
            "to_status": "piloting",
            "piloting-expected_status": "under_review",
            "piloting-reason": "Try on 4B",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "A pilot needs a plan" in body and "Try on 4B" in body


def test_full_workflow_over_http_ends_on_the_decisions_page(client, community, member_at):
    client.force_login(member_at(Stage.FULL))
    summary = EvidenceSummaryFactory(community=community)
    client.post(
        url("proposal-new", community),
        {
            "title": "Pharmacist-led reconciliation",
            "change": "At admission.",
            "summaries": [summary.pk],
        },
    )
    proposal = community.practice_proposals.get()
    steps = [
        ("under_review", {"reason": "Review it"}),
        ("piloting", {"reason": "Pilot", "pilot_plan": "Ward 7", "pilot_measures": "Errors"}),
        (
            "adopted",
            {
                "reason": "Worked",
                "pilot_results": "Errors halved",
                "context": "Admission errors",
                "options_considered": "Pharmacist or doctor",
                "rationale": "Pharmacists found more discrepancies",
                "evidence": [summary.pk],
            },
        ),
    ]
    for to_status, fields in steps:
        expected = type(proposal).objects.get(pk=proposal.pk).status
        data = {"to_status": to_status, f"{to_status}-expected_status": expected}
        data.update({f"{to_status}-{k}": v for k, v in fields.items()})
        response = client.post(url("proposal-move", community, proposal_id=proposal.pk), data)
        assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(url("decisions", community)).content.decode()
    assert "Pharmacist-led reconciliation" in page and "Pharmacists found more" in page
    pdf = client.get(url("proposal-pdf", community, proposal_id=proposal.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_policy_brief_only_for_adopted_practices(client, community):
    proposal = PracticeProposalFactory(community=community, status=ProposalStatus.PILOTING)
    assert client.get(url("proposal-pdf", community, proposal_id=proposal.pk)).status_code == 404


def test_decisions_filter_by_words_outcome_and_date(client, community, member_at):
    decider = member_at(Stage.FULL)
    adopted = adopted_proposal(community, decider)
    declined = PracticeProposalFactory(
        community=community, title="Hourly rounding", status="declined"
    )
    Decision.objects.create(
        community=community,
        proposal=declined,
        outcome="declined",
        context="Staffing",
        options_considered="Hourly or two-hourly",
        rationale="Not enough nurses to sustain it",
        decided_by=decider,
        decided_at=timezone.now() - datetime.timedelta(days=400),
    )
    decisions = url("decisions", community)
    assert "Hourly rounding" in client.get(decisions, {"q": "nurses sustain"}).content.decode()
    assert adopted.title not in client.get(decisions, {"q": "nurses sustain"}).content.decode()
    assert "Hourly rounding" not in client.get(decisions, {"outcome": "adopted"}).content.decode()
    since = (timezone.now() - datetime.timedelta(days=30)).date().isoformat()
    recent = client.get(decisions, {"since": since}).content.decode()
    assert adopted.title in recent and "Hourly rounding" not in recent
    empty = client.get(decisions, {"q": "nothing-like-this"}).content.decode()
    assert "No decision matches" in empty


def test_a_retired_practice_shows_retired_with_every_state_it_went_through(
    client, community, member_at
):
    from practica.evidence.models import ProposalTransition

    decider = member_at(Stage.FULL)
    proposal = adopted_proposal(community, decider)
    for before, after in [("", "proposed"), ("adopted", "retired")]:
        ProposalTransition.objects.create(
            proposal=proposal, from_status=before, to_status=after, actor=decider, reason="Step"
        )
    type(proposal).objects.filter(pk=proposal.pk).update(status="retired")
    decisions = url("decisions", community)
    page = client.get(decisions).content.decode()
    row = page[page.index('class="decision-row"') :]
    assert row.index(">Retired<") < row.index(">Adopted<")
    history = row[row.index('class="state-history') : row.index("</ol>")]
    for state in ["Proposed", "Under review", "Piloting", "Adopted", "Retired"]:
        assert state in history
    form = client.get(decisions).content.decode()
    for value in ["proposed", "under_review", "piloting", "adopted", "declined", "retired"]:
        assert f'<option value="{value}"' in form
    assert proposal.title in client.get(decisions, {"outcome": "retired"}).content.decode()
    assert proposal.title not in client.get(decisions, {"outcome": "adopted"}).content.decode()


def test_decisions_page_query_count_is_flat(
    client, community, member_at, django_assert_max_num_queries
):
    decider = member_at(Stage.FULL)
    adopted_proposal(community, decider, summaries=1)
    with django_assert_max_num_queries(14) as few:
        client.get(url("decisions", community))
    for _ in range(6):
        adopted_proposal(community, member_at(Stage.FULL), summaries=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url("decisions", community)).status_code == 200


def test_due_for_review_lists_overdue_summaries_and_practices(client, community, member_at):
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    EvidenceSummaryFactory(community=community, title="Old handover evidence", review_by=yesterday)
    EvidenceSummaryFactory(
        community=community,
        title="Fresh evidence",
        review_by=datetime.date.today() + datetime.timedelta(days=9),
    )
    PracticeProposalFactory(
        community=community, title="Bedside handover", status="adopted", review_by=yesterday
    )
    client.force_login(member_at(Stage.STEWARD))
    page = client.get(url("due", community)).content.decode()
    assert "Old handover evidence" in page and "Bedside handover" in page
    assert "Fresh evidence" not in page
    client.force_login(member_at(Stage.PARTICIPANT))
    assert client.get(url("due", community)).status_code == 403


def test_private_community_evidence_is_closed_to_outsiders(client, community, user):
    community.visibility = "private"
    community.save()
    summary = EvidenceSummaryFactory(community=community)
    client.force_login(user)
    outsider = client.get(summary.get_absolute_url())
    assert outsider.status_code == 404  # privacy by default: never the community's name
    assert community.name not in outsider.content.decode()
    MembershipFactory(community=community, user=user)
    assert client.get(summary.get_absolute_url()).status_code == 200


def test_empty_evidence_page_says_what_goes_there(client, community):
    assert "No evidence summaries yet" in client.get(url("list", community)).content.decode()


def test_the_proposal_form_carries_one_unlabelled_submission_key(client, community, member_at):
    client.force_login(member_at(Stage.FULL))
    html = client.get(url("proposal-new", community)).content.decode()
    assert html.count('name="submission_key"') == 1
    assert html.count('id="id_submission_key"') == 1
    assert "Submission key" not in html
