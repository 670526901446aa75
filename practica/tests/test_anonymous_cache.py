"""Public pages are served from the cache to visitors without a session, and only to them."""

import pytest
from django.test import override_settings

from practica.tests.factories import CommunityFactory, UserFactory


@pytest.fixture
def cached_client(client):
    with override_settings(ANONYMOUS_CACHE_SECONDS=30):
        yield client


@pytest.mark.django_db
def test_a_visitor_gets_the_second_request_from_the_cache(cached_client, django_assert_num_queries):
    CommunityFactory(name="Ward care")
    first = cached_client.get("/c/")
    assert first["X-Practica-Cache"] == "miss"
    assert "csrftoken" not in first.cookies
    with django_assert_num_queries(0):
        second = cached_client.get("/c/")
    assert second["X-Practica-Cache"] == "hit"
    assert second.content == first.content


@pytest.mark.django_db
def test_signed_in_members_never_see_a_cached_page(cached_client):
    CommunityFactory(name="Ward care")
    cached_client.get("/c/")
    member = UserFactory()
    cached_client.force_login(member)
    response = cached_client.get("/c/")
    assert "X-Practica-Cache" not in response
    assert member.name in response.content.decode()


@pytest.mark.django_db
def test_pages_that_set_cookies_or_fail_are_not_stored(cached_client):
    login = cached_client.get("/accounts/login/")
    assert "X-Practica-Cache" not in login
    missing = cached_client.get("/c/no-such-community/")
    assert missing.status_code == 404
    assert "X-Practica-Cache" not in missing
