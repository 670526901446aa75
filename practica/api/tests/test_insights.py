"""Community health through the API: the dashboard's figures, its gate and its period rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities.capabilities import Capability, denial_reason
from practica.communities.stages import Stage
from practica.conversations.tests.factories import ThreadFactory
from practica.insights.rollups import rollup

pytestmark = pytest.mark.django_db


def test_a_steward_reads_the_figures_and_tables_of_the_dashboard(ward, members, as_member):
    ThreadFactory(community=ward, author=members[Stage.PERIPHERAL])
    rollup((timezone.now() - timedelta(days=2)).date())
    response = as_member(members[Stage.STEWARD]).get("/communities/ward/insights?period=30")
    assert response.status_code == 200
    body = response.json()
    assert body["period"]["days"] == 30 and body["members_now"] == 4
    figures = {f["name"]: f for f in body["figures"]}
    assert figures["questions_asked"]["value"] == 1
    tables = {t["name"]: t for t in body["tables"]}
    assert {"funnel", "participation", "questions", "value-matrix"} <= set(tables)
    assert tables["funnel"]["headers"][0] == "Stage"
    assert tables["questions"]["csv_url"].endswith("/c/ward/insights/questions.csv?period=30")


def test_a_learner_is_told_the_stage_that_sees_analytics(ward, members, as_member):
    learner = members[Stage.PERIPHERAL]
    response = as_member(learner).get("/communities/ward/insights")
    assert response.status_code == 403
    assert response.json()["detail"] == denial_reason(
        learner, Capability.VIEW_ANALYTICS, community=ward
    )
    assert response.json()["needed_stage"] == "steward"


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("start=2026-03-10&end=2026-03-01", "query.end", "before the start"),
        ("start=2020-01-01&end=2099-01-01", "query.end", "in the future"),
        ("start=2001-01-01&end=2010-01-01", "query.end", "five years"),
        ("start=someday&end=2020-01-01", "query.start", "valid date"),
    ],
)
def test_a_bad_custom_period_names_the_field(ward, members, as_member, query, field, words):
    response = as_member(members[Stage.STEWARD]).get(
        f"/communities/ward/insights?period=custom&{query}"
    )
    assert response.status_code == 422  # the API's status for invalid input
    errors = response.json()["errors"]
    assert errors[0]["field"] == field and words in errors[0]["detail"]
