"""People pages over HTTP: directory, profile, profile editing, dates in the member's zone."""

import datetime as dt

import pytest
from django.urls import reverse

from practica.people.models import ExpertiseArea, Profession, User
from practica.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
DIRECTORY = "/people/"
EDIT = "/people/me/edit/"


@pytest.fixture(autouse=True)
def _signed_in(client):
    """People pages are for signed-in members (see test_privacy_defaults for visitors)."""
    client.force_login(UserFactory(display_name="Viewer", show_in_directory=False))


def listed_names(response) -> list[str]:
    return [person.name for person in response.context["people"]]


def make_people(count: int, **kwargs) -> list[User]:
    organisation = OrganisationFactory()
    areas = ExpertiseArea.for_names(["wound care", "falls prevention"])
    people = UserFactory.create_batch(count, organisation=organisation, **kwargs)
    for person in people:
        person.expertise.set(areas)
    return people


# --- directory -----------------------------------------------------------------------------


def test_directory_searches_names_places_organisations_and_expertise(client):
    ada = UserFactory(display_name="Ada Lovelace", location="Leeds, UK", share_location=True)
    grace = UserFactory(display_name="Grace Hopper", location="Toronto", share_location=True)
    grace.expertise.set(ExpertiseArea.for_names(["Wound care"]))
    assert listed_names(client.get(DIRECTORY, {"q": "lovelace"})) == [ada.name]
    assert listed_names(client.get(DIRECTORY, {"q": "toronto"})) == [grace.name]
    assert listed_names(client.get(DIRECTORY, {"q": "wound"})) == [grace.name]
    assert listed_names(client.get(DIRECTORY, {"q": "grace wound"})) == [grace.name]
    assert listed_names(client.get(DIRECTORY, {"q": "ada wound"})) == []


def test_directory_filters_by_profession_and_organisation(client):
    riverside = OrganisationFactory(name="Riverside", slug="riverside")
    nurse = UserFactory(display_name="Nina Nurse", profession=Profession.NURSE)
    pharmacist = UserFactory(
        display_name="Paul Pharmacist", profession=Profession.PHARMACIST, organisation=riverside
    )
    assert listed_names(client.get(DIRECTORY, {"profession": "nurse"})) == [nurse.name]
    assert listed_names(client.get(DIRECTORY, {"organisation": "riverside"})) == [pharmacist.name]


def test_directory_leaves_out_hidden_and_deactivated_people(client):
    UserFactory(display_name="Hidden", show_in_directory=False)
    UserFactory(display_name="Gone", is_active=False)
    shown = UserFactory(display_name="Shown")
    assert listed_names(client.get(DIRECTORY)) == [shown.name]


