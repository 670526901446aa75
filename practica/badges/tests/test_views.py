import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.badges.models import Assertion
from practica.badges.services import revoke_assertion
from practica.badges.tests.factories import module_badge, one_section_module, stage_badge
from practica.badges.tests.helpers import baked_text, check_open_badge, png_chunks
from practica.communities.models import Visibility
from practica.communities.stages import Stage
from practica.tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def earned(community, member_at):
    module = one_section_module(community)
    learner = member_at(Stage.PARTICIPANT)
    return module_badge(learner, module)


def _path(url: str) -> str:
    assert url.startswith(settings.SITE_URL)
    return url[len(settings.SITE_URL) :]


def test_assertion_badge_class_and_issuer_are_open_badges_2_at_public_urls(client, earned):
    response = client.get(f"/badges/assertions/{earned.uid}.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assertion = response.json()
    assert check_open_badge(assertion, "Assertion") == []
    assert assertion["id"] == f"{settings.SITE_URL}/badges/assertions/{earned.uid}.json"
    assert assertion["recipient"]["salt"] == earned.salt
    assert "revoked" not in assertion

    badge_class = client.get(_path(assertion["badge"])).json()
    assert check_open_badge(badge_class, "BadgeClass") == []
    assert badge_class["name"] == "Handover with ISBAR"
    assert client.get(_path(badge_class["criteria"]["id"])).status_code == 200
    image = client.get(_path(badge_class["image"]))
    assert image["Content-Type"] == "image/png" and png_chunks(image.content)

    issuer = client.get(_path(badge_class["issuer"])).json()
    assert check_open_badge(issuer, "Issuer") == []
    assert issuer["id"] == f"{settings.SITE_URL}/badges/issuer.json"
    assert issuer["url"] == f"{settings.SITE_URL}/"


def test_the_documents_name_no_host_but_ours_except_the_context(client, earned):
    documents = [
        client.get(f"/badges/assertions/{earned.uid}.json").content.decode(),
        client.get(f"/badges/classes/{earned.badge_class_id}.json").content.decode(),
        client.get("/badges/issuer.json").content.decode(),
    ]
    for text in documents:
        hosts = {word.split("/")[2] for word in text.split('"') if word.startswith("http")}
        assert hosts <= {settings.SITE_URL.split("/")[2], "w3id.org"}


def test_the_checker_catches_what_a_broken_badge_lacks():
    broken = {"@context": "https://w3id.org/openbadges/v1", "type": "Assertion", "id": "x"}
    problems = check_open_badge(broken, "Assertion")
    assert any("@context" in p for p in problems)
    assert "Assertion lacks recipient" in problems and "Assertion lacks issuedOn" in problems


def test_the_baked_png_carries_the_assertion_json(client, earned):
    response = client.get(f"/badges/assertions/{earned.uid}.png?download")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith('attachment; filename="handover-with-isbar-')
    chunks = png_chunks(response.content)  # checks every CRC
    assert [kind for kind, _ in chunks][-2:] == [b"iTXt", b"IEND"]
    [text] = baked_text(response.content)
    baked = json.loads(text)
    assert baked == client.get(f"/badges/assertions/{earned.uid}.json").json()
    assert check_open_badge(baked, "Assertion") == []


def test_the_json_downloads_as_a_file(client, earned):
    response = client.get(f"/badges/assertions/{earned.uid}.json?download")
    assert response["Content-Disposition"].endswith(f'-{earned.uid}.json"')


def test_a_revoked_badge_verifies_as_revoked_with_410_gone(client, earned):
    owner = earned.badge_class.module.owners.get()
    assert client.get(f"/badges/assertions/{earned.uid}.json").status_code == 200
    revoke_assertion(actor=owner, assertion=earned, reason="Awarded to the wrong account")
    response = client.get(f"/badges/assertions/{earned.uid}.json")
    assert response.status_code == 410
    body = response.json()
    assert body["revoked"] is True
    assert body["revocationReason"] == "Awarded to the wrong account"
    assert body["id"].endswith(f"/badges/assertions/{earned.uid}.json")
    assert client.get(f"/badges/assertions/{earned.uid}.png").status_code == 410
    page = client.get(f"/badges/assertions/{earned.uid}/").content.decode()
    assert "Revoked" in page and "Awarded to the wrong account" in page


def test_a_steward_revokes_a_stage_badge_from_its_page(client, community, member_at):
    holder = member_at(Stage.FULL)
    assertion = stage_badge(holder, community, Stage.FULL)
    steward = member_at(Stage.STEWARD)
    client.force_login(steward)
    page = client.get(f"/badges/assertions/{assertion.uid}/").content.decode()
    assert "Revoke this badge" in page
    response = client.post(
        f"/badges/assertions/{assertion.uid}/revoke/", {"reason": "Left the service"}
    )
    assert response.status_code == 302
    assert client.get(f"/badges/assertions/{assertion.uid}.json").status_code == 410


def test_others_see_no_revoke_form_and_are_refused(client, community, member_at):
    holder = member_at(Stage.FULL)
    assertion = stage_badge(holder, community, Stage.FULL)
    client.force_login(holder)
    page = client.get(f"/badges/assertions/{assertion.uid}/").content.decode()
    assert "Revoke this badge" not in page
    assert "Download badge (PNG)" in page
    response = client.post(f"/badges/assertions/{assertion.uid}/revoke/", {"reason": "Mine"})
    assert response.status_code == 403
    assert not Assertion.objects.get(pk=assertion.pk).is_revoked


def test_an_unknown_assertion_is_a_404(client):
    response = client.get("/badges/assertions/00000000-0000-0000-0000-000000000000.json")
    assert response.status_code == 404


# --- the profile ------------------------------------------------------------------------------


def test_badges_show_on_the_profile_with_downloads_for_their_holder(client, earned):
    holder = earned.recipient
    client.force_login(UserFactory())
    html = client.get(f"/people/{holder.username}/").content.decode()
    assert "Handover with ISBAR" in html
    assert f"/badges/assertions/{earned.uid}/" in html
    assert "Download:" not in html
    client.force_login(holder)
    html = client.get(f"/people/{holder.username}/").content.decode()
    assert f"/badges/assertions/{earned.uid}.png?download" in html


def test_revoked_badges_and_badges_of_unreadable_communities_are_not_on_the_profile(client, earned):
    holder = earned.recipient
    private = CommunityFactory(visibility=Visibility.PRIVATE)
    MembershipFactory(user=holder, community=private, stage=Stage.FULL)
    secret = stage_badge(holder, private, Stage.FULL)
    outsider = UserFactory()
    client.force_login(outsider)
    html = client.get(f"/people/{holder.username}/").content.decode()
    assert "Handover with ISBAR" in html
    assert secret.badge_class.name not in html
    client.force_login(holder)
    assert secret.badge_class.name in client.get(f"/people/{holder.username}/").content.decode()
    revoke_assertion(actor=earned.badge_class.module.owners.get(), assertion=earned, reason="Error")
    client.force_login(outsider)
    assert "Handover with ISBAR" not in client.get(f"/people/{holder.username}/").content.decode()


def test_the_profile_takes_the_same_queries_for_one_badge_or_many(client, community, member_at):
    holder = member_at(Stage.FULL)
    viewer = member_at(Stage.PARTICIPANT)
    client.force_login(viewer)
    module_badge(holder, one_section_module(community, title="First"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/people/{holder.username}/").status_code == 200
        return len(queries)

    few = count()
    for title in ["Second", "Third", "Fourth"]:
        module_badge(holder, one_section_module(community, title=title))
    stage_badge(holder, community, Stage.FULL)
    html = client.get(f"/people/{holder.username}/").content.decode()
    assert html.count('class="badge-card"') == 5
    assert count() == few


@pytest.fixture
def private_badge(db):
    private = CommunityFactory(
        name="Secret Surgical Audit", visibility=Visibility.PRIVATE, charter="Confidential."
    )
    holder = MembershipFactory(community=private, stage=Stage.FULL).user
    return stage_badge(holder, private, Stage.FULL)


@pytest.mark.parametrize("suffix", [".json", ".png", "/"])
def test_a_private_communitys_badge_class_is_a_404_by_number_to_outsiders(
    client, private_badge, suffix
):
    url = f"/badges/classes/{private_badge.badge_class_id}{suffix}"
    response = client.get(url)
    assert response.status_code == 404
    assert b"Secret Surgical Audit" not in response.content
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(private_badge.recipient)
    assert client.get(url).status_code == 200


def test_a_private_communitys_badge_still_verifies_through_its_unguessable_class_url(
    client, private_badge
):
    assertion = client.get(f"/badges/assertions/{private_badge.uid}.json").json()
    badge_url = _path(assertion["badge"])
    assert badge_url == f"/badges/classes/{private_badge.badge_class.uid}.json"
    document = client.get(badge_url).json()
    assert check_open_badge(document, "BadgeClass") == []
    # What Open Badges requires, and no link to pages a verifier can't read.
    assert set(document) == {
        "@context", "type", "id", "name", "description", "image", "criteria", "issuer"
    }  # fmt: skip
    assert set(document["criteria"]) == {"narrative"}
    assert document["id"] == assertion["badge"]
    image = client.get(_path(document["image"]))
    assert image.status_code == 200 and png_chunks(image.content)
