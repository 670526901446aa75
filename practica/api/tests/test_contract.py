"""Contract tests: schemathesis sends generated requests to every operation of the OpenAPI
description, through the real WSGI application and a seeded database, as an anonymous
visitor and with a member's write token. No answer may be a 5xx, and every answer must
match what the description promises (status, content type, headers, body schema).

Kept short (a few examples per operation) so `make test` stays fast; raise
SCHEMATHESIS_EXAMPLES to run it harder.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from practica.api.tests.conftest import make_token
from practica.communities.models import Visibility
from practica.communities.stages import Stage
from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.notifications.models import Notification
from practica.tests.factories import CommunityFactory, MembershipFactory, TopicFactory

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def seeded(db):
    """A public community with threads, replies and topics, a private one, and a member."""
    ward = CommunityFactory(slug="ward", name="Ward care")
    CommunityFactory(slug="night", name="Night shift", visibility=Visibility.PRIVATE)
    topic = TopicFactory(community=ward, slug="falls")
    member = MembershipFactory(community=ward, stage=Stage.FULL).user
    learner = MembershipFactory(community=ward, stage=Stage.PERIPHERAL).user
    thread = ThreadFactory(community=ward, author=learner, reply_count=1)
    thread.topics.add(topic)
    post = PostFactory(thread=thread, author=member)
    ThreadFactory(community=ward, author=member)
    Notification.objects.create(
        recipient=member, community=ward, kind=Notification.Kind.REPLY, text="A reply", url="/"
    )
    return {
        "token": make_token(member),
        "thread_id": thread.pk,
        "post_id": post.pk,
        "username": member.username,
    }


def _load_schema():
    """The description as the running WSGI application serves it (no database needed)."""
    from practica.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


schema = _load_schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does, the application keeps the test's database connection
    across requests (it would otherwise close it at the end of each, and with it the
    transaction the seeded rows live in)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _aim_at_seeded_objects(case, seeded) -> None:
    """Half the generated path parameters point at objects that exist, so operations are
    exercised past their 404s; the other half stay as generated."""
    params = case.path_parameters or {}
    real = {
        "slug": "ward",
        "thread_id": seeded["thread_id"],
        "post_id": seeded["post_id"],
        "username": seeded["username"],
    }
    for name, value in list(params.items()):
        if name in real and hash(str(value)) % 2 == 0:
            params[name] = real[name]


SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@schema.parametrize()
@SETTINGS
def test_every_operation_keeps_its_contract_for_a_visitor(case, seeded):
    _aim_at_seeded_objects(case, seeded)
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@SETTINGS
def test_every_operation_keeps_its_contract_for_a_member_token(case, seeded):
    _aim_at_seeded_objects(case, seeded)
    case.call_and_validate(headers={"Authorization": f"Bearer {seeded['token']}"}, checks=CHECKS)
