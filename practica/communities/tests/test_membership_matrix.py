"""Over HTTP: every endpoint that exists now, for every kind of actor, in public,
organisation-only and private communities. Allowed gets the page (or does the thing);
forbidden gets the 403 page, whose text says why and which stage unlocks it, and changes
nothing.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from practica.communities.capabilities import Capability, can, standing
from practica.communities.models import (
    CapabilityOverride,
    Invitation,
    JoinRequest,
    Membership,
    Visibility,
)
from practica.communities.stages import Stage
from practica.tests.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

ACTORS = [
    "anonymous",
    "outsider",
    "same_organisation",
    "peripheral",
    "participant",
    "full",
    "steward",
    "suspended_steward",
]
VISIBILITIES = [Visibility.PUBLIC, Visibility.ORGANISATION, Visibility.PRIVATE]
STAGE_OF = {
    "peripheral": Stage.PERIPHERAL,
    "participant": Stage.PARTICIPANT,
    "full": Stage.FULL,
    "steward": Stage.STEWARD,
}


def setup(client, kind, visibility):
    organisation = OrganisationFactory()
    community = CommunityFactory(visibility=visibility, organisation=organisation)
    # A real steward so "last steward" rules never get in the way of the actor under test.
    MembershipFactory(community=community, stage=Stage.STEWARD)
    actor = None
    if kind == "outsider":
        actor = UserFactory()
    elif kind == "same_organisation":
        actor = UserFactory(organisation=organisation)
    elif kind.startswith("suspended_"):
        actor = UserFactory(organisation=organisation)
        MembershipFactory(
            user=actor,
            community=community,
            stage=STAGE_OF[kind.removeprefix("suspended_")],
            suspended=True,
        )
    elif kind in STAGE_OF:
        actor = MembershipFactory(community=community, stage=STAGE_OF[kind]).user
    if actor is not None:
        client.force_login(actor)
    return community, actor


def assert_forbidden(response, community, capability):
    """403 naming the stage that unlocks it; 404, never the name, to those who can't read."""
    where = standing(response.wsgi_request.user, community)
    if not where.can_read and not where.suspended:
        assert response.status_code == 404
        assert community.name not in response.content.decode()
        return ""
    assert response.status_code == 403
    html = response.content.decode()
    assert "You can’t do that here yet" in html
    assert community.name in html
    return html


