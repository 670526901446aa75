"""Shared fixtures: factories for the people and communities every test needs."""

import pytest

from practica.tests.factories import CommunityFactory, MembershipFactory, TopicFactory, UserFactory

pytest_plugins = ["practica.tests.browser"]


def pytest_configure(config):
    from practica.tests import dbcache

    dbcache.install()


__all__ = ["CommunityFactory", "MembershipFactory", "TopicFactory", "UserFactory"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and cached pages live in the cache: start each test with it empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def member_at(db, community):
    """`member_at(stage)` makes a new member of `community` at that stage."""

    def make(stage, **kwargs):
        return MembershipFactory(community=community, stage=stage, **kwargs).user

    return make


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, and before it is dropped on PostgreSQL, an end to the sessions
    that live-server threads or worker processes left open on it (else the drop fails and
    the database is left behind)."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
