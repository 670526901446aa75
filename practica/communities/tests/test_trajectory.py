"""The trajectory pages: mine, and a member's for stewards and mentors."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities import progression_sources
from practica.communities.models import (
    CriterionKind,
    Endorsement,
    Membership,
    Mentorship,
    PromotionRequest,
    StageChange,
)
from practica.communities.stages import Stage


def url(community, username=None):
    if username:
        return f"/c/{community.slug}/members/{username}/trajectory/"
    return f"/c/{community.slug}/trajectory/"


def test_anonymous_visitors_are_sent_to_log_in(client, community):
    response = client.get(url(community))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_non_member_is_invited_to_join(client, community, user):
    client.force_login(user)
    response = client.get(url(community))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You aren’t a member yet" in html
    assert f'href="/c/{community.slug}/"' in html


def test_a_learner_sees_stage_criteria_and_next_steps(client, community, member_at, monkeypatch):
    # Contributions count from the conversations app; here it is as if it weren't built yet.
    monkeypatch.delitem(progression_sources._SOURCES, CriterionKind.CONTRIBUTIONS, raising=False)
    monkeypatch.delitem(progression_sources._SOURCES, CriterionKind.HELPFUL_MARKS, raising=False)
    learner = member_at(Stage.PERIPHERAL)
    Membership.objects.filter(user=learner).update(
        joined_at=timezone.now() - timedelta(days=10, hours=1)
    )
    client.force_login(learner)
    response = client.get(url(community))
    assert response.status_code == 200
    html = response.content.decode()
    assert "My trajectory" in html
    assert 'class="stage stage-10"' in html and ">Learner<" in html  # the lanyard
    assert "Learner → Participant" in html
    assert "Days since joining: 10 (needs 7)" in html
    assert "Contributions (posts and replies)</span>" in html and "Not yet available" in html
    assert 'class="criterion met"' in html
    assert 'class="criterion unavailable"' in html
    assert "What to do next" in html
    assert "Stage history" in html


def test_pending_approval_and_history_are_shown(client, community, member_at):
    participant = member_at(Stage.PARTICIPANT)
    steward = member_at(Stage.STEWARD)
    membership = Membership.objects.get(user=participant)
    StageChange.objects.create(
        membership=membership,
        kind="promoted",
        from_stage=Stage.PERIPHERAL,
        to_stage=Stage.PARTICIPANT,
        changed_by=steward,
        reason="Great first month on the ward.",
    )
    rule = community.progression_rules.get(from_stage=Stage.PARTICIPANT)
    PromotionRequest.objects.create(membership=membership, rule=rule, to_stage=Stage.FULL)
    client.force_login(participant)
    html = client.get(url(community)).content.decode()
    assert "Waiting for a steward" in html
    assert "Promoted from Learner to Participant" in html
    assert "Great first month on the ward." in html
    assert steward.name in html


def make_history(community, membership, steward, rows):
    StageChange.objects.bulk_create(
        StageChange(
            membership=membership,
            kind="promoted" if i % 2 else "demoted",
            from_stage=Stage.PERIPHERAL,
            to_stage=Stage.PARTICIPANT,
            changed_by=steward,
            reason=f"Change {i}",
        )
        for i in range(rows)
    )


@pytest.mark.parametrize("rows", [1, 30])
def test_the_trajectory_page_uses_a_constant_number_of_queries(
    client, community, member_at, django_assert_max_num_queries, rows
):
    learner = member_at(Stage.FULL)
    membership = Membership.objects.get(user=learner)
    stewards = [member_at(Stage.STEWARD) for _ in range(3)]
    for i in range(rows):
        make_history(community, membership, stewards[i % 3], 1)
        Endorsement.objects.create(
            community=community, endorser=member_at(Stage.FULL), endorsee=learner
        )
        Mentorship.objects.create(
            community=community, mentor=learner, mentee=member_at(Stage.PERIPHERAL), status="active"
        )
    client.force_login(learner)
    with django_assert_max_num_queries(16):
        response = client.get(url(community))
    assert response.status_code == 200
    assert response.content.decode().count("Change ") >= rows


def test_stewards_see_a_members_trajectory(client, community, member_at):
    steward, learner = member_at(Stage.STEWARD), member_at(Stage.PERIPHERAL)
    client.force_login(steward)
    response = client.get(url(community, learner.username))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{learner.name}’s trajectory" in html
    assert "Manage membership" in html


def test_an_active_mentor_sees_their_mentees_trajectory(client, community, member_at):
    mentor, learner = member_at(Stage.FULL), member_at(Stage.PERIPHERAL)
    Mentorship.objects.create(community=community, mentor=mentor, mentee=learner, status="active")
    client.force_login(mentor)
    assert client.get(url(community, learner.username)).status_code == 200


@pytest.mark.parametrize("stage", [Stage.PERIPHERAL, Stage.PARTICIPANT, Stage.FULL])
def test_other_members_may_not_see_someone_elses_trajectory(client, community, member_at, stage):
    other, learner = member_at(stage), member_at(Stage.PERIPHERAL)
    client.force_login(other)
    response = client.get(url(community, learner.username))
    assert response.status_code == 403
    assert "Only stewards" in response.content.decode()


def test_an_offered_mentor_cannot_see_the_trajectory_yet(client, community, member_at):
    mentor, learner = member_at(Stage.FULL), member_at(Stage.PERIPHERAL)
    Mentorship.objects.create(community=community, mentor=mentor, mentee=learner)
    client.force_login(mentor)
    assert client.get(url(community, learner.username)).status_code == 403


def test_my_own_member_url_goes_to_my_trajectory(client, community, member_at):
    learner = member_at(Stage.PERIPHERAL)
    client.force_login(learner)
    response = client.get(url(community, learner.username))
    assert response.status_code == 302 and response["Location"] == url(community)


def test_a_mentor_sees_their_mentees_and_learners_without_a_mentor(client, community, member_at):
    mentor, mentee, alone = (
        member_at(Stage.FULL),
        member_at(Stage.PERIPHERAL),
        member_at(Stage.PERIPHERAL),
    )
    Mentorship.objects.create(community=community, mentor=mentor, mentee=mentee, status="active")
    client.force_login(mentor)
    html = client.get(url(community)).content.decode()
    assert "My mentees" in html
    assert url(community, mentee.username) in html
    assert "Learners without a mentor" in html
    assert f"/members/{alone.username}/endorse/" in html
    assert f"/members/{mentee.username}/endorse/" not in html


def test_a_suspended_member_sees_their_suspension(client, community, member_at):
    learner = member_at(Stage.PARTICIPANT, suspended=True)
    client.force_login(learner)
    html = client.get(url(community)).content.decode()
    assert "Your membership is suspended" in html
