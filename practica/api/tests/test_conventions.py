"""The conventions every endpoint shares: tokens, problems, pagination, ETags, limits."""

import datetime
import json
from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from django.utils import timezone

from practica.api import tokens
from practica.api.models import AccessToken, TokenScope
from practica.api.tests.conftest import ApiClient, make_token
from practica.communities.stages import Stage
from practica.conversations.tests.factories import ThreadFactory

pytestmark = pytest.mark.django_db


def problem(response):
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == response.status_code
    return body


def test_openapi_description_is_served_as_openapi_3_1(anonymous):
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/communities/{slug}/threads" in schema["paths"]


def test_docs_page_lists_operations_without_javascript_and_loads_nothing_from_elsewhere(
    anonymous,
):
    response = anonymous.client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "GET /api/v1/communities/{slug}/threads" in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html
    # Swagger UI's settings travel in a json_script block (no |safe in the template).
    assert '<script id="swagger-settings" type="application/json">' in html


def test_problems_page_explains_every_problem_type(anonymous):
    html = anonymous.client.get("/api/v1/problems").content.decode()
    assert 'id="invalid-cursor"' in html and 'id="rate-limited"' in html


def test_token_is_stored_hashed_and_works_once_made(members, ward):
    made = tokens.create_personal_token(
        actor=members[Stage.FULL], name="intranet", scope="read", expires_in_days=30
    )
    stored = AccessToken.objects.get()
    assert made.secret.startswith("pat_")
    assert made.secret not in (stored.digest, stored.prefix)
    assert stored.digest == tokens.digest_of(made.secret)
    response = ApiClient(made.secret).get("/people/me")
    assert response.status_code == 200
    assert response.json()["username"] == members[Stage.FULL].username


@pytest.mark.parametrize(
    "change, needle",
    [
        ({"revoked_at": timezone.now()}, "revoked"),
        ({"expires_at": timezone.now() - datetime.timedelta(days=1)}, "expired"),
    ],
)
def test_revoked_and_expired_tokens_get_a_problem_saying_so(members, change, needle):
    secret = make_token(members[Stage.FULL])
    AccessToken.objects.update(**change)
    body = problem(ApiClient(secret).get("/communities"))
    assert body["status"] == 401
    assert needle in body["detail"]


def test_unknown_token_and_malformed_header_are_refused(members):
    assert problem(ApiClient("pat_nope").get("/communities"))["status"] == 401
    response = ApiClient().get("/communities", headers={"Authorization": "Basic abc"})
    assert problem(response)["type"].endswith("#invalid-token")


def test_read_token_cannot_write(ward, members, question):
    client = ApiClient(make_token(members[Stage.FULL], scope=TokenScope.READ))
    response = client.post(f"/communities/ward/threads/{question.pk}/posts", {"body": "Hello all"})
    body = problem(response)
    assert response.status_code == 403
    assert body["needed_scope"] == "write"


def test_community_limited_token_cannot_reach_another_community(ward, members):
    from practica.tests.factories import CommunityFactory, MembershipFactory

    other = CommunityFactory(slug="other")
    MembershipFactory(community=other, user=members[Stage.FULL])
    client = ApiClient(make_token(members[Stage.FULL], community=ward))
    assert client.get("/communities/ward").status_code == 200
    response = client.get("/communities/other/threads")
    assert problem(response)["type"].endswith("#insufficient-scope")
    listed = [c["slug"] for c in client.get("/communities").json()["results"]]
    assert listed == ["ward"]


