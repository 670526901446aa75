"""Profile writes: only your own, only organisations you belong to, bios sanitised."""

from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError

from practica.people.services import join_organisation_by_email, update_profile
from practica.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


class TagCollector(HTMLParser):
    """The real elements of an HTML fragment; escaped text never shows up here."""

    @classmethod
    def collect(cls, html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
        parser = cls()
        parser.tags = []
        parser.feed(html)
        return parser.tags

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def test_a_member_updates_their_profile_bio_and_expertise():
    member = UserFactory()
    update_profile(
        user=member,
        actor=member,
        data={"display_name": "Ada L.", "timezone": "Australia/Sydney", "bio": "I *teach*."},
        expertise=["Wound care", "falls prevention"],
    )
    member.refresh_from_db()
    assert member.display_name == "Ada L."
    assert member.timezone == "Australia/Sydney"
    assert member.bio_html == "<p>I <em>teach</em>.</p>\n"
    assert sorted(a.name for a in member.expertise.all()) == ["Wound care", "falls prevention"]


def test_nobody_edits_someone_elses_profile():
    member, other = UserFactory(), UserFactory()
    with pytest.raises(PermissionDenied):
        update_profile(user=member, actor=other, data={"display_name": "Hacked"}, expertise=[])


def test_an_unknown_time_zone_never_reaches_the_database():
    member = UserFactory()
    with pytest.raises(ValidationError) as refused:
        update_profile(user=member, actor=member, data={"timezone": "Mars/Base"}, expertise=[])
    assert "timezone" in refused.value.message_dict
    member.refresh_from_db()
    assert member.timezone == "Europe/London"


def test_joining_an_organisation_needs_a_verified_address_at_its_domain():
    organisation = OrganisationFactory(email_domain="riverside.example")
    member = UserFactory()
    with pytest.raises(ValidationError):
        update_profile(user=member, actor=member, data={"organisation": organisation}, expertise=[])
    EmailAddress.objects.create(user=member, email="ada@riverside.example", verified=True)
    update_profile(user=member, actor=member, data={"organisation": organisation}, expertise=[])
    member.refresh_from_db()
    assert member.organisation == organisation


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        "<iframe src=//evil.example></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_script_and_html_in_a_bio_are_stored_inert(attack):
    member = UserFactory()
    update_profile(user=member, actor=member, data={"bio": attack}, expertise=[])
    tags = TagCollector.collect(member.bio_html)
    assert {name for name, _ in tags} <= {"p", "a", "div"}
    for name, attrs in tags:
        assert name != "div" or not attrs
        for attribute, value in attrs:
            assert not attribute.startswith("on")
            assert attribute != "style"
            assert not (value or "").strip().lower().startswith("javascript:")


def test_verifying_an_address_joins_the_organisation_of_its_domain_once():
    organisation = OrganisationFactory(email_domain="riverside.example")
    member = UserFactory()
    join_organisation_by_email(user=member, email="ada@Riverside.example")
    member.refresh_from_db()
    assert member.organisation == organisation
