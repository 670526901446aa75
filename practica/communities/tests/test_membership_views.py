"""Joining, leaving, invitations and join requests through the pages, including abuse:
each refusal has a clear message and changes nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

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


def text(response) -> str:
    return response.content.decode()


def test_join_button_joins_an_open_community(client, community, user):
    client.force_login(user)
    home = client.get(community.get_absolute_url())
    assert f"Join {community.name}" in text(home)
    response = client.post(reverse("communities:join", args=[community.slug]), follow=True)
    assert "Welcome to" in text(response)
    membership = Membership.objects.get(user=user, community=community)
    assert membership.stage == Stage.PERIPHERAL
    assert membership.stage_changes.get().kind == StageChange.Kind.JOINED
    assert "You are a member" in text(response)
    assert "Learner" in text(response)


def test_joining_a_private_community_without_an_invitation_is_refused(client, user):
    community = CommunityFactory(visibility=Visibility.PRIVATE)
    client.force_login(user)
    response = client.post(reverse("communities:join", args=[community.slug]))
    assert response.status_code == 404
    assert community.name not in text(response)
    assert not Membership.objects.filter(user=user).exists()


def test_joining_an_invite_only_community_without_an_invitation_is_refused(client, user):
    community = CommunityFactory(join_policy=JoinPolicy.INVITE)
    client.force_login(user)
    home = client.get(community.get_absolute_url())
    assert "by invitation only" in text(home)
    assert f"Join {community.name}" not in text(home)
    for method in (client.get, client.post):
        response = method(reverse("communities:join", args=[community.slug]))
        assert response.status_code == 403
        assert "by invitation only: ask a steward to invite you" in text(response)
    assert not Membership.objects.filter(user=user).exists()


def test_request_to_join_then_a_duplicate_is_refused(
    client, user, django_capture_on_commit_callbacks
):
    community = CommunityFactory(join_policy=JoinPolicy.REQUEST)
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    client.force_login(user)
    url = reverse("communities:join", args=[community.slug])
    assert "Message to the stewards" in text(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"message": "I run the night shift on ward 4."}, follow=True)
    assert "Your request is with the stewards" in text(response)
    assert "Request sent" in text(response)
    again = client.post(url, {"message": "Again"}, follow=True)
    assert "You have already asked to join" in text(again)
    assert JoinRequest.objects.filter(user=user, community=community).count() == 1
    assert JoinRequest.objects.get().message == "I run the night shift on ward 4."
    assert Notification.objects.filter(recipient=steward).count() == 1


def test_steward_approves_a_request_with_a_note_and_the_requester_is_told(
    client, user, django_capture_on_commit_callbacks
):
    community = CommunityFactory(join_policy=JoinPolicy.REQUEST)
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    join_request = JoinRequest.objects.create(community=community, user=user, message="Hi")
    client.force_login(steward)
    home = client.get(community.get_absolute_url())
    assert "1 request to join" in text(home)
    page = client.get(reverse("communities:join-requests", args=[community.slug]))
    assert user.name in text(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("communities:join-request-decide", args=[community.slug, join_request.pk]),
            {"decision": "approve", "note": "Welcome aboard"},
            follow=True,
        )
    assert f"{user.name} is now a member" in text(response)
    assert Membership.objects.filter(user=user, community=community).exists()
    notice = Notification.objects.get(recipient=user)
    assert "approved" in notice.text and "Welcome aboard" in notice.text


def test_steward_declines_a_request(client, user, django_capture_on_commit_callbacks):
    community = CommunityFactory(join_policy=JoinPolicy.REQUEST)
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    join_request = JoinRequest.objects.create(community=community, user=user)
    client.force_login(steward)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("communities:join-request-decide", args=[community.slug, join_request.pk]),
            {"decision": "decline", "note": "This group is for the ward team only."},
        )
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.DECLINED
    assert not Membership.objects.filter(user=user, community=community).exists()
    assert "declined" in Notification.objects.get(recipient=user).text


def test_a_forged_decision_value_changes_nothing(client, user):
    community = CommunityFactory(join_policy=JoinPolicy.REQUEST)
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    join_request = JoinRequest.objects.create(community=community, user=user)
    client.force_login(steward)
    response = client.post(
        reverse("communities:join-request-decide", args=[community.slug, join_request.pk]),
        {"decision": "promote-to-steward"},
        follow=True,
    )
    assert "Choose whether to approve or decline" in text(response)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING


def test_the_last_steward_cannot_leave(client, community):
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    client.force_login(steward)
    page = client.get(reverse("communities:leave", args=[community.slug]))
    assert "You are the last steward" in text(page)
    response = client.post(reverse("communities:leave", args=[community.slug]), follow=True)
    assert "You are the last steward" in text(response)
    assert Membership.objects.filter(user=steward, community=community).exists()


def test_a_member_leaves(client, community):
    member = MembershipFactory(community=community, stage=Stage.PARTICIPANT).user
    client.force_login(member)
    response = client.post(reverse("communities:leave", args=[community.slug]), follow=True)
    assert f"You have left {community.name}" in text(response)
    assert not Membership.objects.filter(user=member, community=community).exists()


def test_steward_invites_by_email_and_the_invitee_accepts(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    community = CommunityFactory(visibility=Visibility.PRIVATE, join_policy=JoinPolicy.INVITE)
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    client.force_login(steward)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("communities:invite", args=[community.slug]),
            {"email": "newcomer@example.org"},
            follow=True,
        )
    assert "Invitation sent to newcomer@example.org" in text(response)
    assert "waiting, until" in text(response)
    body = mailoutbox[0].body
    path = body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    client.logout()
    anonymous = client.get(path)
    assert anonymous.status_code == 200
    assert "Log in, or create an account" in text(anonymous)
    invitee = UserFactory(email="newcomer@example.org")
    client.force_login(invitee)
    assert "Accept and join" in text(client.get(path))
    response = client.post(path, follow=True)
    assert f"Welcome to {community.name}" in text(response)
    assert Membership.objects.get(user=invitee, community=community).stage == Stage.PERIPHERAL
    again = client.get(path)
    assert again.status_code == 400
    assert "already been used" in text(again)


def test_an_invalid_email_keeps_what_was_typed(client, community):
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    client.force_login(steward)
    response = client.post(
        reverse("communities:invite", args=[community.slug]), {"email": "not-an-address"}
    )
    assert response.status_code == 400
    assert "Enter an email address such as" in text(response)
    assert 'value="not-an-address"' in text(response)
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("problem", ["expired", "tampered", "revoked"])
def test_a_bad_invitation_link_explains_and_changes_nothing(client, user, problem):
    community = CommunityFactory(visibility=Visibility.PRIVATE, join_policy=JoinPolicy.INVITE)
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    invitation = services.invite(actor=steward, community=community, email=user.email)
    token = services.invitation_token(invitation)
    if problem == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        message = "This invitation has expired"
    elif problem == "tampered":
        # Someone edits the id inside the token to reach another invitation.
        token = "9999" + token[token.index(":") :]
        message = "This invitation link is not valid"
    else:
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
        message = "withdrawn"
    client.force_login(user)
    url = reverse("communities:invitation-accept", args=[community.slug, token])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert message in text(response)
        assert "Nothing has changed" in text(response)
    assert not Membership.objects.filter(user=user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_learner_forging_a_settings_post_gets_403_and_changes_nothing(client, community):
    learner = MembershipFactory(community=community, stage=Stage.PERIPHERAL).user
    client.force_login(learner)
    response = client.post(
        reverse("communities:settings", args=[community.slug]),
        {"section": "capabilities", "configure": "10", "moderate": "10"},
    )
    assert response.status_code == 403
    assert "Stewards and above may configure the community" in text(response)
    assert "You are a Learner" in text(response)
    assert not community.capability_overrides.exists()


def test_a_learner_forging_an_invitation_gets_403(client, community, mailoutbox):
    learner = MembershipFactory(community=community, stage=Stage.PERIPHERAL).user
    client.force_login(learner)
    response = client.post(
        reverse("communities:invite", args=[community.slug]), {"email": "friend@example.org"}
    )
    assert response.status_code == 403
    assert "Stewards and above may" in text(response)
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_steward_withdraws_an_invitation(client, community):
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    invitation = services.invite(actor=steward, community=community, email="x@example.org")
    client.force_login(steward)
    response = client.post(
        reverse("communities:invitation-revoke", args=[community.slug, invitation.pk]),
        follow=True,
    )
    assert "is withdrawn" in text(response)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_opening_the_request_page_again_says_the_request_is_waiting(client, user):
    community = CommunityFactory(join_policy=JoinPolicy.REQUEST)
    JoinRequest.objects.create(community=community, user=user)
    client.force_login(user)
    response = client.get(reverse("communities:join", args=[community.slug]), follow=True)
    assert "You have already asked to join" in text(response)
    assert JoinRequest.objects.count() == 1
