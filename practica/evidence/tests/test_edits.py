"""Proposed edits to evidence summaries: the services and the pages."""

from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from practica.communities.capabilities import CapabilityDenied
from practica.communities.stages import Stage
from practica.evidence.models import EditStatus, ProposedSummaryEdit
from practica.evidence.services import edits, summaries
from practica.evidence.services.edits import SummaryEditConflict, SummaryText
from practica.evidence.tests.test_services import summary_input
from practica.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(member_at):
    return {
        "author": member_at(Stage.FULL),
        "reviewer": member_at(Stage.FULL),
        "learner": member_at(Stage.PERIPHERAL),
    }


@pytest.fixture
def summary(community, people):
    return summaries.create_summary(
        actor=people["author"],
        community=community,
        data=summary_input(population="Adult inpatients", reviewers=(people["reviewer"],)),
    )


def better(summary, **changes) -> SummaryText:
    text = SummaryText.of(summary)
    defaults = {"key_findings": f"{text.key_findings} Omissions fell by a third."}
    return replace(text, **{**defaults, **changes})


def propose(summary, learner, **changes):
    return edits.propose_edit(
        actor=learner,
        summary=summary,
        base_revision=summary.revision_count,
        text=better(summary, **changes),
        edit_summary="Added the effect size",
    )


# --- services ------------------------------------------------------------------------------------


