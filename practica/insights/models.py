"""Community health: daily rollups the dashboard reads, departures, and value-creation stories.

The dashboard never scans posts: the worker folds each day into one `DailyRollup` row per
community (plus one `MemberDay` row per member who did something, and `DailyBreakdown`
rows by topic and profession). Durations (time to first answer, time to reach a stage) are
kept as histograms over fixed buckets, so medians over any period come from summing rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

# Upper bounds of the duration buckets, in minutes: fine for hours, coarser for months.
_DAY = 1440
BUCKET_BOUNDS_MINUTES: list[int] = [5, 15, 30, 60, 120, 240, 480, 720] + [
    d * _DAY for d in (1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365, 540, 730)
]
BUCKETS = len(BUCKET_BOUNDS_MINUTES) + 1  # the last bucket has no upper bound


def empty_histogram() -> list[int]:
    return [0] * BUCKETS


class DailyRollup(models.Model):
    """What happened in one community on one (UTC) day, and who it had at the end of it."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="daily_rollups"
    )
    day = models.DateField()
    # Members at each stage at the end of the day.
    members_peripheral = models.PositiveIntegerField(default=0)
    members_participant = models.PositiveIntegerField(default=0)
    members_full = models.PositiveIntegerField(default=0)
    members_steward = models.PositiveIntegerField(default=0)
    joins = models.PositiveIntegerField(default=0)
    leavers = models.PositiveIntegerField(default=0)
    # Promotions that reached each stage, and {"20": histogram of days from joining, ...}.
    reached_participant = models.PositiveIntegerField(default=0)
    reached_full = models.PositiveIntegerField(default=0)
    reached_steward = models.PositiveIntegerField(default=0)
    time_to_stage = models.JSONField(default=dict)
    # Participation.
    contributions = models.PositiveIntegerField(default=0)
    contributors = models.PositiveIntegerField(default=0)
    new_contributors = models.PositiveIntegerField(default=0)
    # Questions.
    posts = models.PositiveIntegerField(default=0)
    questions_asked = models.PositiveIntegerField(default=0)
    questions_answered = models.PositiveIntegerField(default=0)
    questions_accepted = models.PositiveIntegerField(default=0)
    first_answer_minutes = models.JSONField(default=empty_histogram)
    accepted_minutes = models.JSONField(default=empty_histogram)
    staged = models.PositiveIntegerField(default=0)
    staged_published = models.PositiveIntegerField(default=0)
    # Knowledge.
    articles_created = models.PositiveIntegerField(default=0)
    article_revisions = models.PositiveIntegerField(default=0)
    proposed_edits = models.PositiveIntegerField(default=0)
    proposed_edits_reviewed = models.PositiveIntegerField(default=0)
    review_minutes = models.JSONField(default=empty_histogram)
    resources_added = models.PositiveIntegerField(default=0)
    glossary_terms = models.PositiveIntegerField(default=0)
    evidence_summaries = models.PositiveIntegerField(default=0)
    evidence_revisions = models.PositiveIntegerField(default=0)
    practice_proposals = models.PositiveIntegerField(default=0)
    pilots_started = models.PositiveIntegerField(default=0)
    practice_adopted = models.PositiveIntegerField(default=0)
    decisions = models.PositiveIntegerField(default=0)
    # Learning and events.
    module_completions = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    attempts_passed = models.PositiveIntegerField(default=0)
    attendances = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["community", "day"]
        constraints = [
            models.UniqueConstraint(fields=["community", "day"], name="rollup_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.community_id} on {self.day}"


class MemberDay(models.Model):
    """One member's contributions (and lighter participation) in one community on one day.

    Participation inequality and the core/active/peripheral/lurking split sum these per
    member over a period.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    contributions = models.PositiveIntegerField(default=0)
    # Helpful marks given, events attended, modules completed: taking part without writing.
    light = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "day", "user"], name="member_day_once"),
        ]
        indexes = [
            models.Index(
                fields=["community", "day", "user", "contributions"], name="member_day_period_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.community_id} on {self.day}"


class Dimension(models.TextChoices):
    TOPIC = "topic", "Topic"
    PROFESSION = "profession", "Profession"


class DailyBreakdown(models.Model):
    """Questions, answers and contributions on one day for one topic or one profession."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    # A topic's id or a profession's value.
    key = models.CharField(max_length=40)
    questions = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "day", "dimension", "key"], name="breakdown_once"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "dimension", "day"], name="breakdown_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension} {self.key} in {self.community_id} on {self.day}"


