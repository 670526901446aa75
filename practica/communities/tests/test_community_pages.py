"""Community list, creation, home page and member directory."""

import pytest
from django.urls import reverse

from practica.communities.models import JoinPolicy, JoinRequest, Membership, Visibility
from practica.communities.stages import Stage
from practica.people.models import Profession
from practica.tests.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_list_shows_what_each_person_may_see(client):
    organisation = OrganisationFactory()
    CommunityFactory(name="Open ward", visibility=Visibility.PUBLIC)
    CommunityFactory(name="Org only", visibility=Visibility.ORGANISATION, organisation=organisation)
    secret = CommunityFactory(name="Secret club", visibility=Visibility.PRIVATE)
    html = text(client.get("/c/"))
    assert "Open ward" in html and "Org only" not in html and "Secret club" not in html
    insider = UserFactory(organisation=organisation)
    MembershipFactory(user=insider, community=secret, stage=Stage.FULL)
    client.force_login(insider)
    html = text(client.get("/c/"))
    assert "Open ward" in html and "Org only" in html and "Secret club" in html
    assert "You: Full member" in html


def test_only_staff_see_and_use_community_creation(client, user):
    client.force_login(user)
    assert "New community" not in text(client.get("/c/"))
    response = client.get(reverse("communities:create"))
    assert response.status_code == 403
    assert "staff" in text(response)
    user.is_staff = True
    user.save()
    assert "New community" in text(client.get("/c/"))
    response = client.post(
        reverse("communities:create"),
        {
            "name": "Wound care",
            "slug": "",
            "tagline": "",
            "charter": "**Skin** matters",
            "visibility": "public",
            "join_policy": "open",
        },
        follow=True,
    )
    assert "You are its steward" in text(response)
    membership = Membership.objects.get(community__slug="wound-care")
    assert (membership.user, membership.stage) == (user, Stage.STEWARD)


def test_creating_with_a_taken_or_reserved_slug_keeps_the_form(client):
    client.force_login(UserFactory(is_staff=True))
    CommunityFactory(slug="taken")
    for slug, message in (("taken", "already uses this web address"), ("new", "is reserved")):
        response = client.post(
            reverse("communities:create"),
            {"name": "Typed name", "slug": slug, "visibility": "public", "join_policy": "open"},
        )
        assert message in text(response)
        assert 'value="Typed name"' in text(response)


def test_home_page_shows_charter_topics_and_members_by_stage(client):
    community = CommunityFactory(charter_html="<p>We care about <em>handover</em>.</p>")
    TopicFactory(community=community, name="Handover")
    for stage, n in (
        (Stage.STEWARD, 1),
        (Stage.FULL, 2),
        (Stage.PARTICIPANT, 6),
        (Stage.PERIPHERAL, 3),
    ):
        for _ in range(n):
            MembershipFactory(community=community, stage=stage)
    html = text(client.get(community.get_absolute_url()))
    assert "<em>handover</em>" in html
    assert "Handover" in html
    assert "Members by stage" in html
    assert html.count('class="lanyard"') == 1 + 2 + 4 + 3  # at most four faces a stage
    assert '<span class="badge">6</span>' in html
    assert "Log in to join" in html
    assert 'id="activity-title"' in html


def test_home_page_query_count_does_not_grow_with_members(client, django_assert_max_num_queries):
    community = CommunityFactory()
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    client.force_login(steward)
    for n in (5, 60):
        while community.memberships.count() < n:
            MembershipFactory(community=community, stage=[10, 20, 30][n % 3])
        with django_assert_max_num_queries(18):
            assert client.get(community.get_absolute_url()).status_code == 200


def test_home_page_offers_the_right_membership_action(client, user):
    community = CommunityFactory(join_policy=JoinPolicy.REQUEST)
    client.force_login(user)
    assert "Ask to join" in text(client.get(community.get_absolute_url()))
    JoinRequest.objects.create(community=community, user=user)
    assert "Request sent" in text(client.get(community.get_absolute_url()))
    MembershipFactory(community=community, user=user, stage=Stage.PARTICIPANT)
    JoinRequest.objects.all().delete()
    html = text(client.get(community.get_absolute_url()))
    assert "You are a member" in html and "Participant" in html and "Leave this community" in html


