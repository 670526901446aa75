"""The trajectory demo seed: plausible, honest and idempotent."""

from practica.communities.models import (
    Community,
    Endorsement,
    Membership,
    Mentorship,
    PromotionRequest,
    StageChange,
)
from practica.communities.progression import trajectory_for
from practica.communities.stages import Stage
from practica.demo import communities, people, trajectory
from practica.tests.factories import MembershipFactory


def test_the_seed_builds_the_demo_trajectory_once(db):
    people.seed()
    communities.seed()
    ward = Community.objects.get(slug="ward-care")
    # Colleagues at every stage, however many the communities seed adds.
    for stage in [Stage.PERIPHERAL] * 3 + [Stage.PARTICIPANT] * 2 + [Stage.FULL] * 2:
        MembershipFactory(community=ward, stage=stage)
    trajectory.seed()
    counts = (
        StageChange.objects.count(),
        Endorsement.objects.count(),
        Mentorship.objects.count(),
        PromotionRequest.objects.count(),
    )
    trajectory.seed()
    assert counts == (
        StageChange.objects.count(),
        Endorsement.objects.count(),
        Mentorship.objects.count(),
        PromotionRequest.objects.count(),
    )
    learner = Membership.objects.select_related("community", "user").get(
        user__email="learner@example.com", community__slug="ward-care"
    )
    days = {c.kind: c for c in trajectory_for(learner).criteria}["days"]
    assert days.met and 9 <= days.current <= 11
    assert Mentorship.objects.filter(
        mentor__email="full@example.com", mentee=learner.user, status="active"
    ).exists()
    assert Endorsement.objects.filter(endorsee=learner.user).count() == 1
    steward = Membership.objects.get(user__email="steward@example.com")
    assert [c.to_stage for c in steward.stage_changes.order_by("created_at")] == [
        Stage.PERIPHERAL,
        Stage.PARTICIPANT,
        Stage.FULL,
        Stage.STEWARD,
    ]
    for membership in Membership.objects.filter(stage__gt=Stage.PERIPHERAL):
        assert membership.stage_changes.exists()
        assert membership.stage_changes.earliest("created_at").created_at >= membership.joined_at
    request = PromotionRequest.objects.get(status="pending")
    assert request.membership.user.email != "participant@example.com"
    evidence = {row["kind"]: row for row in request.evidence}
    assert evidence["days"]["met"] and evidence["endorsements"]["current"] == 2
    assert Mentorship.objects.filter(status="active").count() == 3


def test_the_demo_promotion_waiting_states_every_criterion_including_the_assessment(db):
    from practica.demo import learning

    people.seed()
    communities.seed()
    ward = Community.objects.get(slug="ward-care")
    for stage in [Stage.PARTICIPANT] * 2 + [Stage.FULL] * 2:
        MembershipFactory(community=ward, stage=stage)
    trajectory.seed()
    learning.seed()
    request = PromotionRequest.objects.get(status="pending")
    kinds = [row["kind"] for row in request.evidence]
    assert "assessment" in kinds
    assert not request.all_met and request.unmet