class Departure(models.Model):
    """A member who left: membership rows are deleted on leaving, so leavers are kept here."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="departures"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stage = models.PositiveSmallIntegerField()
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["community", "left_at"], name="departure_period_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} left {self.community_id} on {self.left_at:%Y-%m-%d}"


# --- value creation ------------------------------------------------------------------------------


class Cycle(models.TextChoices):
    """Wenger-Trayner's value-creation cycles."""

    IMMEDIATE = "immediate", "Immediate value"
    POTENTIAL = "potential", "Potential value"
    APPLIED = "applied", "Applied value"
    REALISED = "realised", "Realised value"
    REFRAMING = "reframing", "Reframing value"


CYCLE_QUESTIONS = {
    Cycle.IMMEDIATE: "Activities and interactions: what happened, and was it worth taking part?",
    Cycle.POTENTIAL: "Knowledge capital: what did it give you that could be used later?",
    Cycle.APPLIED: "Changes in practice: what did you or your team do differently?",
    Cycle.REALISED: "Performance: what difference did it make to patients, staff or the service?",
    Cycle.REFRAMING: "Reframing: did it change how success is defined, or what matters?",
}


class ValueStory(models.Model):
    """A member's short account of the value the community created for them."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="value_stories"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="value_stories"
    )
    title = models.CharField(max_length=150)
    took_part_in = models.TextField("what I took part in", max_length=3000)
    what_it_gave = models.TextField("what it gave me", max_length=3000)
    did_differently = models.TextField("what I did differently", max_length=3000, blank=True)
    difference = models.TextField("what difference it made", max_length=3000, blank=True)
    cycles = models.JSONField(default=list)
    threads = models.ManyToManyField("conversations.Thread", blank=True, related_name="+")
    articles = models.ManyToManyField("library.Article", blank=True, related_name="+")
    events = models.ManyToManyField("events.Event", blank=True, related_name="+")
    decisions = models.ManyToManyField("evidence.Decision", blank=True, related_name="+")
    consent_to_publish = models.BooleanField(
        "may be shown outside the community (in the sponsor's report)", default=False
    )
    # Chosen by a steward for the sponsor's report; shown there only with consent.
    chosen_at = models.DateTimeField(null=True, blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "-created_at"], name="story_recent_idx"),
            models.Index(fields=["author", "-created_at"], name="story_author_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "insights:story", kwargs={"community_slug": self.community.slug, "story_id": self.pk}
        )

    @property
    def cycle_labels(self) -> list[str]:
        return [Cycle(c).label for c in self.cycles if c in Cycle.values]

    @property
    def publishable(self) -> bool:
        return self.consent_to_publish and self.chosen_at is not None


class StoryPrompt(models.Model):
    """Practica asked a member for a story (at most once a month a member)."""

    class Moment(models.TextChoices):
        ACCEPTED = "accepted", "A week after an answer to their question was accepted"
        ATTENDED = "attended", "After attending an event"
        ADOPTED = "adopted", "After a decision they took part in was adopted"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    moment = models.CharField(max_length=10, choices=Moment.choices)
    # "thread:12", "event:3", "decision:7": what the story form links to.
    about = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="story_prompt_user_idx")]

    def __str__(self) -> str:
        return f"{self.moment} prompt to {self.user_id}"
