"""Membership services: joining, requests, invitations, leaving, creating communities."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.communities.capabilities import CapabilityDenied
from practica.communities.models import (
    Invitation,
    JoinPolicy,
    JoinRequest,
    Membership,
    StageChange,
    Visibility,
)
from practica.communities.services import membership as services
from practica.communities.stages import Stage
from practica.notifications.models import Notification
from practica.tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_joining_an_open_community_makes_a_learner_with_a_joined_record(community, user):
    membership = services.join_community(actor=user, community=community)
    assert membership.stage == Stage.PERIPHERAL
    change = StageChange.objects.get(membership=membership)
    assert change.kind == StageChange.Kind.JOINED
    assert (change.from_stage, change.to_stage) == (Stage.VISITOR, Stage.PERIPHERAL)
    assert change.changed_by == user


@pytest.mark.parametrize(
    ("visibility", "policy"),
    [
        (Visibility.PRIVATE, JoinPolicy.OPEN),
        (Visibility.PUBLIC, JoinPolicy.INVITE),
        (Visibility.PUBLIC, JoinPolicy.REQUEST),
    ],
)
def test_joining_directly_is_refused_unless_open_and_readable(visibility, policy, user):
    community = CommunityFactory(visibility=visibility, join_policy=policy)
    with pytest.raises(PermissionDenied):
        services.join_community(actor=user, community=community)
    assert not Membership.objects.filter(user=user).exists()


def test_join_request_notifies_stewards_and_refuses_a_duplicate(
    django_capture_on_commit_callbacks, user
):
    community = CommunityFactory(join_policy=JoinPolicy.REQUEST)
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    with django_capture_on_commit_callbacks(execute=True):
        services.request_to_join(actor=user, community=community, message="Hello")
    assert Notification.objects.filter(recipient=steward, kind="steward").count() == 1
    with pytest.raises(services.MembershipRefused, match="already asked"):
        services.request_to_join(actor=user, community=community)
    assert JoinRequest.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("approve", [True, False])
def test_deciding_a_join_request_tells_the_requester(
    django_capture_on_commit_callbacks, user, approve
):
    community = CommunityFactory(join_policy=JoinPolicy.REQUEST)
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    join_request = services.request_to_join(actor=user, community=community)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_join_request(
            actor=steward, join_request=join_request, approve=approve, note="See you Tuesday"
        )
    join_request.refresh_from_db()
    assert join_request.decided_by == steward
    assert join_request.note == "See you Tuesday"
    assert Membership.objects.filter(user=user, community=community).exists() is approve
    notice = Notification.objects.get(recipient=user)
    assert ("approved" if approve else "declined") in notice.text
    assert "See you Tuesday" in notice.text
    with pytest.raises(services.MembershipRefused, match="already been decided"):
        services.decide_join_request(actor=steward, join_request=join_request, approve=True)


def test_a_full_member_cannot_decide_join_requests(user):
    community = CommunityFactory(join_policy=JoinPolicy.REQUEST)
    full = MembershipFactory(community=community, stage=Stage.FULL).user
    join_request = services.request_to_join(actor=user, community=community)
    with pytest.raises(CapabilityDenied, match="Stewards and above"):
        services.decide_join_request(actor=full, join_request=join_request, approve=True)


def test_invitation_emails_a_signed_link_that_joins_a_private_community(
    django_capture_on_commit_callbacks, mailoutbox
):
    community = CommunityFactory(visibility=Visibility.PRIVATE, join_policy=JoinPolicy.INVITE)
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite(actor=steward, community=community, email="ana@example.org")
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ana@example.org"]
    link = services.invitation_url(invitation)
    assert link in mailoutbox[0].body
    invitee = UserFactory(email="ana@example.org")
    token = link.rstrip("/").rsplit("/", 1)[1]
    membership = services.accept_invitation(actor=invitee, community=community, token=token)
    assert membership.stage == Stage.PERIPHERAL
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee
    assert StageChange.objects.get(membership=membership).changed_by == steward
    with pytest.raises(services.MembershipRefused, match="already been used"):
        services.accept_invitation(actor=UserFactory(), community=community, token=token)


def test_an_invitation_for_an_address_already_waiting_or_a_member_is_refused():
    community = CommunityFactory()
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    services.invite(actor=steward, community=community, email="x@example.org")
    with pytest.raises(ValidationError, match="already has an invitation waiting"):
        services.invite(actor=steward, community=community, email="X@example.org")
    with pytest.raises(ValidationError, match="already a member"):
        services.invite(actor=steward, community=community, email=steward.email)


def test_invitations_are_rate_limited_per_steward():
    community = CommunityFactory()
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    for n in range(services.INVITATIONS_PER_HOUR):
        services.invite(actor=steward, community=community, email=f"p{n}@example.org")
    with pytest.raises(services.MembershipRefused, match="in the last hour"):
        services.invite(actor=steward, community=community, email="one-more@example.org")
    assert Invitation.objects.count() == services.INVITATIONS_PER_HOUR


def test_expired_tampered_revoked_and_foreign_tokens_are_refused():
    community = CommunityFactory(visibility=Visibility.PRIVATE)
    other = CommunityFactory()
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    invitation = services.invite(actor=steward, community=community, email="a@example.org")
    token = services.invitation_token(invitation)
    with pytest.raises(services.MembershipRefused, match="not valid"):
        services.invitation_from_token(token[:-2] + "xx", community=community)
    with pytest.raises(services.MembershipRefused, match="not valid for this community"):
        services.invitation_from_token(token, community=other)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    with pytest.raises(services.MembershipRefused, match="expired"):
        services.invitation_from_token(token, community=community)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(days=1), revoked_at=timezone.now()
    )
    with pytest.raises(services.MembershipRefused, match="withdrawn"):
        services.invitation_from_token(token, community=community)


def test_a_signature_older_than_fourteen_days_is_expired(monkeypatch):
    community = CommunityFactory()
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    invitation = services.invite(actor=steward, community=community, email="a@example.org")
    token = services.invitation_token(invitation)
    later = (timezone.now() + timedelta(days=15)).timestamp()
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    with pytest.raises(services.MembershipRefused, match="expired"):
        services.invitation_from_token(token, community=community)


def test_the_last_steward_cannot_leave_but_others_can(community):
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    learner = MembershipFactory(community=community, stage=Stage.PERIPHERAL).user
    with pytest.raises(services.MembershipRefused, match="last steward"):
        services.leave_community(actor=steward, community=community)
    services.leave_community(actor=learner, community=community)
    assert not Membership.objects.filter(user=learner).exists()
    second = MembershipFactory(community=community, stage=Stage.STEWARD).user
    services.leave_community(actor=steward, community=community)
    assert list(community.memberships.values_list("user", flat=True)) == [second.pk]


def test_a_suspended_steward_does_not_count_as_the_remaining_steward(community):
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    MembershipFactory(community=community, stage=Stage.STEWARD, suspended=True)
    with pytest.raises(services.MembershipRefused, match="last steward"):
        services.leave_community(actor=steward, community=community)


def test_a_suspended_member_cannot_leave_to_lift_the_suspension(community):
    user = MembershipFactory(community=community, stage=Stage.FULL, suspended=True).user
    with pytest.raises(services.MembershipRefused, match="suspended"):
        services.leave_community(actor=user, community=community)


def test_only_staff_create_communities_and_the_creator_becomes_steward():
    with pytest.raises(PermissionDenied, match="staff"):
        services.create_community(actor=UserFactory(), name="Wound care", slug="wound-care")
    staff = UserFactory(is_staff=True)
    community = services.create_community(
        actor=staff, name="Wound care", slug="", charter="# Hello <script>x</script>"
    )
    assert community.slug == "wound-care"
    assert "<script>" not in community.charter_html
    membership = Membership.objects.get(community=community)
    assert (membership.user, membership.stage) == (staff, Stage.STEWARD)
    assert membership.stage_changes.get().kind == StageChange.Kind.JOINED


def test_organisation_only_needs_an_organisation():
    staff = UserFactory(is_staff=True)
    with pytest.raises(ValidationError, match="belong to an organisation"):
        services.create_community(
            actor=staff, name="X", slug="x", visibility=Visibility.ORGANISATION
        )


def test_joining_by_invitation_settles_a_pending_request(user):
    community = CommunityFactory(join_policy=JoinPolicy.REQUEST)
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    join_request = services.request_to_join(actor=user, community=community)
    invitation = services.invite(actor=steward, community=community, email=user.email)
    services.accept_invitation(
        actor=user, community=community, token=services.invitation_token(invitation)
    )
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
