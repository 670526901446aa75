import pytest

from practica.tests.factories import CommunityFactory, UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/", "/c/", "/people/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"],
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
    UserFactory(username="ada")
    for url in ["/", "/people/", "/people/ada/", "/accounts/login/"]:
        html = client.get(url).content.decode()
        for marker in ('src="http', 'href="http', "src='http", "@import url(http"):
            assert marker not in html, f"{url} loads something from another host"
