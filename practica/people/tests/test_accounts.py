"""Accounts through allauth: sign-up with email verification, log-in throttling, resets."""

import datetime as dt
import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.utils import timezone

from practica.people.adapter import login_lockout_minutes
from practica.people.models import User
from practica.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase 42"


def link_in_last_email() -> str:
    return re.search(r"https?://\S+", mail.outbox[-1].body).group(0)


def sign_up(client, **overrides):
    data = {
        "email": "ada@riverside.example",
        "display_name": "Ada Lovelace",
        "profession": "nurse",
        "timezone": "Europe/London",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return client.post("/accounts/signup/", {**data, **overrides})


def test_sign_up_sends_a_link_that_verifies_the_address_and_logs_in(client):
    riverside = OrganisationFactory(email_domain="riverside.example")
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    member = User.objects.get(email="ada@riverside.example")
    assert (member.display_name, member.profession, member.timezone) == (
        "Ada Lovelace",
        "nurse",
        "Europe/London",
    )
    assert member.username == "ada.lovelace"
    assert not EmailAddress.objects.get(user=member).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[Practica] Confirm your email address"

    confirm_url = link_in_last_email()
    assert (
        "Confirm that <strong>ada@riverside.example</strong>"
        in client.get(confirm_url).content.decode()
    )
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=member).verified
    member.refresh_from_db()
    assert member.organisation == riverside
    assert client.get("/").context["user"] == member


