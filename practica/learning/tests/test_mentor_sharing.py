"""A learner shares a module reflection with their mentors only, and can stop (issue 16 item 21)."""

import pytest

from practica.communities.models import Mentorship
from practica.communities.stages import Stage
from practica.learning.models import Reflection
from practica.learning.tests.factories import make_module

pytestmark = pytest.mark.django_db

TEXT = "Handover felt rushed; next time I will write my ISBAR before the round."


@pytest.fixture
def setting(client, community, member_at):
    learner = member_at(Stage.PERIPHERAL)
    mentor = member_at(Stage.FULL)
    Mentorship.objects.create(
        community=community, mentor=mentor, mentee=learner, status=Mentorship.Status.ACTIVE
    )
    module = make_module(community=community)
    activity = module.current_version.snapshot["activities"][0]
    url = f"/learning/{module.slug}/activities/{activity['id']}/"
    client.force_login(learner)
    client.post(url, {"text": TEXT})
    return learner, mentor, url


def test_a_learner_shares_a_reflection_with_their_mentor_who_alone_reads_it(
    client, community, member_at, setting
):
    learner, mentor, url = setting
    html = client.get(url).content.decode()
    assert "unless you share it" in html and "share it with your mentor" in html
    assert "Share with my mentor" in html and mentor.name in html
    response = client.post(url + "share-with-mentors/")
    assert response.status_code == 302
    assert Reflection.objects.get().shared_with_mentors_at is not None
    assert "Shared with your mentor" in client.get(url).content.decode()

    client.force_login(mentor)
    html = client.get(url).content.decode()
    assert "Shared with you by the learners you mentor" in html and TEXT in html
    client.force_login(member_at(Stage.STEWARD))
    assert TEXT not in client.get(url).content.decode()


def test_stopping_hides_it_from_the_mentor_again(client, setting):
    learner, mentor, url = setting
    client.post(url + "share-with-mentors/")
    client.post(url + "share-with-mentors/", {"stop": "1"})
    assert Reflection.objects.get().shared_with_mentors_at is None
    client.force_login(mentor)
    assert TEXT not in client.get(url).content.decode()


def test_an_ended_mentorship_no_longer_reads_it(client, setting):
    learner, mentor, url = setting
    client.post(url + "share-with-mentors/")
    Mentorship.objects.update(status=Mentorship.Status.ENDED)
    client.force_login(mentor)
    assert TEXT not in client.get(url).content.decode()


def test_without_a_mentor_nothing_is_offered_and_sharing_is_refused(client, setting):
    learner, mentor, url = setting
    Mentorship.objects.update(status=Mentorship.Status.ENDED)
    client.force_login(learner)
    html = client.get(url).content.decode()
    assert "Share with my mentor" not in html and "unless you share it" not in html
    response = client.post(url + "share-with-mentors/", follow=True)
    assert "You have no mentor in" in response.content.decode()
    assert Reflection.objects.get().shared_with_mentors_at is None
