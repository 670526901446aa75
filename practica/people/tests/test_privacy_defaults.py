"""Privacy by default (issue 19, item 5): profiles for signed-in members unless the instance
opts in, each member chooses what others see, and a private community is a 404 to outsiders."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from practica.communities.models import Visibility
from practica.communities.stages import Stage
from practica.people.services import update_profile
from practica.search import engine
from practica.search.query import parse
from practica.tests.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def olive(db):
    return UserFactory(
        display_name="Olive Okafor",
        username="olive.okafor",
        location="Leeds, UK",
        timezone="Europe/London",
        organisation=OrganisationFactory(name="Riverside Health"),
    )


@pytest.mark.parametrize("url", ["/people/", "/people/olive.okafor/"])
def test_a_visitor_is_asked_to_log_in_for_people_pages(client, olive, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert b"Olive" not in response.content


def test_a_visitor_is_told_who_knows_about_a_subject_is_for_members(client, olive):
    """'Who knows about' is for members of a community: its 403 says so, and names no one."""
    response = client.get("/search/experts/?q=handover")
    assert response.status_code == 403
    assert b"Olive" not in response.content


def test_a_visitor_is_asked_to_log_in_for_a_communitys_member_list(client, community, olive):
    MembershipFactory(community=community, user=olive)
    response = client.get(f"/c/{community.slug}/members/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_signed_in_member_sees_profiles_and_the_directory(client, olive):
    client.force_login(UserFactory())
    assert "Olive Okafor" in client.get("/people/").content.decode()
    assert client.get("/people/olive.okafor/").status_code == 200


@override_settings(PUBLIC_PROFILES=True)
def test_an_instance_can_make_profiles_public(client, olive):
    assert "Olive Okafor" in client.get("/people/").content.decode()
    assert client.get("/people/olive.okafor/").status_code == 200


def test_location_time_zone_and_time_now_are_hidden_until_the_member_shows_them(client, olive):
    client.force_login(UserFactory())
    html = client.get("/people/olive.okafor/").content.decode()
    assert "Riverside Health" in html  # the organisation is shown unless turned off
    assert "Leeds" not in html
    assert "Europe/London" not in html
    assert "Their time now" not in html
    assert "Leeds" not in client.get("/people/").content.decode()
    # Searching the directory by a hidden location doesn't find her either.
    assert "Olive" not in client.get("/people/", {"q": "Leeds"}).content.decode()

    update_profile(
        user=olive,
        actor=olive,
        data={
            "share_organisation": False,
            "share_location": True,
            "share_timezone": True,
            "share_local_time": True,
        },
        expertise=[],
    )
    html = client.get("/people/olive.okafor/").content.decode()
    assert "Riverside Health" not in html
    assert "Leeds" in html and "Europe/London" in html and "Their time now" in html
    assert "Olive" in client.get("/people/", {"q": "Leeds"}).content.decode()
    assert "Olive" not in client.get("/people/", {"q": "Riverside"}).content.decode()


def test_a_member_sees_everything_on_their_own_profile_and_chooses_on_the_edit_page(client, olive):
    client.force_login(olive)
    html = client.get("/people/olive.okafor/").content.decode()
    assert "Leeds" in html and "Their time now" in html
    assert "choose what others see" in html
    edit = client.get("/people/me/edit/").content.decode()
    for name in ["share_organisation", "share_location", "share_timezone", "share_local_time"]:
        assert f'name="{name}"' in edit


def test_people_in_search_are_for_signed_in_members_and_only_by_what_they_show(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        UserFactory(display_name="Olive Okafor", location="Leeds, UK")

    def names(user, q):
        return {hit.entry.title for hit in engine.search(parse(q), user=user).hits}

    member = UserFactory()
    assert "Olive Okafor" in names(member, "olive")
    assert "Olive Okafor" not in names(AnonymousUser(), "olive")
    assert "Olive Okafor" not in names(member, "leeds")


@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.ORGANISATION])
@pytest.mark.parametrize(
    "path", ["", "conversations/", "library/", "events/", "members/", "trajectory/"]
)
def test_a_community_an_outsider_may_not_read_is_a_404_that_never_names_it(
    client, visibility, path
):
    hidden = CommunityFactory(
        name="Secret Surgical Audit",
        visibility=visibility,
        organisation=OrganisationFactory(),
    )
    url = f"/c/{hidden.slug}/{path}"
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 404
    assert b"Secret Surgical Audit" not in response.content
    member = MembershipFactory(community=hidden, stage=Stage.PARTICIPANT).user
    client.force_login(member)
    assert client.get(url).status_code == 200


def test_a_visitor_on_a_private_community_gets_the_404_with_a_way_to_log_in(client):
    hidden = CommunityFactory(name="Secret Surgical Audit", visibility=Visibility.PRIVATE)
    response = client.get(f"/c/{hidden.slug}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Secret Surgical Audit" not in html
    assert "log in first" in html
