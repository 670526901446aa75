"""The figures of the health dashboard for one community and period, from the rollups.

A fixed number of queries whatever the community's size: the rollup rows of the period and
the one before it, the member-day sums of both, the breakdowns, today's members by stage,
the questions waiting longest and a few stuck members with their unmet criteria.
Every table the page shows is a `Table`, so the page, its CSV downloads and the sponsor's
report share one definition.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from types import SimpleNamespace

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from practica.communities.models import Membership, Topic
from practica.communities.progression import rules_for, trajectory_for
from practica.communities.stages import MEMBER_STAGES, Stage
from practica.insights.dashboard_cache import figures_cache, rollup_version
from practica.insights.forms import Period
from practica.insights.models import DailyBreakdown, DailyRollup, Dimension, MemberDay
from practica.insights.rollups import REACHED_FIELDS, STAGE_FIELDS
from practica.insights.stats import (
    add_histograms,
    gini,
    humane_minutes,
    median_of_histogram,
    top_share,
)
from practica.people.models import Profession

STUCK_AFTER_DAYS = 90
STUCK_SHOWN = 8
UNANSWERED_AFTER = timedelta(hours=48)
UNANSWERED_SHOWN = 10

SUMMED = [
    "joins", "leavers", "reached_participant", "reached_full", "reached_steward",
    "contributions", "new_contributors", "posts", "questions_asked", "questions_answered",
    "questions_accepted", "staged", "staged_published", "articles_created", "article_revisions",
    "proposed_edits", "proposed_edits_reviewed", "resources_added", "glossary_terms",
    "evidence_summaries", "evidence_revisions", "practice_proposals", "pilots_started",
    "practice_adopted", "decisions", "module_completions", "attempts", "attempts_passed",
    "attendances", "no_shows",
]  # fmt: skip

# What the dashboard reads of each rollup row.
ROW_FIELDS = [
    "day", "computed_at", "time_to_stage", "first_answer_minutes", "accepted_minutes", "review_minutes",
    *STAGE_FIELDS.values(), *SUMMED,
]  # fmt: skip
PARTICIPATION_DEFINITIONS = [
    ("core", "Core", "contributed about weekly or more (at least one contribution for every 7 days of the period)"),
    ("active", "Active", "contributed about monthly (at least one contribution for every 30 days), less than core"),
    ("peripheral", "Peripheral", "took some part (a contribution, a helpful mark, an event attended or a module completed), less than active"),
    ("lurking", "Lurking", "members with nothing recorded in the period: they may still read"),
]  # fmt: skip


@dataclass
class Table:
    """A table the page shows, with the CSV of the same rows."""

    name: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # optional URL per row (first cell)
    csv_url: str = ""

    @property
    def lines(self) -> list[tuple[str, object, list]]:
        """(link or "", first cell, the other cells) for each row, for templates."""
        return [
            (self.links[i] if i < len(self.links) else "", row[0], row[1:])
            for i, row in enumerate(self.rows)
        ]


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "—"


def change(now: float, before: float) -> str:
    """ "+12 %", "−5 %", "new" or "same", comparing with the previous period."""
    if now == before:
        return "same"
    if not before:
        return "new"
    value = 100 * (now - before) / before
    return f"{'+' if value > 0 else '−'}{abs(value):.0f} %"


def bucket_days(period: Period) -> int:
    """How many days each point of a chart covers, so a chart has 30-60 points."""
    if period.days <= 62:
        return 1
    if period.days <= 400:
        return 7
    return 30


class Health:
    """Everything the dashboard shows for `community` over `period`."""

    def __init__(self, community, period: Period):
        self.community = community
        self.period = period
        self.previous = period.previous

    # --- the rows -------------------------------------------------------------------------

    @cached_property
    def rows(self) -> list[SimpleNamespace]:
        """The rollup rows of both periods, as plain rows (cached until the next rollup)."""

        def load():
            return [
                SimpleNamespace(**row)
                for row in DailyRollup.objects.filter(
                    community=self.community, day__gte=self.previous.start, day__lte=self.period.end
                )
                .order_by("day")
                .values(*ROW_FIELDS)
            ]

        return figures_cache(self.community.pk, "rows", self.previous.start, self.period.end, load)

    @cached_property
    def current_rows(self) -> list[DailyRollup]:
        return [r for r in self.rows if r.day >= self.period.start]

    @cached_property
    def previous_rows(self) -> list[DailyRollup]:
        return [r for r in self.rows if r.day < self.period.start]

    @staticmethod
    def _sums(rows) -> dict[str, int]:
        return {name: sum(getattr(r, name) for r in rows) for name in SUMMED}

    @cached_property
    def now(self) -> dict[str, int]:
        return self._sums(self.current_rows)

    @cached_property
    def before(self) -> dict[str, int]:
        return self._sums(self.previous_rows)

    @cached_property
    def has_data(self) -> bool:
        """Whether the period has rollups (one indexed query, without loading them)."""
        return DailyRollup.objects.filter(
            community=self.community, day__gte=self.period.start, day__lte=self.period.end
        ).exists()

    def fragment_key(self, query: str) -> str:
        """What the page's cached fragments depend on besides the rollups' version: the
        period, the members now and the content due for review (live figures they show).
        Stuck members and unanswered questions are never cached."""
        members = "-".join(str(self.members_now[s]) for s in MEMBER_STAGES)
        return (
            f"{self.community.pk}:{rollup_version(self.community.pk)}:{self.period.start}:"
            f"{self.period.end}:{members}:{self.due_now}:{query}"
        )

    @cached_property
    def due_now(self) -> int:
        from practica.evidence.querysets import due_count as evidence_due
        from practica.library.querysets import due_count as library_due

        return library_due(self.community) + evidence_due(self.community)

    @cached_property
    def computed_at(self):
        return max((r.computed_at for r in self.current_rows), default=None)

    def figure(self, name: str) -> dict:
        return {
            "value": self.now[name],
            "before": self.before[name],
            "change": change(self.now[name], self.before[name]),
        }

    # --- members --------------------------------------------------------------------------

    @cached_property
    def members_now(self) -> dict[int, int]:
        counts = dict(
            Membership.objects.filter(community=self.community, suspended=False)
            .values("stage")
            .annotate(n=Count("pk"))
            .values_list("stage", "n")
            .order_by()
        )
        return {int(stage): counts.get(stage, 0) for stage in MEMBER_STAGES}

    @cached_property
    def member_total(self) -> int:
        return sum(self.members_now.values())

    def median_time_to(self, stage: int, rows) -> float | None:
        return median_of_histogram(
            add_histograms(
                r.time_to_stage.get(str(int(stage)), []) for r in rows if r.time_to_stage
            )
        )

    @cached_property
    def funnel(self) -> Table:
        table = Table(
            "funnel",
            "Progression funnel",
            [
                "Stage",
                "Members now",
                "Reached in the period",
                "Previous period",
                "Median time from joining",
            ],
        )
        table.rows.append(
            [self.community.stage_label(Stage.PERIPHERAL), self.members_now[Stage.PERIPHERAL],
             self.now["joins"], self.before["joins"], "—"]
        )  # fmt: skip
        for stage, name in REACHED_FIELDS.items():
            median = self.median_time_to(stage, self.current_rows)
            table.rows.append(
                [self.community.stage_label(stage), self.members_now[stage], self.now[name],
                 self.before[name], humane_minutes(median)]
            )  # fmt: skip
        return table

    @cached_property
    def member_series(self) -> Table:
        """Members at each stage at the end of each chart point."""
        table = Table(
            "members",
            "Members by stage over time",
            ["Day"] + [self.community.stage_label(s) for s in MEMBER_STAGES],
        )
        step = bucket_days(self.period)
        for group in self._groups(step):
            last = group[-1]
            table.rows.append(
                [last.day.isoformat()] + [getattr(last, STAGE_FIELDS[s]) for s in MEMBER_STAGES]
            )
        return table

    def _groups(self, step: int) -> list[list[DailyRollup]]:
        """The period's rows in consecutive groups of `step` days (ending on the last day)."""
        rows = self.current_rows
        groups = []
        end = len(rows)
        while end > 0:
            groups.append(rows[max(0, end - step) : end])
            end -= step
        return list(reversed(groups))

    def series(self, name: str, title: str, fields: list[tuple[str, str]]) -> Table:
        step = bucket_days(self.period)
        unit = {1: "Day", 7: "Week ending", 30: "30 days ending"}[step]
        table = Table(name, title, [unit] + [label for _, label in fields])
        for group in self._groups(step):
            table.rows.append(
                [group[-1].day.isoformat()] + [sum(getattr(r, f) for r in group) for f, _ in fields]
            )
        return table

    @cached_property
    def activity_series(self) -> Table:
        return self.series(
            "activity",
            "Contributions and joins over time",
            [("contributions", "Contributions"), ("joins", "Joins"), ("leavers", "Leavers")],
        )

    @cached_property
    def question_series(self) -> Table:
        return self.series(
            "questions-over-time",
            "Questions over time",
            [
                ("questions_asked", "Asked"),
                ("questions_answered", "Answered"),
                ("questions_accepted", "Accepted"),
            ],
        )

    @cached_property
    def event_series(self) -> Table:
        return self.series(
            "attendance-over-time",
            "Event attendance over time",
            [("attendances", "Attended"), ("no_shows", "No-shows")],
        )

    @property
    def stuck_count(self) -> int:
        """How many are stuck (the table shows the first few); counted with the table."""
        _ = self.stuck
        return self._stuck_count

    @property
    def unanswered_count(self) -> int:
        _ = self.unanswered
        return self._unanswered_count

    # --- stuck members --------------------------------------------------------------------

    @cached_property
    def stuck(self) -> Table:
        """Members longest at one stage (not stewards) with the criteria they have not met."""
        since = timezone.now() - timedelta(days=STUCK_AFTER_DAYS)
        waiting = (
            Membership.objects.filter(
                community=self.community,
                suspended=False,
                stage__lt=Stage.STEWARD,
                stage_changed_at__lt=since,
            )
            .select_related("user", "community")
            .order_by("stage_changed_at", "pk")
        )
        self._stuck_count = waiting.count()
        rules = rules_for(self.community)
        table = Table(
            "stuck",
            f"Members at one stage for more than {STUCK_AFTER_DAYS} days",
            ["Member", "Stage", "Days at this stage", "Next stage", "Criteria not yet met"],
        )
        today = timezone.now()
        for membership in waiting[:STUCK_SHOWN]:
            trajectory = trajectory_for(membership, rules=rules)
            if trajectory.manual_only or trajectory.rule is None:
                unmet = "Promoted by stewards by hand"
            else:
                unmet = "; ".join(c.label for c in trajectory.criteria if not c.met) or (
                    "All met: waiting for the next evaluation or a steward's approval"
                )
            table.rows.append(
                [membership.user.name, trajectory.stage_label,
                 (today - membership.stage_changed_at).days, trajectory.next_label or "—", unmet]
            )  # fmt: skip
            table.links.append(reverse("people:profile", args=[membership.user.username]))
        return table

    # --- participation --------------------------------------------------------------------

    def _per_member(self, period: Period) -> dict[int, tuple[int, int]]:
        def load():
            return {
                uid: (c or 0, light or 0)
                for uid, c, light in MemberDay.objects.filter(
                    community=self.community, day__gte=period.start, day__lte=period.end
                )
                .values("user_id")
                .annotate(c=Sum("contributions"), light=Sum("light"))
                .values_list("user_id", "c", "light")
                .order_by()
            }

        return figures_cache(self.community.pk, "members", period.start, period.end, load)

    def _participation(self, period: Period) -> dict:
        per_member = self._per_member(period)
        core_at = max(1, math.ceil(period.days / 7))
        active_at = max(1, math.ceil(period.days / 30))
        counts = {"core": 0, "active": 0, "peripheral": 0}
        for made, light in per_member.values():
            if made >= core_at and core_at > active_at:
                counts["core"] += 1
            elif made >= active_at:
                counts["active"] += 1
            elif made or light:
                counts["peripheral"] += 1
        counts["lurking"] = max(0, self.member_total - sum(counts.values()))
        base = max(self.member_total, len(per_member))
        values = [made for made, _ in per_member.values()]
        values += [0] * max(0, base - len(values))
        return {
            "counts": counts,
            "contributors": sum(1 for v in values if v),
            "top1": top_share_of_members(values, 0.01),
            "top10": top_share_of_members(values, 0.10),
            "gini": gini(values),
        }

    @cached_property
    def participation_now(self) -> dict:
        return self._participation(self.period)

    @cached_property
    def participation_before(self) -> dict:
        return self._participation(self.previous)

    @cached_property
    def participation(self) -> Table:
        now, before = self.participation_now, self.participation_before
        table = Table(
            "participation",
            "Participation",
            ["Group", "Definition", "Members", "Share", "Previous period"],
        )
        for key, label, definition in PARTICIPATION_DEFINITIONS:
            table.rows.append(
                [label, definition, now["counts"][key], percent(now["counts"][key], self.member_total),
                 before["counts"][key]]
            )  # fmt: skip
        return table

    @cached_property
    def inequality(self) -> Table:
        now, before = self.participation_now, self.participation_before

        def share(value):
            return f"{100 * value:.0f} %" if value is not None else "—"

        def coefficient(value):
            return f"{value:.2f}" if value is not None else "—"

        return Table(
            "inequality",
            "Participation inequality",
            ["Measure", "This period", "Previous period"],
            [
                ["Share of contributions by the top 1 % of members", share(now["top1"]), share(before["top1"])],
                ["Share of contributions by the top 10 % of members", share(now["top10"]), share(before["top10"])],
                ["Gini coefficient (0 = all equal, 1 = one member does everything)", coefficient(now["gini"]), coefficient(before["gini"])],
                ["Members who contributed", now["contributors"], before["contributors"]],
                ["New contributors (first contribution ever)", self.now["new_contributors"], self.before["new_contributors"]],
            ],
        )  # fmt: skip

    # --- questions, knowledge, learning ---------------------------------------------------

    def _median(self, name: str, rows) -> str:
        return humane_minutes(median_of_histogram(add_histograms(getattr(r, name) for r in rows)))

    def comparison(self, name: str, title: str, lines: list[tuple[str, str]]) -> Table:
        table = Table(name, title, ["Figure", "This period", "Previous period", "Change"])
        for label, key in lines:
            table.rows.append(
                [label, self.now[key], self.before[key], change(self.now[key], self.before[key])]
            )
        return table

    @cached_property
    def questions(self) -> Table:
        table = self.comparison(
            "questions",
            "Questions",
            [("Asked", "questions_asked"), ("Answered (first answer in the period)", "questions_answered"),
             ("Accepted", "questions_accepted"), ("Went to the staging area", "staged"),
             ("Staged questions made public", "staged_published")],
        )  # fmt: skip
        for label, name in (
            ("Median time to first answer", "first_answer_minutes"),
            ("Median time to accepted answer", "accepted_minutes"),
        ):
            table.rows.append(
                [
                    label,
                    self._median(name, self.current_rows),
                    self._median(name, self.previous_rows),
                    "",
                ]
            )
        return table

    @cached_property
    def unanswered(self) -> Table:
        from practica.conversations.models import Thread, ThreadKind, ThreadStatus

        waiting = Thread.objects.filter(
            community=self.community,
            kind=ThreadKind.QUESTION,
            reply_count=0,
            status=ThreadStatus.PUBLISHED,
            deleted_at__isnull=True,
            hidden_at__isnull=True,
            created_at__lt=timezone.now() - UNANSWERED_AFTER,
        )
        self._unanswered_count = waiting.count()
        table = Table(
            "unanswered",
            "Questions unanswered after 48 hours",
            ["Question", "Asked", "Days waiting"],
        )
        now = timezone.now()
        for thread in waiting.order_by("-created_at")[:UNANSWERED_SHOWN]:
            table.rows.append(
                [thread.title, thread.created_at.date().isoformat(), (now - thread.created_at).days]
            )
            thread.community = self.community
            table.links.append(thread.get_absolute_url())
        return table

    @cached_property
    def knowledge(self) -> Table:
        table = self.comparison(
            "knowledge",
            "Knowledge",
            [("Articles created", "articles_created"), ("Article revisions", "article_revisions"),
             ("Proposed edits", "proposed_edits"), ("Proposed edits reviewed", "proposed_edits_reviewed"),
             ("Resources added", "resources_added"), ("Glossary terms written or updated", "glossary_terms"),
             ("Evidence summaries", "evidence_summaries"), ("Practice-change proposals", "practice_proposals"),
             ("Pilots started", "pilots_started"), ("Practice changes adopted", "practice_adopted"),
             ("Decisions recorded", "decisions")],
        )  # fmt: skip
        table.rows.append(
            ["Median review time of proposed edits", self._median("review_minutes", self.current_rows),
             self._median("review_minutes", self.previous_rows), ""]
        )  # fmt: skip
        table.rows.append(
            [
                "Content due for review today",
                self.due_now,
                "",
                "",
            ]
        )
        return table

    @cached_property
    def learning(self) -> Table:
        table = self.comparison(
            "learning-events",
            "Learning and events",
            [("Module completions", "module_completions"), ("Assessment attempts", "attempts"),
             ("Attempts passed", "attempts_passed"), ("Event attendances", "attendances"),
             ("No-shows (said going, not on the register)", "no_shows")],
        )  # fmt: skip
        table.rows.append(
            ["Pass rate", percent(self.now["attempts_passed"], self.now["attempts"]),
             percent(self.before["attempts_passed"], self.before["attempts"]), ""]
        )  # fmt: skip
        going = self.now["attendances"] + self.now["no_shows"]
        going_before = self.before["attendances"] + self.before["no_shows"]
        table.rows.append(
            [
                "No-show rate",
                percent(self.now["no_shows"], going),
                percent(self.before["no_shows"], going_before),
                "",
            ]
        )
        return table

    # --- by topic and profession ----------------------------------------------------------

    @cached_property
    def _breakdown(self) -> dict[tuple[str, str], tuple[int, int, int]]:
        def load():
            return {
                (dim, key): (q or 0, a or 0, ac or 0)
                for dim, key, q, a, ac in DailyBreakdown.objects.filter(
                    community=self.community, day__gte=self.period.start, day__lte=self.period.end
                )
                .values("dimension", "key")
                .annotate(q=Sum("questions"), a=Sum("answers"), ac=Sum("accepted"))
                .values_list("dimension", "key", "q", "a", "ac")
                .order_by()
            }

        return figures_cache(
            self.community.pk, "breakdown", self.period.start, self.period.end, load
        )

    @cached_property
    def by_topic(self) -> Table:
        names = dict(Topic.objects.filter(community=self.community).values_list("pk", "name"))
        table = Table("topics", "By topic", ["Topic", "Questions", "Answers", "Accepted"])
        rows = defaultdict(lambda: (0, 0, 0))
        for (dim, key), values in self._breakdown.items():
            if dim == Dimension.TOPIC:
                rows[names.get(int(key), "Topic removed")] = values
        for name in names.values():
            rows.setdefault(name, (0, 0, 0))
        for name, values in sorted(rows.items(), key=lambda kv: (-kv[1][0], kv[0])):
            table.rows.append([name, *values])
        return table

    @cached_property
    def by_profession(self) -> Table:
        labels = dict(Profession.choices)
        table = Table(
            "professions",
            "By profession: who asks, who answers",
            ["Profession", "Questions", "Answers", "Accepted answers"],
        )
        rows = {
            labels.get(key, key): values
            for (dim, key), values in self._breakdown.items()
            if dim == Dimension.PROFESSION
        }
        for name, values in sorted(rows.items(), key=lambda kv: (-(kv[1][0] + kv[1][1]), kv[0])):
            table.rows.append([name, *values])
        return table

    # --- all tables -----------------------------------------------------------------------

    def tables(self, csv_query: str | None = None) -> dict[str, Table]:
        """Every table by name; with `csv_query`, each gets its CSV download link."""
        found = [
            self.funnel, self.member_series, self.activity_series, self.stuck, self.participation,
            self.inequality, self.questions, self.question_series, self.unanswered, self.knowledge,
            self.learning, self.event_series, self.by_topic, self.by_profession,
        ]  # fmt: skip
        from practica.insights.value import Matrix

        found.append(Matrix(self.community, self.period, self).table)
        if csv_query is not None:
            for table in found:
                url = reverse("insights:table-csv", args=[self.community.slug, table.name])
                table.csv_url = f"{url}?{csv_query}"
        return {t.name: t for t in found}


class Linked:
    """`health`'s tables, each with its CSV download link for `query`, computed when asked
    for (so a cached fragment of the page computes nothing)."""

    def __init__(self, health: Health, query: str):
        self.health = health
        self.query = query

    def __getattr__(self, name: str):
        table = getattr(self.health, name)
        if isinstance(table, Table) and not table.csv_url:
            url = reverse("insights:table-csv", args=[self.health.community.slug, table.name])
            table.csv_url = f"{url}?{self.query}"
        return table


def top_share_of_members(values: list[int], fraction: float) -> float | None:
    """The share of contributions made by the top `fraction` of all members."""
    total = sum(values)
    if not total:
        return None
    ordered = sorted(values, reverse=True)
    top = max(1, round(len(ordered) * fraction))
    return sum(ordered[:top]) / total


__all__ = ["Health", "Linked", "Table", "top_share"]
