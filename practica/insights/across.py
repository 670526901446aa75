"""The same figures for every community of the instance, side by side (for staff)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.urls import reverse

from practica.communities.models import Community, Membership
from practica.insights.dashboard import Table, change
from practica.insights.forms import Period
from practica.insights.models import DailyRollup, MemberDay
from practica.insights.stats import add_histograms, humane_minutes, median_of_histogram

FIGURES = [
    ("joins", "Joins"), ("leavers", "Leavers"), ("contributions", "Contributions"),
    ("new_contributors", "New contributors"), ("questions_asked", "Questions asked"),
    ("questions_answered", "Answered"), ("questions_accepted", "Accepted"),
    ("article_revisions", "Article revisions"), ("decisions", "Decisions"),
    ("module_completions", "Module completions"), ("attendances", "Event attendances"),
]  # fmt: skip


def across_communities(period: Period) -> Table:
    """One row per community; a fixed number of queries whatever the number of communities."""
    previous = period.previous
    communities = list(Community.objects.order_by("name"))
    members = dict(
        Membership.objects.filter(suspended=False)
        .values("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
        .order_by()
    )
    contributors = dict(
        MemberDay.objects.filter(day__gte=period.start, day__lte=period.end, contributions__gt=0)
        .values("community_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("community_id", "n")
        .order_by()
    )
    now: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    before: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    waits: dict[int, list] = defaultdict(list)
    names = [name for name, _ in FIGURES]
    for row in DailyRollup.objects.filter(day__gte=previous.start, day__lte=period.end).only(
        "community_id", "day", "first_answer_minutes", *names
    ):
        target = now if row.day >= period.start else before
        for name in names:
            target[row.community_id][name] += getattr(row, name)
        if row.day >= period.start:
            waits[row.community_id].append(row.first_answer_minutes)
    table = Table(
        "communities",
        "Every community, side by side",
        ["Community", "Members now", "Contributors"]
        + [label for _, label in FIGURES]
        + ["Median time to first answer", "Contributions vs previous period"],
    )
    for community in communities:
        figures = now[community.pk]
        table.rows.append(
            [community.name, members.get(community.pk, 0), contributors.get(community.pk, 0)]
            + [figures[name] for name in names]
            + [
                humane_minutes(median_of_histogram(add_histograms(waits[community.pk]))),
                change(figures["contributions"], before[community.pk]["contributions"]),
            ]
        )
        table.links.append(reverse("insights:dashboard", args=[community.slug]))
    return table
