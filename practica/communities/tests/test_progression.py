"""The progression engine, the evaluator and the default rules."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from practica.communities import progression_sources
from practica.communities.models import (
    CriterionKind,
    Endorsement,
    Membership,
    ProgressionRule,
    PromotionRequest,
    StageChange,
)
from practica.communities.progression import DEFAULT_RULES, ensure_default_rules, trajectory_for
from practica.communities.services.progression import (
    evaluate_membership,
    request_evaluation,
)
from practica.communities.stages import Stage
from practica.notifications.models import Notification
from practica.tests.factories import CommunityFactory, MembershipFactory

OWN_KINDS = {CriterionKind.DAYS_SINCE_JOINING, CriterionKind.ENDORSEMENTS}


@pytest.fixture(autouse=True)
def only_own_sources(monkeypatch):
    """Start from the sources this app counts itself, whatever other apps have registered."""
    for kind in CriterionKind:
        if kind not in OWN_KINDS:
            monkeypatch.delitem(progression_sources._SOURCES, kind, raising=False)


@pytest.fixture
def counts(monkeypatch):
    """`counts(contributions=3, helpful=1)` registers fake sources for the other apps' kinds."""

    def register(**values):
        for kind, value in values.items():
            monkeypatch.setitem(
                progression_sources._SOURCES, CriterionKind(kind), lambda m, c, v=value: v
            )

    return register


def joined(days: int):
    return timezone.now() - timedelta(days=days, hours=1)


def test_a_new_community_gets_the_default_rules(db):
    community = CommunityFactory()
    rules = {r.from_stage: r for r in community.progression_rules.prefetch_related("criteria")}
    assert set(rules) == {Stage.PERIPHERAL, Stage.PARTICIPANT, Stage.FULL}
    first = rules[Stage.PERIPHERAL]
    assert first.to_stage == Stage.PARTICIPANT and not first.requires_approval
    assert [(c.kind, c.threshold) for c in first.criteria.all()] == [
        ("days", 7),
        ("contributions", 3),
        ("helpful", 1),
    ]
    second = rules[Stage.PARTICIPANT]
    assert second.requires_approval and not second.manual_only
    assert [(c.kind, c.threshold) for c in second.criteria.all()] == [
        ("days", 30),
        ("contributions", 20),
        ("helpful_or_accepted", 5),
        ("endorsements", 2),
    ]
    assert rules[Stage.FULL].manual_only and rules[Stage.FULL].to_stage == Stage.STEWARD


def test_ensure_default_rules_is_idempotent(community):
    assert ensure_default_rules(community) == []
    assert community.progression_rules.count() == len(DEFAULT_RULES)


def test_criteria_without_a_source_show_as_not_yet_available_and_never_met(community):
    membership = MembershipFactory(community=community, joined_at=joined(40))
    trajectory = trajectory_for(membership)
    by_kind = {c.kind: c for c in trajectory.criteria}
    assert by_kind["days"].available and by_kind["days"].met
    assert by_kind["days"].label == "Days since joining: 40 (needs 7)"
    contributions = by_kind["contributions"]
    assert not contributions.available and not contributions.met
    assert contributions.label.endswith("not yet available")
    assert not trajectory.due


def test_unavailable_criteria_block_automatic_promotion(community):
    membership = MembershipFactory(community=community, joined_at=joined(40))
    assert evaluate_membership(membership_id=membership.pk) == "unchanged"
    membership.refresh_from_db()
    assert membership.stage == Stage.PERIPHERAL
    assert not StageChange.objects.exists()


def test_labels_and_progress(community, counts):
    counts(contributions=2, helpful=0)
    membership = MembershipFactory(community=community, joined_at=joined(3))
    trajectory = trajectory_for(membership)
    labels = [c.label for c in trajectory.criteria]
    assert labels == [
        "Days since joining: 3 of 7",
        "Contributions (posts and replies): 2 of 3",
        "Helpful marks received: 0 of 1",
    ]
    assert [c.percent for c in trajectory.criteria] == [43, 67, 0]
    assert trajectory.next_label == "Participant"
    assert len(trajectory.next_steps()) == 3


def test_automatic_promotion_happens_and_is_recorded(
    community, counts, django_capture_on_commit_callbacks
):
    counts(contributions=3, helpful=1)
    membership = MembershipFactory(community=community, joined_at=joined(8))
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluate_membership(membership_id=membership.pk) == "promoted"
    membership.refresh_from_db()
    assert membership.stage == Stage.PARTICIPANT
    change = StageChange.objects.get(membership=membership)
    assert change.kind == "promoted" and change.changed_by is None
    assert change.rule.from_stage == Stage.PERIPHERAL
    assert "Contributions (posts and replies): 3 (needs 3)" in change.reason
    note = Notification.objects.get(recipient=membership.user)
    assert note.kind == Notification.Kind.STAGE_CHANGE
    assert "Participant" in note.text