def test_suspended_member_sees_it_on_the_home_page(client, community):
    user = MembershipFactory(community=community, stage=Stage.FULL, suspended=True).user
    client.force_login(user)
    html = text(client.get(community.get_absolute_url()))
    assert "Your membership is suspended" in html
    assert "Join " + community.name not in html


def test_steward_sees_pending_items(client, community):
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    JoinRequest.objects.create(community=community, user=UserFactory())
    client.force_login(steward)
    html = text(client.get(community.get_absolute_url()))
    assert "Waiting for stewards" in html and "1 request to join" in html
    assert "Settings" in html and "Invite people" in html


def test_directory_filters_by_stage_and_profession(client, community):
    MembershipFactory(
        community=community,
        stage=Stage.FULL,
        user=UserFactory(display_name="Pat Pharm", profession=Profession.PHARMACIST),
    )
    MembershipFactory(
        community=community,
        stage=Stage.PERIPHERAL,
        user=UserFactory(display_name="Nia Nurse", profession=Profession.NURSE),
    )
    MembershipFactory(
        community=community,
        stage=Stage.FULL,
        user=UserFactory(display_name="Hidden Person", show_in_directory=False),
    )
    MembershipFactory(
        community=community,
        stage=Stage.FULL,
        suspended=True,
        user=UserFactory(display_name="Sus Pended"),
    )
    client.force_login(UserFactory())  # member lists are for signed-in members
    members_url = reverse("communities:members", args=[community.slug])
    html = text(client.get(members_url))
    assert "Pat Pharm" in html and "Nia Nurse" in html
    assert "Hidden Person" not in html and "Sus Pended" not in html
    html = text(client.get(members_url, {"stage": 30}))
    assert "Pat Pharm" in html and "Nia Nurse" not in html
    html = text(client.get(members_url, {"profession": "nurse"}))
    assert "Nia Nurse" in html and "Pat Pharm" not in html
    html = text(client.get(members_url, {"profession": "astronaut"}))
    assert "Nia Nurse" in html  # an unknown filter value is ignored, not an error
    html = text(client.get(members_url, {"stage": 20}))
    assert "No members match" in html


def test_directory_shows_lanyards_and_paginates(client, community, settings):
    settings.PRACTICA_PAGE_SIZE = 10
    for _ in range(23):
        MembershipFactory(community=community, stage=Stage.PARTICIPANT)
    client.force_login(UserFactory())  # member lists are for signed-in members
    members_url = reverse("communities:members", args=[community.slug])
    html = text(client.get(members_url, {"stage": 20}))
    assert html.count('class="lanyard"') == 10
    assert "Page 1 of 3" in html
    assert "stage=20&amp;page=2" in html
    assert text(client.get(members_url, {"stage": 20, "page": 3})).count('class="lanyard"') == 3


@pytest.mark.parametrize("size", [5, 60])
def test_directory_query_count_is_constant(client, community, django_assert_max_num_queries, size):
    viewer = MembershipFactory(community=community, stage=Stage.STEWARD).user
    for n in range(size - 1):
        MembershipFactory(community=community, stage=[10, 20, 30][n % 3])
    client.force_login(viewer)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("communities:members", args=[community.slug]))
    assert response.status_code == 200
    assert text(response).count('class="lanyard"') == min(size, 25)


def test_stewards_get_a_manage_link_per_member_in_the_directory(client, community):
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    member = MembershipFactory(community=community, stage=Stage.PERIPHERAL).user
    members_url = reverse("communities:members", args=[community.slug])
    manage = reverse("communities:member-manage", args=[community.slug, member.username])
    assert manage not in text(client.get(members_url))
    client.force_login(steward)
    assert manage in text(client.get(members_url))
