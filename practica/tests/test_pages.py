import pytest

from practica.tests.factories import CommunityFactory, UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/c/",
        "/bulletin/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ],
)
def test_public_pages_render_with_the_layout(client, url):
    CommunityFactory(name="Ward care", slug="ward-care")
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert "htmx.min.js" in html


@pytest.mark.django_db
def test_unknown_page_gets_the_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()


@pytest.mark.django_db
def test_pages_reference_no_third_party_hosts(client):
    client.force_login(UserFactory(username="ada"))
    for url in ["/", "/people/", "/people/ada/", "/accounts/login/"]:
        html = client.get(url).content.decode()
        for marker in ('src="http', 'href="http', "src='http", "@import url(http"):
            assert marker not in html, f"{url} loads something from another host"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/people/me/edit/", "/accounts/email/", "/accounts/password/change/", "/people/ada/"]
)
def test_member_pages_render_with_the_layout_and_one_h1(client, url):
    client.force_login(UserFactory(username="ada"))
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert 'role="contentinfo"' in html


@pytest.mark.django_db
def test_the_demo_says_where_to_read_its_emails(client, settings, tmp_path):
    settings.DEMO = True
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    html = client.get("/accounts/password/reset/done/").content.decode()
    assert f"<code>{tmp_path / 'mail'}</code>" in html
    assert "no email leaves this machine" in html


def test_the_500_page_renders_without_a_database(rf):
    from practica.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db
def test_the_403_page_gives_the_reason(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    from practica.views import permission_denied

    request = rf.get("/")
    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied("Only stewards can do that."))
    assert response.status_code == 403
    assert "Only stewards can do that." in response.content.decode()


@pytest.mark.django_db
def test_the_signed_in_homes_meta_line_names_the_visibility_whole(client):
    from practica.communities.models import Visibility
    from practica.tests.factories import MembershipFactory

    member = UserFactory()
    for visibility in (Visibility.PUBLIC, Visibility.ORGANISATION):
        MembershipFactory(user=member, community=CommunityFactory(visibility=visibility))
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "Organisation only ·" in html or "Organisation only<" in html
    assert "Public …" not in html and "Organisation …" not in html