def test_directory_refuses_an_unknown_profession_beside_the_filter(client):
    UserFactory(display_name="Ada Lovelace")
    response = client.get(DIRECTORY, {"q": "ada", "profession": "astronaut"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a profession from the list." in html
    assert 'value="ada"' in html
    assert listed_names(response) == ["Ada Lovelace"]


def test_directory_paginates_and_keeps_the_filters_in_page_links(client, settings):
    settings.PRACTICA_PAGE_SIZE = 5
    make_people(12, profession=Profession.NURSE)
    first = client.get(DIRECTORY, {"profession": "nurse"})
    assert len(first.context["people"]) == 5
    assert 'href="?profession=nurse&amp;page=2"' in first.content.decode()
    last = client.get(DIRECTORY, {"profession": "nurse", "page": "3"})
    assert len(last.context["people"]) == 2
    # Nonsense page numbers show a page rather than an error.
    assert client.get(DIRECTORY, {"page": "999"}).status_code == 200
    assert client.get(DIRECTORY, {"page": "x"}).status_code == 200


def test_directory_says_so_when_no_one_matches(client):
    response = client.get(DIRECTORY, {"q": "nobody-at-all"})
    assert "No one matches those filters" in response.content.decode()


@pytest.mark.parametrize("count", [5, 50])
def test_directory_query_count_does_not_grow_with_people(
    client, django_assert_max_num_queries, count
):
    viewer = make_people(count)[0]
    client.force_login(viewer)
    with django_assert_max_num_queries(7):
        response = client.get(DIRECTORY, {"q": "wound"})
    assert response.status_code == 200
    assert len(response.context["people"]) == min(count, 25)


# --- profile ------------------------------------------------------------------------------


def test_profile_shows_a_member_and_their_expertise(client):
    ada = UserFactory(
        username="ada", display_name="Ada Lovelace", location="Leeds, UK", share_location=True
    )
    ada.expertise.set(ExpertiseArea.for_names(["Wound care"]))
    html = client.get("/people/ada/").content.decode()
    assert '<h1 id="person-name">Ada Lovelace</h1>' in html
    assert "Leeds, UK" in html
    assert "Wound care" in html


def test_profile_of_an_unknown_or_deactivated_person_is_a_friendly_404(client):
    UserFactory(username="gone", is_active=False)
    for url in ["/people/gone/", "/people/nobody/"]:
        response = client.get(url)
        assert response.status_code == 404
        assert "We can’t find that page" in response.content.decode()


def test_profile_query_count_is_small(client, django_assert_max_num_queries):
    from practica.tests.factories import MembershipFactory

    ada = UserFactory(username="ada")
    for _ in range(3):
        MembershipFactory(user=ada)
    # The session, the reader and the reader's memberships and badges' communities; the
    # person, their expertise, their badges and their stage in each community.
    with django_assert_max_num_queries(8):
        assert client.get("/people/ada/").status_code == 200


def test_a_bio_with_script_is_shown_as_text_on_the_profile(client):
    ada = UserFactory(username="ada")
    ada.set_bio("<script>alert('owned')</script> **bold** <img src=x onerror=alert(1)>")
    ada.save()
    html = client.get("/people/ada/").content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert "<strong>bold</strong>" in html


def test_dates_are_shown_in_the_viewers_time_zone(client):
    # 22:30 UTC on 31 December is already 1 January in Sydney, still 31 December in London.
    joined = dt.datetime(2025, 12, 31, 22, 30, tzinfo=dt.UTC)
    UserFactory(username="ada", date_joined=joined)
    in_sydney = UserFactory(timezone="Australia/Sydney")
    in_london = UserFactory(timezone="Europe/London")
    utc_html = client.get("/people/ada/").content.decode()
    assert "31 December 2025" in utc_html
    client.force_login(in_sydney)
    sydney_html = client.get("/people/ada/").content.decode()
    assert "1 January 2026" in sydney_html
    assert 'datetime="2026-01-01T09:30:00+11:00"' in sydney_html
    client.force_login(in_london)
    assert "31 December 2025" in client.get("/people/ada/").content.decode()


def test_joined_shows_when_the_person_first_joined_not_when_the_account_was_made(client):
    from practica.tests.factories import MembershipFactory

    person = UserFactory(username="mira", date_joined=dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC))
    MembershipFactory(user=person, joined_at=dt.datetime(2026, 8, 14, 9, tzinfo=dt.UTC))
    html = client.get("/people/mira/").content.decode()
    assert "14 August 2026" in html
    assert "2 December 2026" not in html
    assert "since <time" in html and "Aug 2026" in html


def test_profile_shows_the_persons_own_clock(client):
    UserFactory(username="ada", timezone="Pacific/Auckland", share_local_time=True)
    viewer = UserFactory(timezone="Europe/London")
    client.force_login(viewer)
    html = client.get("/people/ada/").content.decode()
    assert "Their time now" in html
    assert '+12:00"' in html or '+13:00"' in html


# --- editing your profile -------------------------------------------------------------------


def test_editing_needs_a_login(client):
    client.logout()
    response = client.get(EDIT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_member_edits_their_profile(client):
    member = UserFactory()
    client.force_login(member)
    response = client.post(
        EDIT,
        {
            "display_name": "Ada Lovelace",
            "profession": "pharmacist",
            "organisation": "",
            "location": "Sheffield, UK",
            "timezone": "America/Toronto",
            "expertise_text": "anticoagulation, deprescribing",
            "bio": "Ward pharmacist. *Ask me* about DOACs.",
            "show_in_directory": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == member.get_absolute_url()
    member.refresh_from_db()
    assert (member.display_name, member.profession, member.timezone) == (
        "Ada Lovelace",
        "pharmacist",
        "America/Toronto",
    )
    assert "<em>Ask me</em>" in member.bio_html
    html = client.get(response["Location"]).content.decode()
    assert "Your profile is saved." in html
    assert "deprescribing" in html


def test_a_refused_profile_keeps_what_was_typed_and_says_why_beside_each_field(client):
    member = UserFactory(display_name="Before")
    client.force_login(member)
    response = client.post(
        EDIT,
        {
            "display_name": "After",
            "profession": "astronaut",
            "location": "Leeds",
            "timezone": "Europe/Atlantis",
            "expertise_text": "wound care",
            "bio": "My *draft* bio",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please correct the fields marked below." in html
    assert "Choose a profession from the list." in html
    assert "“Europe/Atlantis” is not a time zone Practica knows" in html
    assert 'id="id_timezone_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'value="After"' in html
    assert 'value="wound care"' in html
    assert "My *draft* bio" in html
    member.refresh_from_db()
    assert member.display_name == "Before"
    # The header still shows the saved name, not the refused one.
    assert '">Before</a>' in html


def test_edit_form_offers_every_time_zone_without_javascript(client):
    client.force_login(UserFactory())
    html = client.get(EDIT).content.decode()
    assert 'list="timezone-list"' in html
    assert '<option value="Australia/Sydney">' in html
