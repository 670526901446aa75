import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from practica.communities.stages import Stage
from practica.library.models import ArticleStatus, ProposalStatus, Revision
from practica.library.services.articles import (
    EditConflict,
    create_article,
    revert_to_revision,
    save_revision,
)
from practica.library.services.proposals import (
    approve_proposal,
    decline_proposal,
    propose_edit,
    request_changes,
)
from practica.library.tests.factories import make_article
from practica.notifications.models import Notification

pytestmark = pytest.mark.django_db


def edit(article, actor, body, *, base=None, **kwargs):
    return save_revision(
        actor=actor,
        article=article,
        base_revision_id=base if base is not None else article.current_revision_id,
        title=kwargs.pop("title", article.title),
        summary=kwargs.pop("summary", article.summary),
        body=body,
        **kwargs,
    )


def test_every_save_is_a_revision_with_its_author_and_summary(community, member_at):
    editor = member_at(Stage.FULL)
    article = make_article(community)
    revision = edit(article, editor, "Use ISBAR at every handover.", edit_summary="Clarify")
    assert revision.number == 2
    assert revision.author == editor and revision.edit_summary == "Clarify"
    article.refresh_from_db()
    assert article.current_revision == revision
    assert article.body == "Use ISBAR at every handover."
    assert "<p>Use ISBAR at every handover.</p>" in article.body_html


def test_an_unchanged_save_makes_no_revision(community, member_at):
    article = make_article(community)
    assert edit(article, member_at(Stage.FULL), article.body + "\r\n") is None
    assert article.revisions.count() == 1


def test_a_second_save_from_the_same_base_gets_a_conflict_and_writes_nothing(community, member_at):
    article = make_article(community, body="Line one.")
    base = article.current_revision_id
    alice, bob = member_at(Stage.FULL), member_at(Stage.FULL)
    edit(article, alice, "Line one. Alice adds this.", base=base)
    with pytest.raises(EditConflict) as caught:
        edit(article, bob, "Line one. Bob adds that.", base=base)
    assert caught.value.theirs.body == "Line one. Alice adds this."
    assert caught.value.yours.body == "Line one. Bob adds that."
    assert article.revisions.count() == 2
    # Bob merges from the latest revision; both texts survive.
    edit(article, bob, "Line one. Alice adds this. Bob adds that.", base=caught.value.theirs.pk)
    article.refresh_from_db()
    assert article.body == "Line one. Alice adds this. Bob adds that."


def test_revert_makes_a_new_revision_with_the_old_text(community, member_at):
    editor = member_at(Stage.FULL)
    article = make_article(community, body="First.")
    first = article.current_revision
    edit(article, editor, "Second.")
    new = revert_to_revision(
        actor=editor, article=article, revision=first, base_revision_id=article.current_revision_id
    )
    assert new.number == 3 and new.body == "First." and new.reverted_from == first
    assert (
        revert_to_revision(actor=editor, article=article, revision=first, base_revision_id=new.pk)
        is None
    )


def test_learner_cannot_edit_directly(community, member_at):
    article = make_article(community)
    with pytest.raises(PermissionDenied):
        edit(article, member_at(Stage.PERIPHERAL), "Changed")


def test_participant_drafts_and_keeps_editing_their_own_draft(community, member_at):
    drafter = member_at(Stage.PARTICIPANT)
    article = create_article(
        actor=drafter, community=community, title="Falls", body="x", kind="guide"
    )
    assert article.status == ArticleStatus.DRAFT
    assert edit(article, drafter, "Falls risk assessment.").number == 2
    with pytest.raises(PermissionDenied):
        create_article(actor=drafter, community=community, title="P", kind="guide", publish=True)
    with pytest.raises(PermissionDenied):
        edit(article, member_at(Stage.PARTICIPANT), "Someone else's change")


def test_learner_cannot_draft(community, member_at):
    with pytest.raises(PermissionDenied):
        create_article(
            actor=member_at(Stage.PERIPHERAL), community=community, title="T", kind="faq"
        )


def propose(article, learner, body="Use ISBAR at every handover, including breaks."):
    return propose_edit(
        actor=learner,
        article=article,
        base_revision_id=article.current_revision_id,
        title=article.title,
        summary=article.summary,
        body=body,
        edit_summary="Include breaks",
    )


def test_approved_proposal_becomes_a_revision_credited_to_the_proposer(
    community, member_at, django_capture_on_commit_callbacks
):
    learner, reviewer = member_at(Stage.PERIPHERAL), member_at(Stage.FULL)
    article = make_article(community)
    proposal = propose(article, learner)
    with django_capture_on_commit_callbacks(execute=True):
        revision = approve_proposal(actor=reviewer, proposal=proposal)
    assert revision.author == learner and revision.approved_by == reviewer
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED and proposal.resulting_revision == revision
    notice = Notification.objects.get(recipient=learner)
    assert "approved" in notice.text and notice.kind == Notification.Kind.APPROVAL


def test_an_unchanged_proposal_is_not_recorded(community, member_at):
    article = make_article(community)
    assert propose(article, member_at(Stage.PERIPHERAL), body=article.body) is None


def test_approving_a_stale_proposal_asks_for_a_merge(community, member_at):
    learner, reviewer = member_at(Stage.PERIPHERAL), member_at(Stage.FULL)
    article = make_article(community, body="Base.")
    proposal = propose(article, learner, body="Base. Learner addition.")
    edit(article, reviewer, "Base. Full member addition.")
    with pytest.raises(EditConflict) as caught:
        approve_proposal(actor=reviewer, proposal=proposal)
    merged = caught.value.yours.__class__(
        article.title, "", "Base. Full member addition. Learner addition."
    )
    revision = approve_proposal(
        actor=reviewer, proposal=proposal, merged=merged, base_revision_id=caught.value.theirs.pk
    )
    assert revision.body == "Base. Full member addition. Learner addition."


def test_request_changes_and_decline_need_a_comment_and_tell_the_proposer(
    community, member_at, django_capture_on_commit_callbacks
):
    learner, reviewer = member_at(Stage.PERIPHERAL), member_at(Stage.FULL)
    article = make_article(community)
    proposal = propose(article, learner)
    with pytest.raises(ValidationError):
        request_changes(actor=reviewer, proposal=proposal, comment=" ")
    with django_capture_on_commit_callbacks(execute=True):
        request_changes(actor=reviewer, proposal=proposal, comment="Cite the policy.")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CHANGES_REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        decline_proposal(actor=reviewer, proposal=proposal, comment="Covered elsewhere.")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED
    assert Notification.objects.filter(recipient=learner).count() == 2
    assert Revision.objects.filter(article=article).count() == 1


@pytest.mark.parametrize(
    ("stage", "allowed"),
    [
        (Stage.PERIPHERAL, False),
        (Stage.PARTICIPANT, False),
        (Stage.FULL, True),
        (Stage.STEWARD, True),
    ],
)
def test_only_full_members_and_stewards_approve(community, member_at, stage, allowed):
    article = make_article(community)
    proposal = propose(article, member_at(Stage.PERIPHERAL))
    if allowed:
        assert approve_proposal(actor=member_at(stage), proposal=proposal) is not None
    else:
        with pytest.raises(PermissionDenied):
            approve_proposal(actor=member_at(stage), proposal=proposal)
