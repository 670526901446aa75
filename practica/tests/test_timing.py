"""The request timer says where a request's time went, and only when it is switched on."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_the_timer_is_off_by_default(client):
    assert "Server-Timing" not in client.get("/healthz")


@override_settings(REQUEST_TIMING=True)
def test_a_timed_page_names_its_queries_sql_template_and_other_time(community):
    response = Client().get(f"/c/{community.slug}/")
    assert response.status_code == 200
    timing = response["Server-Timing"]
    for part in ("db;dur=", "queries", "tpl;dur=", "app;dur=", "cpu;dur=", "total;dur="):
        assert part in timing
    queries = int(timing.split('desc="', 1)[1].split(" ", 1)[0])
    assert queries > 0
    template_ms = float(timing.split("tpl;dur=", 1)[1].split(",", 1)[0])
    assert template_ms > 0
