"""Endorsing a member: allowed from full stage, once, never yourself; it re-evaluates."""

from datetime import timedelta

from django.utils import timezone

from practica.communities import progression_sources
from practica.communities.models import CriterionKind, Endorsement, Membership, PromotionRequest
from practica.communities.stages import Stage
from practica.notifications.models import Notification


def endorse_url(community, user):
    return f"/c/{community.slug}/members/{user.username}/endorse/"


def test_a_full_member_endorses_with_a_note(
    client, community, member_at, django_capture_on_commit_callbacks
):
    full, learner = member_at(Stage.FULL), member_at(Stage.PERIPHERAL)
    client.force_login(full)
    assert client.get(endorse_url(community, learner)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(endorse_url(community, learner), {"note": "Calm on a busy night."})
    assert response.status_code == 302
    endorsement = Endorsement.objects.get()
    assert (endorsement.endorser, endorsement.endorsee) == (full, learner)
    assert endorsement.note == "Calm on a busy night."
    assert Notification.objects.filter(recipient=learner, kind="endorsement").exists()
    html = client.get(endorse_url(community, learner)).content.decode()
    assert "You endorsed" in html


def test_endorsing_yourself_is_refused(client, community, member_at):
    full = member_at(Stage.FULL)
    client.force_login(full)
    response = client.post(endorse_url(community, full), {"note": "Me!"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "You can&#x27;t endorse yourself" in html
    assert "Me!" in html  # what was typed is kept
    assert not Endorsement.objects.exists()


def test_endorsing_twice_is_refused(client, community, member_at):
    full, learner = member_at(Stage.FULL), member_at(Stage.PERIPHERAL)
    Endorsement.objects.create(community=community, endorser=full, endorsee=learner)
    client.force_login(full)
    response = client.post(endorse_url(community, learner), {"note": "Again"})
    assert response.status_code == 400
    assert "You have already endorsed" in response.content.decode()
    assert Endorsement.objects.count() == 1


def test_a_learner_may_not_endorse(client, community, member_at):
    learner, other = member_at(Stage.PERIPHERAL), member_at(Stage.PERIPHERAL)
    client.force_login(learner)
    response = client.post(endorse_url(community, other), {"note": ""})
    assert response.status_code == 403
    assert "Full members and above may endorse members" in response.content.decode()
    assert not Endorsement.objects.exists()


def test_endorsing_someone_outside_the_community_is_not_found(client, community, member_at, user):
    client.force_login(member_at(Stage.FULL))
    assert client.post(endorse_url(community, user), {}).status_code == 404


def test_an_endorsement_re_evaluates_the_endorsee(
    client, community, member_at, monkeypatch, django_capture_on_commit_callbacks
):
    for kind, value in [(CriterionKind.CONTRIBUTIONS, 30), (CriterionKind.HELPFUL_OR_ACCEPTED, 9)]:
        monkeypatch.setitem(progression_sources._SOURCES, kind, lambda m, c, v=value: v)
    participant = member_at(Stage.PARTICIPANT)
    Membership.objects.filter(user=participant).update(
        joined_at=timezone.now() - timedelta(days=60)
    )
    first, second = member_at(Stage.FULL), member_at(Stage.STEWARD)
    Endorsement.objects.create(community=community, endorser=first, endorsee=participant)
    client.force_login(second)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(endorse_url(community, participant), {"note": ""})
    request = PromotionRequest.objects.get(membership__user=participant)
    assert request.status == "pending"