def test_promotion_needing_approval_opens_one_request_with_evidence(
    community, counts, member_at, django_capture_on_commit_callbacks
):
    steward = member_at(Stage.STEWARD)
    counts(contributions=25, helpful_or_accepted=6)
    membership = MembershipFactory(
        community=community, stage=Stage.PARTICIPANT, joined_at=joined(45)
    )
    for _ in range(2):
        Endorsement.objects.create(
            community=community, endorser=member_at(Stage.FULL), endorsee=membership.user
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluate_membership(membership_id=membership.pk) == "requested"
        assert evaluate_membership(membership_id=membership.pk) == "waiting"
    membership.refresh_from_db()
    assert membership.stage == Stage.PARTICIPANT
    request = PromotionRequest.objects.get(membership=membership)
    assert request.status == "pending" and request.to_stage == Stage.FULL
    assert {row["kind"]: row["current"] for row in request.evidence} == {
        "days": 45,
        "contributions": 25,
        "helpful_or_accepted": 6,
        "endorsements": 2,
    }
    assert Notification.objects.filter(recipient=steward, kind="steward").count() == 1
    assert Notification.objects.filter(recipient=membership.user, kind="approval").count() == 1


def test_endorsements_count_only_from_members_at_full_stage_or_above(community, member_at):
    membership = MembershipFactory(community=community, stage=Stage.PARTICIPANT)
    for stage in [Stage.PERIPHERAL, Stage.PARTICIPANT, Stage.FULL, Stage.STEWARD]:
        Endorsement.objects.create(
            community=community, endorser=member_at(stage), endorsee=membership.user
        )
    endorsements = {c.kind: c for c in trajectory_for(membership).criteria}["endorsements"]
    assert endorsements.current == 2


def test_an_automatic_promotion_can_chain_into_a_request(community, counts, member_at):
    counts(contributions=30, helpful=3, helpful_or_accepted=9)
    membership = MembershipFactory(community=community, joined_at=joined(60))
    for _ in range(2):
        Endorsement.objects.create(
            community=community, endorser=member_at(Stage.FULL), endorsee=membership.user
        )
    assert evaluate_membership(membership_id=membership.pk) == "promoted"
    membership.refresh_from_db()
    assert membership.stage == Stage.PARTICIPANT
    assert PromotionRequest.objects.filter(membership=membership, status="pending").count() == 1


def test_manual_only_rules_and_suspended_members_never_promote(community, counts):
    counts(contributions=99, helpful=99)
    full = MembershipFactory(community=community, stage=Stage.FULL, joined_at=joined(400))
    suspended = MembershipFactory(community=community, suspended=True, joined_at=joined(40))
    assert evaluate_membership(membership_id=full.pk) == "unchanged"
    assert evaluate_membership(membership_id=suspended.pk) == "unchanged"
    assert not trajectory_for(full).due


def test_a_rule_with_no_criteria_promotes_nobody(community):
    rule = ProgressionRule.objects.get(community=community, from_stage=Stage.PERIPHERAL)
    rule.criteria.all().delete()
    membership = MembershipFactory(community=community)
    assert evaluate_membership(membership_id=membership.pk) == "unchanged"


def test_request_evaluation_runs_the_task_after_commit(
    community, counts, django_capture_on_commit_callbacks
):
    counts(contributions=3, helpful=1)
    membership = MembershipFactory(community=community, joined_at=joined(8))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request_evaluation(membership.pk)
    membership.refresh_from_db()
    assert membership.stage == Stage.PERIPHERAL  # nothing before the commit
    for callback in callbacks:
        callback()
    membership.refresh_from_db()
    assert membership.stage == Stage.PARTICIPANT


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_applies_a_queued_evaluation(counts):
    counts(contributions=3, helpful=1)
    community = CommunityFactory()
    membership = MembershipFactory(community=community, joined_at=joined(8))
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        request_evaluation(membership.pk)
        from django_tasks_db.models import DBTaskResult

        assert DBTaskResult.objects.filter(task_path__endswith="evaluate_pending").count() == 1
        membership.refresh_from_db()
        assert membership.stage == Stage.PERIPHERAL
        call_command("db_worker", batch=True, queue_name="*", reload=False, interval=0)
        ours = DBTaskResult.objects.filter(task_path__endswith="evaluate_pending")
        assert [r.status for r in ours] == ["SUCCESSFUL"], [r.traceback for r in ours]
    membership.refresh_from_db()
    assert membership.stage == Stage.PARTICIPANT
    assert Membership.objects.get(pk=membership.pk).stage_changes.get().rule is not None
