"""The health dashboard, its CSV downloads, and the view across communities for staff."""

from __future__ import annotations

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from practica.communities.capabilities import (
    Capability,
    InstanceCapability,
    can_map,
    require,
    require_on_instance,
)
from practica.communities.views.browse import community_for
from practica.insights import charts
from practica.insights.dashboard import PARTICIPATION_DEFINITIONS, Health, Linked, Table
from practica.insights.forms import PeriodForm


def period_form(request) -> PeriodForm:
    return PeriodForm(request.GET or None)


def chart_context(health: Health | Linked) -> dict:
    """The SVG charts of the dashboard, each with its text alternative and table."""

    def lines(table: Table, ident: str, *, snapshot: bool = False) -> dict:
        labels = [row[0] for row in table.rows]
        series = [
            (header, [row[i + 1] for row in table.rows])
            for i, header in enumerate(table.headers[1:])
        ]
        description = charts.describe_series(labels, series, snapshot=snapshot)
        svg = charts.line_chart(
            ident=ident, title=table.title, labels=labels, series=series, description=description
        )
        return {"svg": svg, "description": description, "table": table}

    def bars(table: Table, ident: str, title: str, column: int) -> dict:
        values = [(str(row[0]), float(row[column] or 0)) for row in table.rows]
        description = (
            title + ": " + "; ".join(f"{label} {value:,.0f}" for label, value in values) + "."
        )
        svg = charts.bar_chart(ident=ident, title=title, bars=values, description=description)
        return {"svg": svg, "description": description, "table": table}

    return {
        "members_chart": lines(health.member_series, "chart-members", snapshot=True),
        "activity_chart": lines(health.activity_series, "chart-activity"),
        "funnel_chart": bars(health.funnel, "chart-funnel", "Reached each stage in the period", 2),
        "participation_chart": bars(
            health.participation, "chart-participation", "Members by kind of participation", 2
        ),
        "questions_chart": lines(health.question_series, "chart-questions"),
        "events_chart": lines(health.event_series, "chart-events"),
        "professions_chart": bars(
            health.by_profession, "chart-professions", "Answers by profession", 2
        ),
    }


def dashboard(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.VIEW_ANALYTICS, community=community)
    form = period_form(request)
    health = Health(community, form.period_or_default())
    linked = Linked(health, form.query())
    context = {
        "community": community,
        "form": form,
        "health": health,
        "linked": linked,
        "period": health.period,
        "query": form.query(),
        # The page caches its rollup-derived fragments under this key (until the next
        # rollup); the charts and tables inside them are computed only on a miss.
        "fragment_key": health.fragment_key(form.query()),
        "charts": SimpleLazyObject(lambda: chart_context(linked)),
        "definitions": PARTICIPATION_DEFINITIONS,
        **can_map(request.user, community, [Capability.CONFIGURE, Capability.VIEW_ANALYTICS]),
    }
    return render(
        request,
        "insights/dashboard.html",
        context,
        status=200 if form.is_valid() or not form.is_bound else 400,
    )


def csv_response(table: Table, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(row)
    return response


def table_csv(request, community_slug, table_name):
    community = community_for(request, community_slug)
    require(request.user, Capability.VIEW_ANALYTICS, community=community)
    health = Health(community, period_form(request).period_or_default())
    tables = health.tables()
    if table_name not in tables:
        raise Http404("No such table.")
    period = health.period
    return csv_response(
        tables[table_name],
        f"{community.slug}-{table_name}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv",
    )


def across(request):
    """Staff: the same headline figures for every community, side by side."""
    from practica.insights.across import across_communities

    require_on_instance(request.user, InstanceCapability.VIEW_INSTANCE_ANALYTICS)
    form = period_form(request)
    table = across_communities(form.period_or_default())
    if request.GET.get("format") == "csv":
        period = form.period_or_default()
        return csv_response(table, f"communities-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv")
    return render(
        request,
        "insights/across.html",
        {"form": form, "table": table, "period": form.period_or_default(), "query": form.query()},
        status=200 if form.is_valid() or not form.is_bound else 400,
    )