def reads(kind, visibility):
    return (
        visibility == Visibility.PUBLIC
        or kind in STAGE_OF
        or (visibility == Visibility.ORGANISATION and kind == "same_organisation")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("kind", ACTORS)
@pytest.mark.parametrize("page", ["home", "members"])
def test_read_pages(client, page, kind, visibility):
    community, actor = setup(client, kind, visibility)
    response = client.get(reverse(f"communities:{page}", args=[community.slug]))
    if page == "members" and kind == "anonymous" and reads(kind, visibility):
        # Member lists are for signed-in members (PUBLIC_PROFILES off).
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif reads(kind, visibility):
        assert response.status_code == 200
        assert community.name in response.content.decode()
    else:
        html = assert_forbidden(response, community, Capability.READ)
        if html:
            assert "suspended" in html


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("kind", ACTORS)
def test_settings_page_needs_configure(client, kind, visibility):
    community, actor = setup(client, kind, visibility)
    url = reverse("communities:settings", args=[community.slug])
    get = client.get(url)
    post = client.post(
        url,
        {
            "section": "general",
            "name": "Taken over",
            "tagline": "",
            "charter": "",
            "visibility": "public",
            "join_policy": "open",
        },
    )
    community.refresh_from_db()
    if kind == "steward":
        assert get.status_code == 200
        assert post.status_code == 302
        assert community.name == "Taken over"
    else:
        assert community.name != "Taken over"
        for response in (get, post):
            html = assert_forbidden(response, community, Capability.CONFIGURE)
            if reads(kind, visibility) and kind != "suspended_steward":
                assert "Steward" in html  # the stage that unlocks it
            if kind in STAGE_OF:
                assert "Stewards and above may configure the community" in html


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("kind", ACTORS)
def test_invitations_need_invite_members(client, kind, visibility, mailoutbox):
    community, actor = setup(client, kind, visibility)
    url = reverse("communities:invite", args=[community.slug])
    get = client.get(url)
    post = client.post(url, {"email": "new.person@example.org"})
    created = Invitation.objects.filter(community=community).count()
    if kind == "steward":
        assert get.status_code == 200
        assert post.status_code == 302
        assert created == 1
    else:
        assert created == 0
        for response in (get, post):
            html = assert_forbidden(response, community, Capability.INVITE_MEMBERS)
            if reads(kind, visibility) and kind in STAGE_OF:
                assert "Stewards and above may invite people to join" in html
                assert "promote, demote" not in html
                # The reason mentions the trajectory page: the 403 links it.
                assert f'href="/c/{community.slug}/trajectory/"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("kind", ACTORS)
def test_invitation_withdrawal_needs_manage_members(client, kind, visibility):
    community, actor = setup(client, kind, visibility)
    invitation = Invitation.objects.create(
        community=community,
        email="someone@example.org",
        expires_at=timezone.now() + timezone.timedelta(days=3),
    )
    response = client.post(
        reverse("communities:invitation-revoke", args=[community.slug, invitation.pk])
    )
    invitation.refresh_from_db()
    if kind == "steward":
        assert response.status_code == 302
        assert invitation.revoked_at is not None
    else:
        assert_forbidden(response, community, Capability.MANAGE_MEMBERS)
        assert invitation.revoked_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("kind", ACTORS)
def test_join_request_pages_and_decisions_need_manage_members(client, kind, visibility):
    community, actor = setup(client, kind, visibility)
    requester = UserFactory()
    join_request = JoinRequest.objects.create(community=community, user=requester)
    listing = client.get(reverse("communities:join-requests", args=[community.slug]))
    decision = client.post(
        reverse("communities:join-request-decide", args=[community.slug, join_request.pk]),
        {"decision": "approve"},
    )
    join_request.refresh_from_db()
    joined = Membership.objects.filter(community=community, user=requester).exists()
    if kind == "steward":
        assert listing.status_code == 200
        assert decision.status_code == 302
        assert join_request.status == JoinRequest.Status.APPROVED
        assert joined
    else:
        for response in (listing, decision):
            assert_forbidden(response, community, Capability.MANAGE_MEMBERS)
        assert join_request.status == JoinRequest.Status.PENDING
        assert not joined


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("kind", ACTORS)
def test_joining_an_open_community(client, kind, visibility):
    community, actor = setup(client, kind, visibility)
    before = Membership.objects.filter(community=community).count()
    response = client.post(reverse("communities:join", args=[community.slug]))
    after = Membership.objects.filter(community=community).count()
    may_join = kind in ("outsider", "same_organisation") and reads(kind, visibility)
    if kind == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    elif may_join:
        assert response.status_code == 302
        assert after == before + 1
        assert Membership.objects.get(community=community, user=actor).stage == Stage.PERIPHERAL
        return
    elif kind in STAGE_OF or kind.startswith("suspended_"):
        # Already a member (or suspended): back home with a message, nothing changes.
        assert response.status_code in (302, 403)
    else:
        assert_forbidden(response, community, Capability.READ)
    assert after == before


@pytest.mark.django_db
@pytest.mark.parametrize("capability", [Capability.CONFIGURE, Capability.INVITE_MEMBERS])
def test_an_override_opens_the_steward_pages_to_full_members(client, capability):
    community, actor = setup(client, "full", Visibility.PUBLIC)
    url = reverse(
        "communities:settings" if capability == Capability.CONFIGURE else "communities:invite",
        args=[community.slug],
    )
    assert client.get(url).status_code == 403
    CapabilityOverride.objects.create(
        community=community, capability=capability, minimum_stage=Stage.FULL
    )
    assert client.get(url).status_code == 200
    assert can(actor, capability, community=community)
