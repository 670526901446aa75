"""Staff create communities and name their first stewards; others propose, staff decide."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from practica.communities.capabilities import InstanceCapability, can_on_instance
from practica.communities.models import Community, CommunityProposal, Membership
from practica.communities.services import proposals
from practica.communities.stages import Stage
from practica.notifications.models import Notification
from practica.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Discharge planning",
    "slug": "",
    "tagline": "Home safely",
    "charter": "Planning discharges together.",
    "visibility": "public",
    "join_policy": "open",
    "reason": "Discharge coordinators across three hospitals asked for it.",
}


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, display_name="Sam Whitaker")


@pytest.fixture
def steward():
    return MembershipFactory(stage=Stage.STEWARD, user__display_name="Mira Okafor").user


@pytest.mark.parametrize(
    ("policy", "who", "allowed"),
    [
        ("stewards", "steward", True),
        ("stewards", "full", False),
        ("stewards", "verified", False),
        ("verified", "verified", True),
        ("verified", "unverified", False),
        ("verified", "steward", True),
        ("off", "steward", False),
        ("stewards", "staff", False),  # staff create directly
    ],
)
def test_the_setting_decides_who_may_propose(settings, policy, who, allowed, steward, staff):
    settings.COMMUNITY_PROPOSALS = policy
    people = {
        "steward": steward,
        "staff": staff,
        "full": MembershipFactory(stage=Stage.FULL).user,
        "verified": UserFactory(),
        "unverified": UserFactory(verified=False),
    }
    assert can_on_instance(people[who], InstanceCapability.PROPOSE_COMMUNITY) is allowed


def test_only_staff_create_and_review(staff, steward):
    for capability in (
        InstanceCapability.CREATE_COMMUNITY,
        InstanceCapability.REVIEW_COMMUNITY_PROPOSALS,
    ):
        assert can_on_instance(staff, capability)
        assert not can_on_instance(steward, capability)


def test_only_staff_see_every_communitys_figures_and_others_are_told_why(staff, steward):
    from practica.communities.capabilities import instance_denial_reason

    capability = InstanceCapability.VIEW_INSTANCE_ANALYTICS
    assert can_on_instance(staff, capability)
    assert not can_on_instance(steward, capability)
    assert "staff" in instance_denial_reason(steward, capability)


def test_staff_create_a_community_and_name_its_first_stewards(client, staff):
    first = UserFactory(email="mira@example.org", display_name="Mira Okafor")
    second = UserFactory(username="dan.reyes", display_name="Daniel Reyes")
    client.force_login(staff)
    response = client.post(
        reverse("communities:create"),
        {**FORM, "stewards": "mira@example.org, dan.reyes"},
        follow=True,
    )
    assert "Its first stewards, Mira Okafor, Daniel Reyes, have been told" in (
        response.content.decode()
    )
    community = Community.objects.get(slug="discharge-planning")
    stewards = Membership.objects.filter(community=community, stage=Stage.STEWARD)
    assert {m.user for m in stewards} == {first, second}
    assert not Membership.objects.filter(community=community, user=staff).exists()
    told = Notification.objects.filter(recipient__in=[first, second], community=community)
    assert told.count() == 2 and "first stewards" in told.first().text


def test_an_unknown_first_steward_is_named_beside_the_field(client, staff):
    client.force_login(staff)
    response = client.post(reverse("communities:create"), {**FORM, "stewards": "ghost@x.org"})
    html = response.content.decode()
    assert "No active account has this email address or username: ghost@x.org" in html
    assert (
        'value="Discharge planning"' in html
        and not Community.objects.filter(slug="discharge-planning").exists()
    )


def test_a_steward_proposes_staff_approve_and_the_proposer_becomes_steward(client, staff, steward):
    client.force_login(steward)
    assert "Propose a community" in client.get("/c/").content.decode()
    response = client.post(reverse("communities:propose"), FORM, follow=True)
    assert "The site’s administrators will decide" in response.content.decode()
    proposal = CommunityProposal.objects.get()
    assert Notification.objects.filter(recipient=staff, kind="steward").exists()
    assert (
        client.post(reverse("communities:proposal-approve", args=[proposal.pk])).status_code == 403
    )

    client.force_login(staff)
    queue = client.get(reverse("communities:proposals")).content.decode()
    assert "Discharge planning" in queue and "Mira Okafor" in queue
    client.post(reverse("communities:proposal-approve", args=[proposal.pk]), {"note": "Go ahead"})
    proposal.refresh_from_db()
    assert proposal.status == "approved" and proposal.decided_by == staff
    membership = Membership.objects.get(community__slug="discharge-planning")
    assert (membership.user, membership.stage) == (steward, Stage.STEWARD)
    assert Notification.objects.filter(
        recipient=steward, kind="approval", text__contains="approved"
    )
    again = client.post(reverse("communities:proposal-approve", args=[proposal.pk]), follow=True)
    assert "already approved" in again.content.decode()
    assert Community.objects.filter(slug="discharge-planning").count() == 1


def test_declining_needs_a_reason_and_tells_the_proposer(staff, steward):
    proposal = proposals.propose_community(actor=steward, **FORM)
    with pytest.raises(ValidationError, match="Say why"):
        proposals.decline_proposal(actor=staff, proposal=proposal, note=" ")
    proposals.decline_proposal(actor=staff, proposal=proposal, note="Use ward-care's topic.")
    assert proposal.status == "declined"
    note = Notification.objects.get(recipient=steward, kind="approval")
    assert "declined: Use ward-care's topic." in note.text
    assert not Community.objects.filter(slug="discharge-planning").exists()


def test_a_full_member_is_refused_with_the_reason(client):
    client.force_login(MembershipFactory(stage=Stage.FULL).user)
    response = client.get(reverse("communities:propose"))
    assert response.status_code == 403
    assert "Stewards of a community may propose" in response.content.decode()


def test_the_proposal_queue_runs_in_constant_queries(client, staff, django_assert_max_num_queries):
    counter = itertools.count()
    for _ in range(2):
        proposals.propose_community(
            actor=MembershipFactory(stage=Stage.STEWARD).user,
            **{**FORM, "name": f"Proposed group {next(counter)}", "slug": ""},
        )
    client.force_login(staff)
    client.get(reverse("communities:proposals"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("communities:proposals"))
    for _ in range(5):
        proposals.propose_community(
            actor=MembershipFactory(stage=Stage.STEWARD).user,
            **{**FORM, "name": f"Proposed group {next(counter)}", "slug": ""},
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("communities:proposals")).status_code == 200


def test_the_demo_has_an_admin_account_and_a_proposal_waiting():
    import io

    from django.core.management import call_command

    output = io.StringIO()
    call_command("seed-demo", stdout=output)
    assert "admin@example.com" in output.getvalue()
    from practica.people.models import User

    admin = User.objects.get(email="admin@example.com")
    assert admin.is_staff and can_on_instance(admin, InstanceCapability.CREATE_COMMUNITY)
    assert CommunityProposal.objects.filter(
        status="pending", proposed_by__email="steward@example.com"
    )
    for email in [
        "steward@example.com",
        "full@example.com",
        "participant@example.com",
        "learner@example.com",
    ]:
        assert email in output.getvalue()