@pytest.mark.parametrize("same_browser", [True, False])
def test_confirming_the_email_goes_back_to_the_invitation_the_person_came_from(
    client, same_browser
):
    from django.test import Client

    from practica.communities.models import Invitation
    from practica.communities.services.membership import invitation_token
    from practica.tests.factories import CommunityFactory

    community = CommunityFactory(visibility="private")
    invitation = Invitation.objects.create(
        community=community,
        email="Ada@Riverside.example",
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    invite_path = f"/c/{community.slug}/invitation/{invitation_token(invitation)}/"
    # The visitor opens the invitation, then signs up from the home page: no ?next.
    assert client.get(invite_path).status_code == 200
    sign_up(client)
    confirm_url = link_in_last_email()
    browser = client if same_browser else Client()
    response = browser.post(confirm_url)
    assert response.status_code == 302
    landed = response["Location"]
    if same_browser:
        assert landed.startswith(f"/c/{community.slug}/invitation/")
    else:
        assert landed.startswith("/accounts/login/?next=") and community.slug in landed
        response = browser.post(landed, {"login": "ada@riverside.example", "password": PASSWORD})
        landed = response["Location"]
        assert landed.startswith(f"/c/{community.slug}/invitation/")
    html = browser.get(landed).content.decode()
    assert f"You are invited to join {community.name}" in html and "Accept and join" in html


def test_an_unverified_member_cannot_log_in_until_they_confirm(client):
    UserFactory(email="new@example.org", verified=False)
    response = client.post("/accounts/login/", {"login": "new@example.org", "password": PASSWORD})
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert "confirm" in mail.outbox[-1].subject.lower()


def test_a_refused_sign_up_keeps_what_was_typed_and_explains_each_field(client):
    UserFactory(email="taken@example.org")
    response = sign_up(
        client,
        email="taken@example.org",
        display_name="Ada Lovelace",
        profession="astronaut",
        timezone="Moon/Tranquility",
        password2="something else",
    )
    assert response.status_code == 200
    html = response.content.decode()
    # Whether an address has an account is never revealed: its owner gets an email instead.
    assert "taken@example.org" in html
    assert "Choose a profession from the list." in html
    assert "“Moon/Tranquility” is not a time zone Practica knows" in html
    assert 'value="Ada Lovelace"' in html
    assert 'value="Moon/Tranquility"' in html
    assert not mail.outbox


def test_handles_are_unique_and_never_taken_from_the_email_address(client):
    UserFactory(username="ada.lovelace")
    sign_up(client, email="private.name@example.org")
    member = User.objects.get(email="private.name@example.org")
    assert member.username.startswith("ada.lovelace")
    assert member.username != "ada.lovelace"
    assert "private" not in member.username


def test_log_in_and_out_with_email(client):
    member = UserFactory(email="ada@example.org")
    response = client.post("/accounts/login/", {"login": "ADA@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_is_refused_with_a_clear_message(client):
    UserFactory(email="ada@example.org")
    response = client.post("/accounts/login/", {"login": "ada@example.org", "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That email address and password don’t match an account." in html
    assert 'value="ada@example.org"' in html


def test_repeated_failed_logins_lock_the_account_with_a_clear_message(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/key"}
    UserFactory(email="ada@example.org")
    for _ in range(3):
        response = client.post(
            "/accounts/login/", {"login": "ada@example.org", "password": "guess"}
        )
        assert "don’t match an account" in response.content.decode()
    # Even the right password is refused while the lock lasts.
    response = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Too many failed attempts to log in" in html
    assert "paused for 5 minutes" in html
    assert "reset your password" in html
    assert "_auth_user_id" not in client.session


def test_the_default_lock_out_is_five_failures_and_names_its_duration(client):
    UserFactory(email="ada@example.org")
    for _ in range(5):
        client.post("/accounts/login/", {"login": "ada@example.org", "password": "guess"})
    html = client.post(
        "/accounts/login/", {"login": "ada@example.org", "password": PASSWORD}
    ).content.decode()
    assert "Too many failed attempts to log in" in html
    assert login_lockout_minutes() == 5


def log_in(client, email, password, address="10.1.2.3"):
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=address
    )


def test_colleagues_typos_behind_one_address_lock_nobody_else_out(client):
    """A ward behind one NAT address: five wrong passwords for one account pause that
    account only; the next nurse logs in straight away."""
    UserFactory(email="ada@example.org")
    UserFactory(email="ben@example.org")
    for _ in range(5):
        log_in(client, "ada@example.org", "guess")
    assert (
        "Too many failed attempts" in log_in(client, "ada@example.org", PASSWORD).content.decode()
    )
    response = log_in(client, "ben@example.org", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_throttled_address_slows_logins_and_the_right_password_gets_through_after_the_wait(
    client, settings
):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed_address": "4/5m/ip",
    }
    settings.LOGIN_SLOW_DOWN_SECONDS = 1
    for n in range(4):  # someone spraying guesses at four accounts from the ward's address
        UserFactory(email=f"staff{n}@example.org")
        log_in(client, f"staff{n}@example.org", "guess")
    UserFactory(email="ada@example.org")
    html = log_in(client, "ada@example.org", PASSWORD).content.decode()
    assert "logins from it are slowed down. Wait 1 second" in html
    assert 'value="ada@example.org"' in html
    assert "_auth_user_id" not in client.session
    # Too soon is told to wait again; another address is not slowed at all.
    assert "slowed down" in log_in(client, "ada@example.org", PASSWORD).content.decode()
    UserFactory(email="cy@example.org")
    assert log_in(client, "cy@example.org", "guess", address="10.9.9.9").status_code == 200
    time.sleep(1.05)
    response = log_in(client, "ada@example.org", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_after_the_wait_a_wrong_password_still_counts_against_the_account(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "3/5m/key",
        "login_failed_address": "1/5m/ip",
    }
    settings.LOGIN_SLOW_DOWN_SECONDS = 0
    UserFactory(email="ada@example.org")
    log_in(client, "ada@example.org", "guess")  # the address's one failure
    for _ in range(2):
        assert "slowed down" in log_in(client, "ada@example.org", "guess").content.decode()
        assert "don’t match" in log_in(client, "ada@example.org", "guess").content.decode()
    assert (
        "Too many failed attempts" in log_in(client, "ada@example.org", PASSWORD).content.decode()
    )


@pytest.mark.parametrize(
    ("rates", "minutes"), [("5/5m/ip,5/5m/key", 5), ("10/1h/key", 60), ("3/30s", 1), ("", 5)]
)
def test_lock_out_duration_follows_the_setting(settings, rates, minutes):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": rates}
    assert login_lockout_minutes() == minutes


def test_password_reset_by_emailed_link(client):
    member = UserFactory(email="ada@example.org")
    response = client.post("/accounts/password/reset/", {"email": "ada@example.org"})
    assert response["Location"] == "/accounts/password/reset/done/"
    assert mail.outbox[-1].subject == "[Practica] Reset your password"
    reset_url = link_in_last_email()
    form_page = client.get(reset_url, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset_url
    response = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_a_used_reset_link_explains_itself(client):
    html = client.get("/accounts/password/reset/key/1-not-a-real-key/", follow=True)
    assert "This link no longer works" in html.content.decode()


def test_change_password_while_logged_in(client):
    member = UserFactory()
    client.force_login(member)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert 'id="id_oldpassword_error"' in response.content.decode()
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_change_email_by_adding_confirming_and_making_it_primary(client):
    member = UserFactory(email="old@example.org")
    client.force_login(member)
    client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
    assert mail.outbox[-1].to == ["new@example.org"]
    client.post(link_in_last_email())
    client.post("/accounts/email/", {"action_primary": "", "email": "new@example.org"})
    member.refresh_from_db()
    assert member.email == "new@example.org"
    page = client.get("/accounts/email/").content.decode()
    assert "new@example.org" in page
    assert "Primary" in page


def test_passwords_are_hashed_with_argon2_outside_tests():
    from practica import settings as production_settings

    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    hasher = Argon2PasswordHasher()
    assert hasher.verify(PASSWORD, hasher.encode(PASSWORD, hasher.salt()))


def test_signing_up_with_a_taken_address_tells_its_owner_not_the_visitor(client):
    UserFactory(email="taken@example.org")
    response = sign_up(client, email="taken@example.org")
    assert response["Location"] == "/accounts/confirm-email/"
    assert mail.outbox[-1].to == ["taken@example.org"]
    assert User.objects.filter(email="taken@example.org").count() == 1


def test_too_many_requests_get_a_friendly_page(rf):
    from allauth.core.internal.ratelimit import respond_429

    request = rf.get("/accounts/signup/")
    request.user = AnonymousUser()
    response = respond_429(request)
    assert response.status_code == 429
    assert "Slow down a little" in response.content.decode()
