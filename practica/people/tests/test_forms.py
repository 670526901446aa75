"""Profile and sign-up forms refuse bad input with a reason beside the field."""

import pytest

from practica.people.forms import (
    MAX_EXPERTISE,
    DirectoryFilterForm,
    ProfileForm,
    SignupExtraForm,
    parse_expertise,
)
from practica.tests.factories import OrganisationFactory, UserFactory


def profile_data(**overrides):
    data = {
        "display_name": "Ada Lovelace",
        "profession": "nurse",
        "organisation": "",
        "location": "Leeds, UK",
        "timezone": "Europe/London",
        "expertise_text": "",
        "bio": "",
        "show_in_directory": "on",
    }
    return {**data, **overrides}


def test_expertise_is_split_on_commas_and_semicolons_keeping_the_first_spelling():
    assert parse_expertise(" Wound care, falls  prevention; wound CARE,, ") == [
        "Wound care",
        "falls prevention",
    ]


@pytest.mark.django_db
def test_unknown_time_zone_is_refused_with_a_message_naming_it():
    form = ProfileForm(profile_data(timezone="Mars/Olympus_Mons"), instance=UserFactory())
    assert not form.is_valid()
    assert "“Mars/Olympus_Mons” is not a time zone Practica knows" in form.errors["timezone"][0]


@pytest.mark.django_db
def test_unknown_profession_is_refused_with_a_message():
    form = ProfileForm(profile_data(profession="astronaut"), instance=UserFactory())
    assert not form.is_valid()
    assert form.errors["profession"] == ["Choose a profession from the list."]


@pytest.mark.django_db
def test_too_many_areas_of_expertise_are_refused():
    areas = ", ".join(f"area {n}" for n in range(MAX_EXPERTISE + 1))
    form = ProfileForm(profile_data(expertise_text=areas), instance=UserFactory())
    assert not form.is_valid()
    assert f"at most {MAX_EXPERTISE} areas" in form.errors["expertise_text"][0]


@pytest.mark.django_db
def test_a_blank_display_name_is_refused():
    form = ProfileForm(profile_data(display_name="   "), instance=UserFactory())
    assert not form.is_valid()
    assert form.errors["display_name"] == ["Enter the name colleagues know you by."]


@pytest.mark.django_db
def test_only_organisations_matching_a_verified_address_are_offered():
    mine = OrganisationFactory(email_domain="riverside.example")
    OrganisationFactory(email_domain="elsewhere.example")
    member = UserFactory(email="ada@riverside.example")
    form = ProfileForm(instance=member)
    assert list(form.fields["organisation"].queryset) == [mine]


@pytest.mark.django_db
def test_choosing_an_organisation_without_a_verified_address_there_is_refused():
    other = OrganisationFactory(email_domain="elsewhere.example")
    form = ProfileForm(profile_data(organisation=str(other.pk)), instance=UserFactory())
    assert not form.is_valid()
    assert "Choose an organisation from the list" in form.errors["organisation"][0]


def test_sign_up_asks_for_a_known_profession_and_time_zone():
    form = SignupExtraForm({"display_name": "Ada", "profession": "", "timezone": "Nowhere/City"})
    assert not form.is_valid()
    assert form.errors["profession"] == ["Choose a profession from the list."]
    assert "not a time zone Practica knows" in form.errors["timezone"][0]


@pytest.mark.django_db
def test_directory_filters_keep_the_good_filters_when_one_is_bad():
    form = DirectoryFilterForm({"q": "wound", "profession": "astronaut"})
    assert form.filters() == {"q": "wound", "profession": "", "organisation": None}
    assert form.errors["profession"] == ["Choose a profession from the list."]
