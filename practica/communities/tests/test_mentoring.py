"""Mentoring: stewards assign mentors, full members offer, learners accept or decline."""

from practica.communities.models import Mentorship
from practica.communities.stages import Stage
from practica.notifications.models import Notification


def member_url(community, user, action):
    return f"/c/{community.slug}/members/{user.username}/{action}/"


def test_a_steward_assigns_a_mentor(
    client, community, member_at, django_capture_on_commit_callbacks
):
    steward, mentor, learner = (
        member_at(Stage.STEWARD),
        member_at(Stage.FULL),
        member_at(Stage.PERIPHERAL),
    )
    client.force_login(steward)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            member_url(community, learner, "mentor/assign"), {"mentor-mentor": mentor.pk}
        )
    assert response.status_code == 302
    link = Mentorship.objects.get()
    assert (link.mentor, link.mentee, link.status, link.assigned_by) == (
        mentor,
        learner,
        "active",
        steward,
    )
    assert Notification.objects.filter(kind="mentoring").count() == 2


def test_a_learner_cannot_be_assigned_as_a_mentor(client, community, member_at):
    steward, learner, other = (
        member_at(Stage.STEWARD),
        member_at(Stage.PERIPHERAL),
        member_at(Stage.PERIPHERAL),
    )
    client.force_login(steward)
    response = client.post(
        member_url(community, learner, "mentor/assign"), {"mentor-mentor": other.pk}
    )
    assert response.status_code == 400
    assert not Mentorship.objects.exists()


def test_a_full_member_offers_and_the_learner_accepts(client, community, member_at):
    mentor, learner = member_at(Stage.FULL), member_at(Stage.PERIPHERAL)
    client.force_login(mentor)
    response = client.post(member_url(community, learner, "mentor"))
    assert response.status_code == 302
    link = Mentorship.objects.get()
    assert link.status == "offered"
    # Offered is not enough to see their trajectory.
    assert client.get(member_url(community, learner, "trajectory")).status_code == 403
    client.force_login(learner)
    html = client.get(f"/c/{community.slug}/trajectory/").content.decode()
    assert "Offered to mentor you" in html
    response = client.post(
        f"/c/{community.slug}/mentorships/{link.pk}/respond/", {"answer": "accept"}
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.status == "active"
    client.force_login(mentor)
    assert client.get(member_url(community, learner, "trajectory")).status_code == 200
    html = client.get(f"/c/{community.slug}/trajectory/").content.decode()
    assert "My mentees" in html and learner.name in html


def test_a_learner_declines_an_offer(client, community, member_at):
    mentor, learner = member_at(Stage.FULL), member_at(Stage.PERIPHERAL)
    link = Mentorship.objects.create(community=community, mentor=mentor, mentee=learner)
    client.force_login(learner)
    client.post(f"/c/{community.slug}/mentorships/{link.pk}/respond/", {"answer": "decline"})
    link.refresh_from_db()
    assert link.status == "declined" and link.ended_at is not None


def test_only_the_learner_answers_an_offer(client, community, member_at):
    mentor, learner = member_at(Stage.FULL), member_at(Stage.PERIPHERAL)
    link = Mentorship.objects.create(community=community, mentor=mentor, mentee=learner)
    client.force_login(mentor)
    response = client.post(
        f"/c/{community.slug}/mentorships/{link.pk}/respond/", {"answer": "accept"}, follow=True
    )
    assert "Only the member who was offered mentoring can answer." in response.content.decode()
    link.refresh_from_db()
    assert link.status == "offered"


def test_a_participant_may_not_offer_mentoring(client, community, member_at):
    participant, learner = member_at(Stage.PARTICIPANT), member_at(Stage.PERIPHERAL)
    client.force_login(participant)
    response = client.post(member_url(community, learner, "mentor"))
    assert response.status_code == 403
    assert "Full members and above may mentor learners" in response.content.decode()


def test_offering_twice_is_refused(client, community, member_at):
    mentor, learner = member_at(Stage.FULL), member_at(Stage.PERIPHERAL)
    client.force_login(mentor)
    client.post(member_url(community, learner, "mentor"))
    response = client.post(member_url(community, learner, "mentor"), follow=True)
    assert "already offered" in response.content.decode()
    assert Mentorship.objects.count() == 1


def test_a_mentor_ends_the_mentorship(client, community, member_at):
    mentor, learner = member_at(Stage.FULL), member_at(Stage.PERIPHERAL)
    link = Mentorship.objects.create(
        community=community, mentor=mentor, mentee=learner, status="active"
    )
    client.force_login(mentor)
    client.post(f"/c/{community.slug}/mentorships/{link.pk}/end/")
    link.refresh_from_db()
    assert link.status == "ended"
