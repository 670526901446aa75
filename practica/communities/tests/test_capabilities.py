"""The stage × capability matrix, exhaustively, at the level of `can`.

Every capability is checked for every kind of actor (anonymous, a signed-in non-member,
a member of the same organisation, each member stage, a suspended member) in public,
organisation-only and private communities, against the default table; then overrides,
floors, owners and the reasons given for a refusal.
"""

import pytest

from practica.communities.capabilities import (
    DEFAULT_MINIMUM_STAGE,
    FLOOR_STAGE,
    Capability,
    CapabilityDenied,
    CommunityHidden,
    can,
    can_map,
    denial_reason,
    floor_for,
    forget_memberships,
    forget_overrides,
    join_refusal,
    minimum_stage,
    readable_communities_q,
    require,
    standing,
    visible,
)
from practica.communities.models import CapabilityOverride, Community, JoinPolicy, Visibility
from practica.communities.stages import MEMBER_STAGES, Stage
from practica.tests.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

ACTORS = [
    "anonymous",
    "outsider",
    "same_organisation",
    "peripheral",
    "participant",
    "full",
    "steward",
    "suspended_full",
    "suspended_steward",
]
VISIBILITIES = [Visibility.PUBLIC, Visibility.ORGANISATION, Visibility.PRIVATE]
STAGE_OF = {
    "peripheral": Stage.PERIPHERAL,
    "participant": Stage.PARTICIPANT,
    "full": Stage.FULL,
    "steward": Stage.STEWARD,
}


class Anonymous:
    is_authenticated = False
    pk = None
    organisation_id = None


def make_actor(kind: str, community: Community):
    if kind == "anonymous":
        return Anonymous()
    if kind == "outsider":
        return UserFactory()
    if kind == "same_organisation":
        return UserFactory(organisation=community.organisation)
    if kind.startswith("suspended_"):
        stage = STAGE_OF[kind.removeprefix("suspended_")]
        # Same organisation too: suspension must win over organisation membership.
        user = UserFactory(organisation=community.organisation)
        MembershipFactory(user=user, community=community, stage=stage, suspended=True)
        return user
    user = UserFactory()
    MembershipFactory(user=user, community=community, stage=STAGE_OF[kind])
    return user


def expected(kind: str, visibility: str, capability: str) -> bool:
    """The matrix, written out independently of capabilities.py."""
    member_stage = STAGE_OF.get(kind)
    reads = (
        visibility == Visibility.PUBLIC
        or member_stage is not None
        or (visibility == Visibility.ORGANISATION and kind == "same_organisation")
    )
    if capability == Capability.READ:
        return reads
    if member_stage is None:
        return False
    return member_stage >= DEFAULT_MINIMUM_STAGE[capability]


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("kind", ACTORS)
@pytest.mark.parametrize("capability", list(Capability))
def test_default_matrix(capability, kind, visibility):
    organisation = OrganisationFactory()
    community = CommunityFactory(visibility=visibility, organisation=organisation)
    actor = make_actor(kind, community)
    assert can(actor, capability, community=community) is expected(kind, visibility, capability)


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("kind", ACTORS)
def test_require_agrees_with_can_and_says_which_stage_unlocks(kind, visibility):
    community = CommunityFactory(visibility=visibility, organisation=OrganisationFactory())
    actor = make_actor(kind, community)
    for capability in Capability:
        allowed = can(actor, capability, community=community)
        if allowed:
            require(actor, capability, community=community)
            continue
        where = standing(actor, community)
        if not where.can_read and not where.suspended:
            # Outsiders are told nothing, not even the name: the community is a 404.
            with pytest.raises(CommunityHidden) as hidden:
                require(actor, capability, community=community)
            assert community.name not in str(hidden.value)
            continue
        with pytest.raises(CapabilityDenied) as denied:
            require(actor, capability, community=community)
        reason = str(denied.value)
        assert community.name in reason
        assert denied.value.needed_stage == minimum_stage(community, capability)
        reads = can(actor, Capability.READ, community=community)
        if reads and not kind.startswith("suspended") and capability != Capability.READ:
            assert community.stage_label(minimum_stage(community, capability)) in reason


def test_every_capability_has_a_default_and_a_floor_at_or_below_it():
    assert set(DEFAULT_MINIMUM_STAGE) == set(Capability)
    for capability in Capability:
        assert floor_for(capability) <= DEFAULT_MINIMUM_STAGE[capability]
    assert FLOOR_STAGE[Capability.CONFIGURE] == Stage.FULL


@pytest.mark.django_db
@pytest.mark.parametrize("capability", [c for c in Capability if c != Capability.READ])
@pytest.mark.parametrize("override", MEMBER_STAGES)
def test_override_moves_the_line_but_never_below_the_floor(capability, override):
    community = CommunityFactory()
    CapabilityOverride.objects.create(
        community=community, capability=capability, minimum_stage=override
    )
    effective = max(int(override), floor_for(capability))
    assert minimum_stage(community, capability) == effective
    for stage in MEMBER_STAGES:
        actor = MembershipFactory(community=community, stage=stage).user
        assert can(actor, capability, community=community) is (stage >= effective)


