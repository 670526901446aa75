"""Query-string values reach every view cleaned of control characters (a NUL is a server
error on PostgreSQL; found by the hostile-input sweep on the directory-style filters)."""

import json

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from practica.middleware import QueryStringCleaningMiddleware
from practica.tests.factories import CommunityFactory, MembershipFactory


def _seen(query: str) -> dict:
    def view(request):
        return HttpResponse(json.dumps(dict(request.GET.lists())))

    request = RequestFactory().get(f"/?{query}")
    return json.loads(QueryStringCleaningMiddleware(view)(request).content)


def test_nul_and_other_control_characters_are_taken_out_of_every_value():
    assert _seen("q=fa%00lls&topic=a%0d%0ab&page=2%1b") == {
        "q": ["falls"],
        "topic": ["a b"],
        "page": ["2"],
    }


def test_a_clean_query_string_is_left_as_it_came():
    assert _seen("q=falls+risk&q=bed&next=%2Fc%2F") == {"q": ["falls risk", "bed"], "next": ["/c/"]}


@pytest.mark.django_db
def test_a_filter_read_straight_from_the_query_string_ignores_a_nul(client):
    ward = CommunityFactory(slug="ward")
    member = MembershipFactory(community=ward, user__display_name="Olive Nurse").user
    client.force_login(member)
    response = client.get("/c/ward/conversations/members.json", {"q": "Ol\x00ive"})
    assert response.status_code == 200
    assert "Olive Nurse" in response.content.decode()
