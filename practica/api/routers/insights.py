"""Community health: the dashboard's figures and tables, for those who may see analytics.

The same `Health` as the page (figures from the daily rollups), the same period picker and
its messages, the same gate (`view_analytics`: a refused caller is told the stage).
"""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Query, Router, Schema

from practica.api.common import community_for
from practica.api.problems import Problem
from practica.communities.capabilities import Capability, require
from practica.insights.dashboard import Health
from practica.insights.forms import PeriodForm
from practica.site import absolute_url

router = Router(tags=["insights"])

Cell = int | float | str | None


class PeriodOut(Schema):
    start: datetime.date
    end: datetime.date
    days: int
    previous_start: datetime.date
    previous_end: datetime.date


class FigureOut(Schema):
    name: str
    value: int
    previous: int
    change: str


class TableOut(Schema):
    name: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    csv_url: str


class InsightsOut(Schema):
    community: str
    period: PeriodOut
    computed_at: datetime.datetime | None
    members_now: int
    members_by_stage: dict[str, int]
    figures: list[FigureOut]
    tables: list[TableOut]
    url: str


FIGURES = [
    "joins", "leavers", "contributions", "new_contributors", "questions_asked",
    "questions_answered", "questions_accepted", "articles_created", "article_revisions",
    "practice_adopted", "decisions", "module_completions", "attendances", "no_shows",
]  # fmt: skip


def _cell(value) -> Cell:
    return value if value is None or isinstance(value, int | float | str) else str(value)


def _figure(health: Health, name: str) -> dict:
    figure = health.figure(name)
    return {
        "name": name,
        "value": figure["value"],
        "previous": figure["before"],
        "change": figure["change"],
    }


@router.get(
    "/{slug}/insights",
    response=InsightsOut,
    summary="Community health figures",
    description="The health dashboard's figures for a period (30, 90 or 365 days up to "
    "today, or custom with `start` and `end`, at most five years), compared with the "
    "period just before, and every table the page shows. Needs `view_analytics`.",
)
def community_insights(
    request,
    slug: str,
    period: Literal["30", "90", "365", "custom"] = Query("90"),
    start: str | None = Query(None, description="First day of a custom period, YYYY-MM-DD"),
    end: str | None = Query(None, description="Last day of a custom period, YYYY-MM-DD"),
):
    community = community_for(request, slug)
    require(request.user, Capability.VIEW_ANALYTICS, community=community)
    form = PeriodForm({"period": period, "start": start or "", "end": end or ""})
    if not form.is_valid():
        fields = [
            {"field": f"query.{name}", "detail": " ".join(messages)}
            for name, messages in form.errors.items()
        ]
        raise Problem("validation", " ".join(f["detail"] for f in fields), errors=fields)
    health = Health(community, form.period_or_default())
    tables = health.tables(csv_query=form.query())
    chosen = health.period
    return {
        "community": community.slug,
        "period": {
            "start": chosen.start,
            "end": chosen.end,
            "days": chosen.days,
            "previous_start": health.previous.start,
            "previous_end": health.previous.end,
        },
        "computed_at": health.computed_at,
        "members_now": health.member_total,
        "members_by_stage": {
            community.stage_label(stage): count for stage, count in health.members_now.items()
        },
        "figures": [_figure(health, name) for name in FIGURES],
        "tables": [
            {
                "name": table.name,
                "title": table.title,
                "headers": table.headers,
                "rows": [[_cell(c) for c in row] for row in table.rows],
                "csv_url": absolute_url(table.csv_url),
            }
            for table in tables.values()
        ],
        "url": absolute_url(f"/c/{community.slug}/insights/?{form.query()}"),
    }