@pytest.mark.django_db
def test_forget_overrides_picks_up_a_changed_override():
    community = CommunityFactory()
    learner = MembershipFactory(community=community, stage=Stage.PERIPHERAL).user
    assert not can(learner, Capability.START_DISCUSSION, community=community)
    CapabilityOverride.objects.create(
        community=community, capability=Capability.START_DISCUSSION, minimum_stage=10
    )
    assert not can(learner, Capability.START_DISCUSSION, community=community)  # cached
    forget_overrides(community)
    assert can(learner, Capability.START_DISCUSSION, community=community)


@pytest.mark.django_db
def test_owner_may_accept_an_answer_to_their_own_question_but_not_others():
    community = CommunityFactory()
    learner = MembershipFactory(community=community, stage=Stage.PERIPHERAL).user

    class Thread:
        author_id = learner.pk

    class OtherThread:
        author_id = -1

    assert can(learner, Capability.ACCEPT_ANSWER, community=community, obj=Thread())
    assert not can(learner, Capability.ACCEPT_ANSWER, community=community, obj=OtherThread())


@pytest.mark.django_db
def test_a_suspended_owner_cannot_use_owner_rights():
    community = CommunityFactory()
    user = MembershipFactory(community=community, stage=Stage.PERIPHERAL, suspended=True).user

    class Thread:
        author_id = user.pk

    assert not can(user, Capability.ACCEPT_ANSWER, community=community, obj=Thread())


@pytest.mark.django_db
def test_memberships_are_loaded_once_per_user(django_assert_num_queries):
    communities = CommunityFactory.create_batch(3)
    user = UserFactory()
    for community in communities:
        MembershipFactory(user=user, community=community, stage=Stage.FULL)
        CapabilityOverride.objects.create(
            community=community, capability=Capability.MODERATE, minimum_stage=Stage.FULL
        )
    with django_assert_num_queries(1 + 3):  # memberships once, overrides once per community
        for community in communities:
            for capability in Capability:
                can(user, capability, community=community)
    forget_memberships(user)
    with django_assert_num_queries(1):
        can(user, Capability.READ, community=communities[0])


@pytest.mark.django_db
def test_can_map_names_booleans_for_templates():
    community = CommunityFactory()
    full = MembershipFactory(community=community, stage=Stage.FULL).user
    assert can_map(full, community, [Capability.EDIT_ARTICLE, Capability.CONFIGURE]) == {
        "can_edit_article": True,
        "can_configure": False,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ACTORS)
def test_visible_lists_exactly_the_communities_can_reads(kind):
    organisation = OrganisationFactory()
    communities = [
        CommunityFactory(visibility=visibility, organisation=organisation)
        for visibility in VISIBILITIES
    ]
    # One actor, made a member (or suspended) in every community at once.
    actor = make_actor(kind, communities[0])
    if kind not in ("anonymous", "outsider", "same_organisation"):
        membership = actor.memberships.get()
        for community in communities[1:]:
            MembershipFactory(
                user=actor,
                community=community,
                stage=membership.stage,
                suspended=membership.suspended,
            )
        forget_memberships(actor)
    expected_ids = {c.pk for c in communities if can(actor, Capability.READ, community=c)}
    listed = visible(
        actor, Community.objects.filter(pk__in=[c.pk for c in communities]), community_field=""
    )
    assert set(listed.values_list("pk", flat=True)) == expected_ids
    assert Community.objects.filter(readable_communities_q(actor)).filter(
        pk__in=[c.pk for c in communities]
    ).count() == len(expected_ids)


@pytest.mark.django_db
def test_suspended_member_of_the_organisation_cannot_read_its_organisation_only_community():
    organisation = OrganisationFactory()
    community = CommunityFactory(visibility=Visibility.ORGANISATION, organisation=organisation)
    user = UserFactory(organisation=organisation)
    MembershipFactory(user=user, community=community, stage=Stage.FULL, suspended=True)
    assert not can(user, Capability.READ, community=community)
    assert "suspended" in denial_reason(user, Capability.READ, community=community)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("visibility", "policy", "kind", "refused"),
    [
        (Visibility.PUBLIC, JoinPolicy.OPEN, "outsider", False),
        (Visibility.PUBLIC, JoinPolicy.REQUEST, "outsider", False),
        (Visibility.PUBLIC, JoinPolicy.INVITE, "outsider", True),
        (Visibility.PRIVATE, JoinPolicy.OPEN, "outsider", True),
        (Visibility.PRIVATE, JoinPolicy.REQUEST, "outsider", True),
        (Visibility.ORGANISATION, JoinPolicy.OPEN, "outsider", True),
        (Visibility.ORGANISATION, JoinPolicy.OPEN, "same_organisation", False),
        (Visibility.PUBLIC, JoinPolicy.OPEN, "anonymous", True),
        (Visibility.PUBLIC, JoinPolicy.OPEN, "peripheral", True),
        (Visibility.PUBLIC, JoinPolicy.OPEN, "suspended_full", True),
    ],
)
def test_join_refusal(visibility, policy, kind, refused):
    community = CommunityFactory(
        visibility=visibility, join_policy=policy, organisation=OrganisationFactory()
    )
    actor = make_actor(kind, community)
    assert bool(join_refusal(actor, community)) is refused


@pytest.mark.django_db
def test_renamed_stage_labels_appear_in_the_reason():
    community = CommunityFactory(stage_labels={"30": "Senior practitioner"})
    learner = MembershipFactory(community=community, stage=Stage.PERIPHERAL).user
    reason = denial_reason(learner, Capability.EDIT_ARTICLE, community=community)
    assert "Senior practitioners and above" in reason