def test_session_writes_need_the_csrf_token(ward, members, question):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(members[Stage.FULL])
    url = f"/api/v1/communities/ward/threads/{question.pk}/posts"
    refused = browser.post(url, json.dumps({"body": "A reply"}), content_type="application/json")
    assert problem(refused)["type"].endswith("#csrf-failed")
    browser.get("/api/v1/docs")  # sets the csrftoken cookie
    csrf = browser.cookies["csrftoken"].value
    allowed = browser.post(
        url,
        json.dumps({"body": "A reply from the browser"}),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert allowed.status_code == 201, allowed.content


def test_token_request_is_attributed_to_its_member(ward, members, question, as_member):
    client = as_member(members[Stage.FULL])
    response = client.post(
        f"/communities/ward/threads/{question.pk}/posts", {"body": "Try the falls bundle first."}
    )
    assert response.status_code == 201
    assert response.json()["author"]["username"] == members[Stage.FULL].username
    assert AccessToken.objects.get().last_used_at is not None


def test_validation_errors_name_the_field(ward, members, as_member):
    client = as_member(members[Stage.FULL])
    response = client.post("/communities/ward/threads", {"title": "Short", "body": "x" * 30})
    body = problem(response)
    assert response.status_code == 422
    assert body["errors"][0]["field"] == "body.title"
    missing = problem(client.post("/communities/ward/threads", {"body": "No title at all"}))
    assert missing["errors"] == [{"field": "body.title", "detail": "This field is required."}]


def test_unknown_fields_and_wrong_types_are_named(ward, members, as_member):
    client = as_member(members[Stage.FULL])
    response = client.post(
        "/communities/ward/threads",
        {"title": "A proper title here", "body": "Body text", "colour": "red"},
    )
    assert problem(response)["errors"] == [
        {"field": "body.colour", "detail": "This field is not known here."}
    ]
    wrong = client.post("/communities/ward/threads", {"title": 5, "body": "Body text"})
    assert problem(wrong)["errors"][0]["field"] == "body.title"


def test_malformed_json_is_a_problem(ward, members, question, as_member):
    client = as_member(members[Stage.FULL])
    response = client.send(
        "POST", f"/communities/ward/threads/{question.pk}/posts", raw="{not json"
    )
    assert response.status_code == 400
    assert problem(response)["type"].endswith("#malformed-request")


@override_settings(API_MAX_BODY_BYTES=1000)
def test_oversized_body_is_refused_with_the_limit(ward, members, question, as_member):
    client = as_member(members[Stage.FULL])
    response = client.post(
        f"/communities/ward/threads/{question.pk}/posts", {"body": "word " * 400}
    )
    body = problem(response)
    assert response.status_code == 413
    assert "1,000 bytes" in body["detail"]
    assert question.posts.count() == 1


def test_cursor_pagination_follows_next_links_without_repeats(ward, members):
    for _ in range(7):
        ThreadFactory(community=ward)
    client = ApiClient()
    seen, url = [], "/communities/ward/threads?limit=3"
    while url:
        page = client.get(url).json()
        seen += [t["id"] for t in page["results"]]
        url = page["next"]
        if url:
            parts = urlsplit(url)
            url = f"{parts.path}?{parts.query}"
    assert len(seen) == 7 and len(set(seen)) == 7


def test_forged_cursor_is_refused(ward):
    response = ApiClient().get("/communities/ward/threads", {"cursor": "bogus"})
    body = problem(response)
    assert response.status_code == 400 and body["errors"][0]["field"] == "query.cursor"


def test_cursor_from_another_filter_is_refused(ward):
    for _ in range(3):
        ThreadFactory(community=ward)
    client = ApiClient()
    next_url = client.get("/communities/ward/threads?limit=1").json()["next"]
    cursor = next_url.split("cursor=")[1].split("&")[0]
    response = client.get(f"/communities/ward/threads?limit=1&sort=newest&cursor={cursor}")
    assert response.status_code == 400


def test_reads_carry_an_etag_and_answer_304_when_unchanged(ward, question):
    client = ApiClient()
    first = client.get(f"/communities/ward/threads/{question.pk}")
    etag = first["ETag"]
    assert etag
    again = client.get(f"/communities/ward/threads/{question.pk}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    question.title = "A changed title for this question"
    question.save()
    changed = client.get(
        f"/communities/ward/threads/{question.pk}", headers={"If-None-Match": etag}
    )
    assert changed.status_code == 200


@override_settings(API_RATE_LIMITS={"read": 3, "write": 1})
def test_rate_limit_answers_429_with_retry_after(ward):
    client = ApiClient()
    for _ in range(3):
        assert client.get("/communities").status_code == 200
    response = client.get("/communities")
    body = problem(response)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    assert body["retry_after"] == int(response["Retry-After"])


def test_timestamps_are_iso_8601_with_an_offset(ward, question):
    created = ApiClient().get(f"/communities/ward/threads/{question.pk}").json()["created_at"]
    parsed = datetime.datetime.fromisoformat(created.replace("Z", "+00:00"))
    assert parsed.utcoffset() is not None


def test_service_token_acts_as_a_service_account_made_by_staff(members):
    from practica.tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    made = tokens.create_service_token(actor=staff, service_name="Warehouse", scope="read")
    assert made.secret.startswith("pst_")
    me = ApiClient(made.secret).get("/people/me").json()
    assert me["username"] == "service-warehouse"
    with pytest.raises(Exception, match="staff"):
        tokens.create_service_token(actor=members[Stage.FULL], service_name="x", scope="read")


def test_revoking_stops_the_token_at_once(members):
    secret = make_token(members[Stage.FULL])
    token = AccessToken.objects.get()
    tokens.revoke_token(actor=members[Stage.FULL], token=token)
    assert ApiClient(secret).get("/people/me").status_code == 401


def test_settings_page_makes_a_token_shown_once_and_revokes_it(members, ward):
    from django.test import Client

    browser = Client()
    browser.force_login(members[Stage.PERIPHERAL])
    response = browser.post(
        "/people/me/tokens/",
        {"name": "My script", "scope": "write", "community": ward.pk, "expires_in_days": 30},
    )
    assert response.status_code == 201
    secret = response.context["new_secret"]
    assert secret in response.content.decode()
    listing = browser.get("/people/me/tokens/").content.decode()
    assert "My script" in listing and secret not in listing
    token = AccessToken.objects.get()
    assert token.community == ward and token.scope == "write"
    browser.post(f"/people/me/tokens/{token.pk}/revoke/")
    assert ApiClient(secret).get("/people/me").status_code == 401


def test_settings_page_keeps_what_was_typed_and_names_the_field(members):
    from django.test import Client

    browser = Client()
    browser.force_login(members[Stage.PERIPHERAL])
    response = browser.post(
        "/people/me/tokens/", {"name": "Kept name", "scope": "write", "expires_in_days": 5}
    )
    assert response.status_code == 400
    assert "expires_in_days" in response.context["form"].errors
    assert 'value="Kept name"' in response.content.decode()
    assert not AccessToken.objects.exists()


def test_another_members_token_cannot_be_revoked(members):
    from django.test import Client

    make_token(members[Stage.FULL])
    token = AccessToken.objects.get()
    browser = Client()
    browser.force_login(members[Stage.PERIPHERAL])
    assert browser.post(f"/people/me/tokens/{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_idempotency_key_makes_a_retried_reply_happen_once(ward, members, question, as_member):
    client = as_member(members[Stage.FULL])
    url = f"/communities/ward/threads/{question.pk}/posts"
    headers = {"Idempotency-Key": "retry-123"}
    first = client.post(url, {"body": "Check the bed rails first."}, headers=headers)
    again = client.post(url, {"body": "Check the bed rails first."}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert question.posts.count() == 2


def test_a_body_that_is_not_json_is_refused_with_415(ward, members, question, as_member):
    client = as_member(members[Stage.FULL])
    response = client.client.post(
        f"/api/v1/communities/ward/threads/{question.pk}/posts",
        "body=hello",
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {client.secret}"},
    )
    assert response.status_code == 415
    assert problem(response)["type"].endswith("#unsupported-media-type")