def test_learner_proposes_and_the_summarys_author_and_reviewers_are_told(
    summary, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        edit = propose(summary, people["learner"])
    assert edit.status == EditStatus.PENDING and edit.base_revision.number == 1
    told = Notification.objects.filter(kind=Notification.Kind.STEWARD)
    assert set(told.values_list("recipient", flat=True)) == {
        people["author"].pk,
        people["reviewer"].pk,
    }
    assert told.first().url == edit.get_absolute_url()


def test_approved_edit_becomes_a_revision_credited_to_the_proposer(
    summary, people, django_capture_on_commit_callbacks
):
    edit = propose(summary, people["learner"], outcome="Omissions at handover")
    with django_capture_on_commit_callbacks(execute=True):
        revision = edits.approve_edit(actor=people["reviewer"], edit=edit, comment="Thank you")
    summary.refresh_from_db()
    assert revision.number == 2 == summary.revision_count
    assert revision.author == people["learner"] and revision.approved_by == people["reviewer"]
    assert revision.edit_summary == "Added the effect size"
    assert "Outcome: Omissions at handover" in revision.question
    assert "Omissions fell by a third." in summary.key_findings_html
    edit.refresh_from_db()
    assert edit.status == EditStatus.APPROVED and edit.resulting_revision == revision
    told = Notification.objects.get(recipient=people["learner"])
    assert told.kind == Notification.Kind.APPROVAL and "approved" in told.text


def test_text_the_same_as_the_summary_proposes_nothing(summary, people):
    assert (
        edits.propose_edit(
            actor=people["learner"],
            summary=summary,
            base_revision=1,
            text=SummaryText.of(summary),
        )
        is None
    )
    assert not ProposedSummaryEdit.objects.exists()


@pytest.mark.parametrize("stage", [Stage.PERIPHERAL, Stage.PARTICIPANT, Stage.FULL, Stage.STEWARD])
def test_members_from_learner_up_may_propose(summary, member_at, stage):
    assert propose(summary, member_at(stage)) is not None


def test_non_member_cannot_propose(summary, user):
    with pytest.raises(CapabilityDenied):
        propose(summary, user)


@pytest.mark.parametrize("stage", [Stage.PERIPHERAL, Stage.PARTICIPANT])
def test_members_below_full_cannot_approve(summary, people, member_at, stage):
    edit = propose(summary, people["learner"])
    with pytest.raises(CapabilityDenied):
        edits.approve_edit(actor=member_at(stage), edit=edit)


def test_proposer_cannot_approve_their_own_edit(summary, member_at):
    steward = member_at(Stage.STEWARD)
    edit = propose(summary, steward)
    with pytest.raises(CapabilityDenied):
        edits.approve_edit(actor=steward, edit=edit)


def test_request_changes_needs_a_comment_and_the_proposer_sends_it_back(summary, people):
    edit = propose(summary, people["learner"])
    with pytest.raises(ValidationError) as caught:
        edits.request_changes(actor=people["reviewer"], edit=edit, comment=" ")
    assert "comment" in caught.value.message_dict
    edits.request_changes(actor=people["reviewer"], edit=edit, comment="Give the CI, please.")
    edit.refresh_from_db()
    assert edit.status == EditStatus.CHANGES_REQUESTED
    with pytest.raises(CapabilityDenied):
        edits.update_edit(actor=people["reviewer"], edit=edit, text=better(summary))
    updated = edits.update_edit(
        actor=people["learner"],
        edit=edit,
        text=better(summary, key_findings="Omissions fell by a third (95% CI 20 to 45%)."),
    )
    assert updated.status == EditStatus.PENDING
    assert "95% CI" in updated.key_findings


def test_declined_edit_cannot_be_decided_again(summary, people, django_capture_on_commit_callbacks):
    edit = propose(summary, people["learner"])
    with django_capture_on_commit_callbacks(execute=True):
        edits.decline_edit(actor=people["reviewer"], edit=edit, comment="Not what the study found.")
    assert Notification.objects.filter(recipient=people["learner"], text__contains="declined")
    with pytest.raises(ValidationError, match="already been decided"):
        edits.approve_edit(actor=people["reviewer"], edit=edit)
    assert summary.revisions.count() == 1


def _revise(summary, actor, **changes):
    data = summary_input(population="Adult inpatients", **changes)
    return summaries.revise_summary(
        actor=actor, summary=summary, data=data, base_revision=summary.revision_count
    )


def test_stale_edit_raises_a_conflict_and_the_merged_text_is_approved(summary, people):
    edit = propose(summary, people["learner"])
    _revise(summary, people["author"], implications="Teach ISBAR to every new nurse.")
    assert edits.is_stale(edit, summary)
    with pytest.raises(SummaryEditConflict) as caught:
        edits.approve_edit(actor=people["reviewer"], edit=edit)
    conflict = caught.value
    assert conflict.theirs.number == 2
    assert conflict.yours.implications == "Teach ISBAR to new staff."
    # Merged from an older revision: refused again, nothing written.
    merged = replace(conflict.yours, implications="Teach ISBAR to every new nurse.")
    with pytest.raises(SummaryEditConflict):
        edits.approve_edit(actor=people["reviewer"], edit=edit, merged=merged, base_revision=1)
    revision = edits.approve_edit(
        actor=people["reviewer"], edit=edit, merged=merged, base_revision=2
    )
    summary.refresh_from_db()
    assert revision.number == 3 and revision.author == people["learner"]
    assert summary.implications == "Teach ISBAR to every new nurse."
    assert "Omissions fell by a third." in summary.key_findings


def test_a_change_of_level_alone_does_not_make_an_edit_stale(summary, people):
    edit = propose(summary, people["learner"])
    _revise(summary, people["author"], level="I")
    assert not edits.is_stale(edit, summary)
    revision = edits.approve_edit(actor=people["reviewer"], edit=edit)
    summary.refresh_from_db()
    assert revision.number == 3
    assert summary.level == "I" and "Omissions fell by a third." in summary.key_findings


def test_direct_editor_with_an_old_editor_is_told_after_an_approval(summary, people):
    edit = propose(summary, people["learner"])
    edits.approve_edit(actor=people["reviewer"], edit=edit)
    with pytest.raises(summaries.SummaryConflict):
        summaries.revise_summary(
            actor=people["author"], summary=summary, data=summary_input(), base_revision=1
        )


# --- pages ---------------------------------------------------------------------------------------


def url(name, summary, **kwargs):
    return reverse(
        f"evidence:{name}",
        kwargs={"community_slug": summary.community.slug, "summary_id": summary.pk, **kwargs},
    )


TEXT_POST = {
    "question": "Does structured handover improve handover quality?",
    "population": "Adult inpatients",
    "key_findings": "More information passed on with ISBAR. Omissions fell by a third.",
    "implications": "Teach ISBAR to new staff.",
    "edit_summary": "Added the effect size",
    "base_revision": "1",
}


def test_learner_proposes_over_http_and_the_summary_shows_the_pending_diff(
    client, summary, people, django_assert_max_num_queries
):
    client.force_login(people["learner"])
    page = client.get(summary.get_absolute_url()).content.decode()
    assert url("summary-propose", summary) in page
    assert client.get(url("summary-propose", summary)).status_code == 200
    response = client.post(url("summary-propose", summary), TEXT_POST)
    assert response.status_code == 302
    edit = ProposedSummaryEdit.objects.get()
    assert edit.proposer == people["learner"]
    client.force_login(people["reviewer"])
    with django_assert_max_num_queries(30) as counted:
        page = client.get(summary.get_absolute_url()).content.decode()
    propose(summary, people["learner"], implications="Teach ISBAR to everyone.")
    with django_assert_max_num_queries(len(counted.captured_queries)):
        client.get(summary.get_absolute_url())
    assert "Proposed edits waiting for review (1)" in page
    assert "<ins> Omissions fell by a third.</ins>" in page
    assert edit.get_absolute_url() in page and "Review this edit" in page


def test_empty_key_findings_are_refused_beside_the_field_keeping_the_text(client, summary, people):
    client.force_login(people["learner"])
    response = client.post(
        url("summary-propose", summary),
        {**TEXT_POST, "key_findings": "", "implications": "Kept as typed."},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required" in body and "Kept as typed." in body
    assert not ProposedSummaryEdit.objects.exists()


def test_full_member_opening_propose_is_sent_to_the_editor(client, summary, people):
    client.force_login(people["reviewer"])
    response = client.get(url("summary-propose", summary))
    assert response.status_code == 302 and response["Location"] == url("summary-edit", summary)


def test_non_member_gets_403_on_propose(client, summary, user):
    client.force_login(user)
    assert client.get(url("summary-propose", summary)).status_code == 403


def test_reviewer_approves_over_http_and_the_history_credits_the_proposer(client, summary, people):
    edit = propose(summary, people["learner"])
    client.force_login(people["reviewer"])
    page = client.get(edit.get_absolute_url()).content.decode()
    assert "Your decision" in page and "<ins>" in page
    response = client.post(url("edit-decide", summary, edit_id=edit.pk), {"decision": "approve"})
    assert response.status_code == 302 and response["Location"] == summary.get_absolute_url()
    history = client.get(url("summary-history", summary)).content.decode()
    assert "Added the effect size" in history and people["learner"].name in history
    assert ProposedSummaryEdit.objects.get().status == EditStatus.APPROVED


def test_request_changes_without_a_comment_shows_the_error_beside_it(client, summary, people):
    edit = propose(summary, people["learner"])
    client.force_login(people["reviewer"])
    response = client.post(
        url("edit-decide", summary, edit_id=edit.pk), {"decision": "request_changes"}
    )
    assert response.status_code == 400
    assert "Say what should change" in response.content.decode()


def test_participant_gets_403_deciding(client, summary, people, member_at):
    edit = propose(summary, people["learner"])
    client.force_login(member_at(Stage.PARTICIPANT))
    response = client.post(url("edit-decide", summary, edit_id=edit.pk), {"decision": "approve"})
    assert response.status_code == 403
    assert ProposedSummaryEdit.objects.get().status == EditStatus.PENDING


def test_stale_edit_opens_the_merge_view_and_the_merged_text_is_approved(client, summary, people):
    edit = propose(summary, people["learner"])
    _revise(summary, people["author"], implications="Teach ISBAR to every new nurse.")
    client.force_login(people["reviewer"])
    detail = client.get(edit.get_absolute_url()).content.decode()
    assert "changed after this edit was proposed" in detail
    decide = url("edit-decide", summary, edit_id=edit.pk)
    response = client.post(decide, {"decision": "approve"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Nothing has been lost" in body and 'name="merged"' in body
    assert 'name="base_revision" value="2"' in body
    merged = {
        **TEXT_POST,
        "implications": "Teach ISBAR to every new nurse.",
        "base_revision": "2",
        "decision": "approve",
        "merged": "1",
        "comment": "",
    }
    response = client.post(decide, merged)
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.revision_count == 3
    assert summary.implications == "Teach ISBAR to every new nurse."


def test_proposer_revises_after_a_request_for_changes(client, summary, people):
    edit = propose(summary, people["learner"])
    edits.request_changes(actor=people["reviewer"], edit=edit, comment="Give the CI.")
    client.force_login(people["learner"])
    page = client.get(edit.get_absolute_url()).content.decode()
    assert "Give the CI." in page and url("edit-revise", summary, edit_id=edit.pk) in page
    response = client.post(
        url("edit-revise", summary, edit_id=edit.pk),
        {**TEXT_POST, "key_findings": "Omissions fell by a third (95% CI 20 to 45%)."},
    )
    assert response.status_code == 302
    edit.refresh_from_db()
    assert edit.status == EditStatus.PENDING and "95% CI" in edit.key_findings


def test_edit_of_another_summary_is_404(client, summary, people, community):
    edit = propose(summary, people["learner"])
    other = summaries.create_summary(
        actor=people["author"], community=community, data=summary_input(title="Other")
    )
    client.force_login(people["reviewer"])
    assert client.get(url("edit", other, edit_id=edit.pk)).status_code == 404
