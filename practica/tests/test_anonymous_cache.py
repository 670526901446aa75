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


@pytest.mark.django_db
def test_a_5000_character_title_makes_no_cache_key_warning(cached_client):
    import warnings

    from django.core.cache import CacheKeyWarning

    from practica.search.backends import _document_frequency

    community = CommunityFactory(name="Ward care")
    title = "handover " * 556  # 5,004 characters
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        url = f"/c/{community.slug}/questions/similar.json"
        first = cached_client.get(url, {"title": title})
        assert first.status_code == 200 and first["X-Practica-Cache"] == "miss"
        assert cached_client.get(url, {"title": title})["X-Practica-Cache"] == "hit"
        assert cached_client.get(url, {"title": title + "x"})["X-Practica-Cache"] == "miss"
        _document_frequency("x" * 5000)
