"""The value-creation matrix (Wenger-Trayner): indicators per cycle from the rollups,
beside the stories members told, and the sponsor's report built on it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from practica.insights.dashboard import Health, Table
from practica.insights.forms import Period, start_of_day
from practica.insights.models import CYCLE_QUESTIONS, Cycle, ValueStory
from practica.insights.stats import add_histograms, humane_minutes, median_of_histogram

# Which rollup figures indicate each cycle.
INDICATORS: dict[str, list[tuple[str, str]]] = {
    Cycle.IMMEDIATE: [
        ("contributions", "Contributions"), ("questions_answered", "Questions answered"),
        ("attendances", "Event attendances"), ("module_completions", "Module completions"),
        ("new_contributors", "New contributors"),
    ],
    Cycle.POTENTIAL: [
        ("articles_created", "Articles created"), ("article_revisions", "Article revisions"),
        ("resources_added", "Resources added"), ("glossary_terms", "Glossary terms written or updated"),
        ("evidence_summaries", "Evidence summaries"),
    ],
    Cycle.APPLIED: [("pilots_started", "Pilots started"), ("practice_adopted", "Practice changes adopted")],
    Cycle.REALISED: [("decisions", "Decisions recorded with their outcome")],
    Cycle.REFRAMING: [],
}  # fmt: skip


@dataclass
class CycleRow:
    cycle: str
    label: str
    question: str
    indicators: list[tuple[str, int, int]] = field(default_factory=list)  # label, now, before
    stories: list[ValueStory] = field(default_factory=list)
    story_count: int = 0


class Matrix:
    """Indicators per cycle beside the stories per cycle, for `community` over `period`."""

    STORIES_SHOWN = 3

    def __init__(self, community, period: Period, health: Health | None = None):
        self.community = community
        self.period = period
        self.health = health or Health(community, period)

    @cached_property
    def stories(self) -> list[ValueStory]:
        return list(
            ValueStory.objects.filter(
                community=self.community,
                created_at__gte=start_of_day(self.period.start),
                created_at__lt=start_of_day(self.period.end, next_day=True),
            ).select_related("author")
        )

    @cached_property
    def rows(self) -> list[CycleRow]:
        by_cycle: dict[str, list[ValueStory]] = defaultdict(list)
        for story in self.stories:
            for cycle in story.cycles:
                by_cycle[cycle].append(story)
        rows = []
        for cycle in Cycle:
            row = CycleRow(cycle.value, cycle.label, CYCLE_QUESTIONS[cycle])
            for name, label in INDICATORS[cycle]:
                row.indicators.append((label, self.health.now[name], self.health.before[name]))
            row.stories = by_cycle[cycle.value][: self.STORIES_SHOWN]
            row.story_count = len(by_cycle[cycle.value])
            rows.append(row)
        return rows

    @cached_property
    def table(self) -> Table:
        table = Table(
            "value-matrix",
            "Value-creation matrix",
            ["Cycle", "Indicator", "This period", "Previous period", "Stories"],
        )
        for row in self.rows:
            if not row.indicators:
                table.rows.append(
                    [row.label, "No computed indicator: told in stories", "", "", row.story_count]
                )
            for index, (label, now, before) in enumerate(row.indicators):
                table.rows.append(
                    [row.label, label, now, before, row.story_count if index == 0 else ""]
                )
        return table

    @cached_property
    def chosen(self) -> list[ValueStory]:
        """Stories chosen by a steward whose authors consented: the only ones a report shows."""
        return [s for s in self.stories if s.publishable]

    @cached_property
    def headline(self) -> list[tuple[str, str, str]]:
        h = self.health
        wait = humane_minutes(
            median_of_histogram(add_histograms(r.first_answer_minutes for r in h.current_rows))
        )
        return [
            ("Members", str(h.member_total), f"{h.now['joins']} joined, {h.now['leavers']} left"),
            (
                "Contributions",
                str(h.now["contributions"]),
                f"{h.before['contributions']} the period before",
            ),
            ("Questions answered", str(h.now["questions_answered"]), f"median first answer {wait}"),
            ("Knowledge", str(h.now["article_revisions"]), "article revisions"),
            (
                "Practice",
                str(h.now["practice_adopted"]),
                f"changes adopted; {h.now['decisions']} decisions recorded",
            ),
            ("Events", str(h.now["attendances"]), "attendances"),
        ]
