"""`practica seed-demo` creates the demo once; running it again creates nothing."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command

from practica.demo import people as demo_people
from practica.people.models import User

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_seed_demo_twice_creates_nothing_the_second_time():
    call_command("seed-demo", stdout=io.StringIO())
    first = row_counts()
    output = io.StringIO()
    call_command("seed-demo", stdout=output)
    assert row_counts() == first
    assert "0 people created" in output.getvalue()
    assert_the_demo_shows_what_issue_16_asked()


def assert_the_demo_shows_what_issue_16_asked():
    from django.db.models import F

    from practica.communities.models import PromotionRequest
    from practica.conversations.models import Thread

    # A promotion waits whose member does not meet every criterion, the assessment included.
    waiting = PromotionRequest.objects.get(status="pending")
    assert "assessment" in [row["kind"] for row in waiting.evidence] and not waiting.all_met
    # A question whose asker never chose: a full member chose for them.
    chosen = Thread.objects.exclude(accepted_by=F("author")).filter(accepted_by__isnull=False)
    assert chosen.get().accepted_by.email == "full@example.com"


def test_demo_people_can_log_in_and_are_listed(client):
    demo_people.seed()
    assert User.objects.count() == len(demo_people.DEMO_ACCOUNTS) + 1 + 40
    response = client.post(
        "/accounts/login/", {"login": "learner@example.com", "password": demo_people.PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/people/", {"q": "Tom Fletcher"}).context["people"][0].email == (
        "learner@example.com"
    )
