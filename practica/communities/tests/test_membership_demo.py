"""The communities demo seed: everyone in ward-care, two more communities, idempotent."""

from collections import Counter

from practica.communities.models import (
    Community,
    Invitation,
    JoinPolicy,
    JoinRequest,
    Membership,
    StageChange,
    Visibility,
)
from practica.communities.stages import Stage
from practica.demo import communities, people


def test_demo_communities_seed_once(db):
    people.seed()
    communities.seed()
    counts = (Membership.objects.count(), StageChange.objects.count(), JoinRequest.objects.count())
    communities.seed()
    assert counts == (
        Membership.objects.count(),
        StageChange.objects.count(),
        JoinRequest.objects.count(),
    )

    ward = Community.objects.get(slug="ward-care")
    stages = Counter(ward.memberships.values_list("stage", flat=True))
    assert sum(stages.values()) == 44
    assert stages[Stage.STEWARD] == 3
    assert stages[Stage.FULL] == 10
    assert stages[Stage.PARTICIPANT] == 12
    for email, stage in communities.DEMO_STAGES.items():
        assert ward.memberships.get(user__email=email).stage == stage
    joined = list(ward.memberships.values_list("joined_at", flat=True))
    assert (max(joined) - min(joined)).days > 365  # spread over the last 18 months
    learners = ward.memberships.filter(stage=Stage.PERIPHERAL)
    assert all(m.stage_changes.get().kind == StageChange.Kind.JOINED for m in learners)

    ams = Community.objects.get(slug="antimicrobial-stewardship")
    assert (ams.visibility, ams.join_policy) == (Visibility.ORGANISATION, JoinPolicy.REQUEST)
    assert ams.topics.count() >= 4 and ams.charter_html
    assert JoinRequest.objects.get(community=ams).user.email == "learner@example.com"

    teaching = Community.objects.get(slug="clinical-teaching")
    assert (teaching.visibility, teaching.join_policy) == (Visibility.PRIVATE, JoinPolicy.INVITE)
    assert teaching.memberships.filter(stage=Stage.STEWARD).exists()
    assert Invitation.objects.filter(community=teaching, accepted_at__isnull=True).count() == 1
