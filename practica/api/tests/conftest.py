"""Fixtures for API tests: a community with threads, members at each stage, tokens."""

import json

import pytest
from django.test import Client

from practica.api import tokens
from practica.api.models import TokenScope
from practica.communities.models import Visibility
from practica.communities.stages import Stage
from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.tests.factories import CommunityFactory, MembershipFactory


class ApiClient:
    """The Django test client speaking JSON to /api/v1/ with an optional bearer token."""

    def __init__(self, secret: str | None = None):
        self.client = Client()
        self.secret = secret

    def _headers(self, headers):
        headers = dict(headers or {})
        if self.secret:
            headers.setdefault("Authorization", f"Bearer {self.secret}")
        return headers

    def get(self, path, data=None, headers=None):
        return self.client.get(_url(path), data, headers=self._headers(headers))

    def send(self, method, path, body=None, headers=None, raw=None):
        content = raw if raw is not None else json.dumps(body or {})
        return self.client.generic(
            method,
            _url(path),
            content,
            content_type="application/json",
            headers=self._headers(headers),
        )

    def post(self, path, body=None, headers=None):
        return self.send("POST", path, body, headers)


def _url(path: str) -> str:
    return path if path.startswith("/api/") else f"/api/v1{path}"


@pytest.fixture
def ward(db):
    community = CommunityFactory(name="Ward care", slug="ward")
    return community


@pytest.fixture
def private_ward(db):
    return CommunityFactory(name="Night shift", slug="night", visibility=Visibility.PRIVATE)


@pytest.fixture
def members(ward):
    return {
        stage: MembershipFactory(community=ward, stage=stage).user
        for stage in (Stage.PERIPHERAL, Stage.PARTICIPANT, Stage.FULL, Stage.STEWARD)
    }


def make_token(user, scope=TokenScope.WRITE, community=None, days=30):
    return tokens.create_personal_token(
        actor=user, name="test", scope=scope, expires_in_days=days, community=community
    ).secret


@pytest.fixture
def as_member():
    """`as_member(user, scope=...)` is an ApiClient with a fresh token of that member."""

    def make(user, **kwargs):
        return ApiClient(make_token(user, **kwargs))

    return make


@pytest.fixture
def anonymous():
    return ApiClient()


@pytest.fixture
def question(ward, members):
    thread = ThreadFactory(community=ward, author=members[Stage.PERIPHERAL])
    return thread


@pytest.fixture
def answered(ward, members):
    thread = ThreadFactory(community=ward, author=members[Stage.PERIPHERAL], reply_count=1)
    PostFactory(thread=thread, author=members[Stage.FULL])
    return thread
