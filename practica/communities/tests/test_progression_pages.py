"""The stewards' promotion queue and the progression rules pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities.models import (
    Criterion,
    CriterionKind,
    Membership,
    ProgressionRule,
    PromotionRequest,
    StageChange,
)
from practica.communities.stages import Stage
from practica.notifications.models import Notification


def queue_url(community):
    return f"/c/{community.slug}/progression/queue/"


def open_request(community, user):
    membership = Membership.objects.get(user=user, community=community)
    rule = community.progression_rules.get(from_stage=membership.stage)
    return PromotionRequest.objects.create(
        membership=membership,
        rule=rule,
        to_stage=rule.to_stage,
        evidence=[{"kind": "days", "label": "Days since joining: 40 (needs 30)", "met": True}],
    )


@pytest.mark.parametrize("rows", [1, 12])
def test_the_queue_lists_pending_requests_in_constant_queries(
    client, community, member_at, django_assert_max_num_queries, rows
):
    steward = member_at(Stage.STEWARD)
    for _ in range(rows):
        open_request(community, member_at(Stage.PARTICIPANT))
    client.force_login(steward)
    with django_assert_max_num_queries(10):
        response = client.get(queue_url(community))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('name="r') >= rows
    assert "Days since joining: 40 (needs 30)" in html


def test_the_queue_is_for_stewards(client, community, member_at):
    client.force_login(member_at(Stage.FULL))
    response = client.get(queue_url(community))
    assert response.status_code == 403


def meets_only_time(community, user):
    """Make the participant rule a single time criterion that `user` meets."""
    rule = community.progression_rules.get(from_stage=Stage.PARTICIPANT)
    rule.criteria.exclude(kind="days").delete()
    Membership.objects.filter(user=user, community=community).update(
        joined_at=timezone.now() - timedelta(days=40)
    )


def test_a_steward_approves_and_it_is_recorded(
    client, community, member_at, django_capture_on_commit_callbacks
):
    steward, participant = member_at(Stage.STEWARD), member_at(Stage.PARTICIPANT)
    meets_only_time(community, participant)
    request = open_request(community, participant)
    client.force_login(steward)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{queue_url(community)}{request.pk}/",
            {f"r{request.pk}-decision": "approve", f"r{request.pk}-note": ""},
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("approved", steward)
    membership = Membership.objects.get(user=participant)
    assert membership.stage == Stage.FULL
    change = StageChange.objects.get(membership=membership)
    assert change.changed_by == steward and change.rule == request.rule
    assert Notification.objects.filter(recipient=participant, kind="stage_change").exists()
    html = client.get(response["Location"]).content.decode()
    assert f"{participant.name} is now a Full member." in html
    assert "Nothing waiting" in html and "Approved" in html


def test_the_queue_says_which_criteria_are_not_met_including_a_new_assessment(
    client, community, member_at, django_capture_on_commit_callbacks
):
    from practica.communities.services.progression import evaluate_membership

    steward, participant = member_at(Stage.STEWARD), member_at(Stage.PARTICIPANT)
    meets_only_time(community, participant)
    request = open_request(community, participant)
    rule = request.rule
    Criterion.objects.create(
        rule=rule, kind=CriterionKind.ASSESSMENT_PASSED, assessment_ref="cop-basics", position=9
    )
    evaluate_membership(membership_id=request.membership_id)
    client.force_login(steward)
    html = client.get(queue_url(community)).content.decode()
    assert "meet every criterion of a rule" not in html
    assert "Does not meet every criterion" in html
    assert "1 of 2 met; not met: Assessment passed: 0 of 1." in html
    assert "Days since joining: 40 (needs 30)" in html


def test_approving_a_member_who_does_not_meet_every_criterion_asks_first(
    client, community, member_at, django_capture_on_commit_callbacks
):
    steward, participant = member_at(Stage.STEWARD), member_at(Stage.PARTICIPANT)
    request = open_request(community, participant)  # the default rule: 20 contributions…
    client.force_login(steward)
    url = f"{queue_url(community)}{request.pk}/"
    response = client.post(url, {f"r{request.pk}-decision": "approve"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{participant.name} does not meet every criterion today" in html
    assert "Contributions (posts and replies): 0 of 20" in html
    assert "Approve anyway" in html and f'name="r{request.pk}-approve_unmet"' in html
    request.refresh_from_db()
    assert request.status == "pending"
    assert Membership.objects.get(user=participant).stage == Stage.PARTICIPANT
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                f"r{request.pk}-decision": "approve",
                f"r{request.pk}-approve_unmet": "on",
                f"r{request.pk}-note": "",
            },
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "approved" and not request.all_met
    change = StageChange.objects.get(membership__user=participant)
    assert change.reason.startswith("Approved by a steward with 0 of 4 criteria")


def test_the_trajectory_does_not_claim_every_criterion_while_some_are_not_met(
    client, community, member_at
):
    participant = member_at(Stage.PARTICIPANT)
    open_request(community, participant)
    client.force_login(participant)
    html = client.get(f"/c/{community.slug}/trajectory/").content.decode()
    assert "Waiting for a steward" in html
    assert "every criterion today" not in html
    assert "meets every criterion" not in html.replace("You meet every", "")
    assert "Today 0 of 4 criteria are met" in html


def test_declining_needs_a_note(client, community, member_at, django_capture_on_commit_callbacks):
    steward, participant = member_at(Stage.STEWARD), member_at(Stage.PARTICIPANT)
    request = open_request(community, participant)
    client.force_login(steward)
    response = client.post(
        f"{queue_url(community)}{request.pk}/", {f"r{request.pk}-decision": "decline"}
    )
    assert response.status_code == 400
    assert "a note is needed to decline" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"{queue_url(community)}{request.pk}/",
            {f"r{request.pk}-decision": "decline", f"r{request.pk}-note": "Let’s talk first."},
        )
    request.refresh_from_db()
    assert request.status == "declined" and request.note == "Let’s talk first."
    assert Membership.objects.get(user=participant).stage == Stage.PARTICIPANT
    assert Notification.objects.filter(recipient=participant, kind="approval").exists()


def test_a_participant_cannot_approve_their_own_request(client, community, member_at):
    participant = member_at(Stage.PARTICIPANT)
    request = open_request(community, participant)
    client.force_login(participant)
    response = client.post(
        f"{queue_url(community)}{request.pk}/", {f"r{request.pk}-decision": "approve"}
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == "pending"


def test_the_rules_page_shows_each_transition(client, community, member_at):
    client.force_login(member_at(Stage.STEWARD))
    html = client.get(f"/c/{community.slug}/progression/rules/").content.decode()
    assert "Learner → Participant" in html
    assert "Steward approval" in html and "Manual only" in html
    assert "not yet available" in html


def test_the_rules_page_is_for_stewards(client, community, member_at):
    client.force_login(member_at(Stage.FULL))
    response = client.get(f"/c/{community.slug}/progression/rules/")
    assert response.status_code == 403
    assert "configure the community" in response.content.decode()


def formset(rows, **extra):
    data = {
        "criteria-TOTAL_FORMS": str(len(rows)),
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for i, (kind, threshold) in enumerate(rows):
        data[f"criteria-{i}-kind"] = kind
        data[f"criteria-{i}-threshold"] = threshold
    data.update(extra)
    return data


def test_a_steward_edits_a_rule(client, community, member_at):
    client.force_login(member_at(Stage.STEWARD))
    url = f"/c/{community.slug}/progression/rules/{Stage.PERIPHERAL}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, formset([("days", "14"), ("events", "1"), ("", "")], mode="approval")
    )
    assert response.status_code == 302
    rule = ProgressionRule.objects.get(community=community, from_stage=Stage.PERIPHERAL)
    assert rule.requires_approval and not rule.manual_only
    assert [(c.kind, c.threshold) for c in rule.criteria.all()] == [("days", 14), ("events", 1)]


def test_an_automatic_rule_without_criteria_is_refused(client, community, member_at):
    client.force_login(member_at(Stage.STEWARD))
    url = f"/c/{community.slug}/progression/rules/{Stage.PERIPHERAL}/"
    response = client.post(url, formset([], mode="automatic"))
    assert response.status_code == 400
    assert "Add at least one criterion" in response.content.decode()
    rule = ProgressionRule.objects.get(community=community, from_stage=Stage.PERIPHERAL)
    assert rule.criteria.count() == 3


def test_a_criterion_listed_twice_is_refused(client, community, member_at):
    client.force_login(member_at(Stage.STEWARD))
    url = f"/c/{community.slug}/progression/rules/{Stage.PERIPHERAL}/"
    response = client.post(url, formset([("days", "3"), ("days", "5")], mode="automatic"))
    assert response.status_code == 400
    assert "listed twice" in response.content.decode()


def test_a_community_without_rules_can_create_the_defaults(client, community, member_at):
    community.progression_rules.all().delete()
    client.force_login(member_at(Stage.STEWARD))
    html = client.get(f"/c/{community.slug}/progression/rules/").content.decode()
    assert "No progression rules yet" in html
    client.post(f"/c/{community.slug}/progression/rules/defaults/")
    assert community.progression_rules.count() == 3
