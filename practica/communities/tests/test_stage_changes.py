"""Stewards promote, demote, suspend and reinstate by hand, with reasons; abuse is refused."""

import pytest

from practica.communities.models import CapabilityOverride, Membership, StageChange
from practica.communities.stages import Stage
from practica.notifications.models import Notification


def member_url(community, user, action):
    return f"/c/{community.slug}/members/{user.username}/{action}/"


@pytest.fixture
def steward(member_at):
    return member_at(Stage.STEWARD)


def stage_of(user, community):
    return Membership.objects.get(user=user, community=community)


def test_the_manage_page_is_for_stewards(client, community, steward, member_at):
    learner = member_at(Stage.PERIPHERAL)
    client.force_login(steward)
    response = client.get(member_url(community, learner, "manage"))
    assert response.status_code == 200
    assert "Promote" in response.content.decode()
    client.force_login(member_at(Stage.FULL))
    assert client.get(member_url(community, learner, "manage")).status_code == 403


def test_a_steward_promotes_with_a_reason_and_the_member_is_told(
    client, community, steward, member_at, django_capture_on_commit_callbacks
):
    learner = member_at(Stage.PERIPHERAL)
    client.force_login(steward)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            member_url(community, learner, "promote"),
            {"promote-to_stage": Stage.FULL, "promote-reason": "Leads our handover project."},
        )
    assert response.status_code == 302
    membership = stage_of(learner, community)
    assert membership.stage == Stage.FULL
    change = StageChange.objects.get(membership=membership)
    assert (change.kind, change.changed_by, change.rule) == ("promoted", steward, None)
    assert change.reason == "Leads our handover project."
    assert Notification.objects.filter(recipient=learner, kind="stage_change").exists()
    html = client.get(member_url(community, learner, "manage")).content.decode()
    assert "Leads our handover project." in html


def test_a_stage_change_without_a_reason_is_refused_and_keeps_the_choice(
    client, community, steward, member_at
):
    learner = member_at(Stage.PARTICIPANT)
    client.force_login(steward)
    response = client.post(
        member_url(community, learner, "demote"),
        {"demote-to_stage": Stage.PERIPHERAL, "demote-reason": "  "},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give a reason" in html
    assert f'<option value="{Stage.PERIPHERAL}" selected>' in html
    assert stage_of(learner, community).stage == Stage.PARTICIPANT
    assert not StageChange.objects.exists()


def test_a_steward_cannot_change_their_own_stage(client, community, steward, member_at):
    member_at(Stage.STEWARD)
    client.force_login(steward)
    response = client.post(
        member_url(community, steward, "demote"),
        {"demote-to_stage": Stage.FULL, "demote-reason": "Stepping back."},
    )
    assert response.status_code == 400
    assert "You can&#x27;t change your own stage" in response.content.decode()
    assert stage_of(steward, community).stage == Stage.STEWARD


def test_a_learner_cannot_promote_themselves(client, community, member_at):
    learner = member_at(Stage.PERIPHERAL)
    client.force_login(learner)
    response = client.post(
        member_url(community, learner, "promote"),
        {"promote-to_stage": Stage.FULL, "promote-reason": "I deserve it."},
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Stewards and above may promote, demote and suspend members" in html
    assert stage_of(learner, community).stage == Stage.PERIPHERAL


def test_a_forged_promote_post_names_the_stage_that_unlocks_it(client, community, member_at):
    learner, other = member_at(Stage.PERIPHERAL), member_at(Stage.PERIPHERAL)
    client.force_login(learner)
    response = client.post(
        member_url(community, other, "promote"),
        {"promote-to_stage": Stage.PARTICIPANT, "promote-reason": "Forged."},
    )
    assert response.status_code == 403
    assert "Stewards and above" in response.content.decode()
    assert stage_of(other, community).stage == Stage.PERIPHERAL
    assert not StageChange.objects.exists()


def test_demoting_the_last_steward_is_refused(client, community, member_at):
    CapabilityOverride.objects.create(
        community=community, capability="manage_members", minimum_stage=Stage.FULL
    )
    only_steward, full = member_at(Stage.STEWARD), member_at(Stage.FULL)
    client.force_login(full)
    response = client.post(
        member_url(community, only_steward, "demote"),
        {"demote-to_stage": Stage.FULL, "demote-reason": "Coup."},
    )
    assert response.status_code == 400
    assert "is the last steward" in response.content.decode()
    assert stage_of(only_steward, community).stage == Stage.STEWARD
    response = client.post(
        member_url(community, only_steward, "suspend"), {"suspend-reason": "Coup."}
    )
    assert response.status_code == 400
    assert not stage_of(only_steward, community).suspended


def test_a_steward_can_demote_another_steward_when_one_remains(
    client, community, steward, member_at
):
    other = member_at(Stage.STEWARD)
    client.force_login(steward)
    response = client.post(
        member_url(community, other, "demote"),
        {"demote-to_stage": Stage.FULL, "demote-reason": "Asked to step back."},
    )
    assert response.status_code == 302
    assert stage_of(other, community).stage == Stage.FULL


def test_suspend_and_reinstate_are_recorded(client, community, steward, member_at):
    learner = member_at(Stage.PARTICIPANT)
    client.force_login(steward)
    client.post(
        member_url(community, learner, "suspend"), {"suspend-reason": "Shared a patient photo."}
    )
    assert stage_of(learner, community).suspended
    client.post(
        member_url(community, learner, "suspend"), {"suspend-reason": "Completed training."}
    )
    membership = stage_of(learner, community)
    assert not membership.suspended and membership.stage == Stage.PARTICIPANT
    assert list(membership.stage_changes.values_list("kind", flat=True)) == [
        "reinstated",
        "suspended",
    ]


def test_promote_only_offers_higher_stages(client, community, steward, member_at):
    participant = member_at(Stage.PARTICIPANT)
    client.force_login(steward)
    response = client.post(
        member_url(community, participant, "promote"),
        {"promote-to_stage": Stage.PERIPHERAL, "promote-reason": "Wrong way."},
    )
    assert response.status_code == 400
    assert stage_of(participant, community).stage == Stage.PARTICIPANT


@pytest.mark.parametrize("rows", [1, 25])
def test_the_manage_page_uses_a_constant_number_of_queries(
    client, community, steward, member_at, django_assert_max_num_queries, rows
):
    learner = member_at(Stage.PERIPHERAL)
    membership = stage_of(learner, community)
    for _ in range(rows):
        member_at(Stage.FULL)  # each one is a possible mentor
        StageChange.objects.create(
            membership=membership,
            kind="promoted",
            from_stage=Stage.PERIPHERAL,
            to_stage=Stage.PARTICIPANT,
            changed_by=member_at(Stage.STEWARD),
            reason="History",
        )
    client.force_login(steward)
    with django_assert_max_num_queries(20):
        response = client.get(member_url(community, learner, "manage"))
    assert response.status_code == 200
