"""Learning modules, their published versions, assessments, attempts and progress.

Authors edit the draft rows (`Section`, `Activity`, `Reading`, `Question`, `Option`).
Publishing freezes them into a `ModuleVersion` snapshot, and every learner-facing page
reads that snapshot, never the draft: a learner keeps the version they started even when
the module is edited and republished, and an attempt is always scored and reviewed
against the questions it was drawn from.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

# Slugs that name pages of their own under /learning/.
RESERVED_SLUGS = {"new", "record", "record.pdf", "badges"}
REFLECTION_MAX_CHARS = 10_000
FEEDBACK_MAX_CHARS = 5_000


def validate_module_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            "“%(value)s” is used by another page: choose another.", params={"value": value}
        )


class Module(models.Model):
    """A learning module, organisation-wide (no community) or belonging to one community."""

    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="learning_modules",
    )
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_module_slug])
    title = models.CharField(max_length=200)
    overview = models.TextField(
        max_length=20_000, help_text="Markdown. What the module is about and who it is for."
    )
    outcomes = models.TextField(
        blank=True, max_length=5_000, help_text="One learning outcome a line."
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(6000)]
    )
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="owned_modules", blank=True
    )
    # Terms from the community's library glossary that the module uses.
    glossary_terms = models.ManyToManyField(
        "library.GlossaryTerm", related_name="learning_modules", blank=True
    )
    is_published = models.BooleanField(default=False)
    current_version = models.ForeignKey(
        "ModuleVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # Topics of its community (a module without one has none).
    topics = models.ManyToManyField("communities.Topic", blank=True, related_name="modules")

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["community", "is_published"], name="module_published_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:module", kwargs={"module_slug": self.slug})

    @property
    def is_live(self) -> bool:
        return self.is_published and self.current_version_id is not None

    @property
    def outcome_list(self) -> list[str]:
        return [line.strip() for line in self.outcomes.splitlines() if line.strip()]


class Section(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=50_000, help_text="Markdown.")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    """A learning activity: a prompt the learner answers with a written reflection."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    prompt = models.TextField(max_length=5_000, help_text="Markdown.")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.title


class Reading(models.Model):
    """An entry of further reading: a reference, with a link where there is one."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="readings")
    position = models.PositiveSmallIntegerField(default=0)
    citation = models.CharField(max_length=500)
    url = models.URLField(blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.citation


class ReviewShows(models.TextChoices):
    """What a learner sees when reviewing an attempt they did not pass."""

    NOTHING = "nothing", "Only the score"
    WRONG = "wrong", "Which questions were wrong, without the correct answers"
    AFTER_PASS = "after_pass", "Which were wrong; the correct answers once the learner passes"
    AFTER_LAST = (
        "after_last",
        (
            "Which were wrong; the correct answers once the learner passes or has used their "
            "last attempt"
        ),
    )


class Assessment(models.Model):
    """A module's assessment. Its slug is what progression criteria name (`assessment_ref`)."""

    module = models.OneToOneField(Module, on_delete=models.CASCADE, related_name="assessment")
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    questions_per_attempt = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    pass_mark = models.PositiveSmallIntegerField(
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Percentage of the drawn questions to answer correctly.",
    )
    attempt_limit = models.PositiveSmallIntegerField(
        default=3, help_text="How many attempts a learner may make; 0 means no limit."
    )
    cooldown_minutes = models.PositiveIntegerField(
        default=60, help_text="Minutes a learner waits after an attempt before the next."
    )
    review_shows = models.CharField(
        "after an attempt that did not pass, show",
        max_length=12,
        choices=ReviewShows.choices,
        default=ReviewShows.WRONG,
        help_text="Showing the correct answers straight away makes the next attempt trivial.",
    )

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice (choose all that apply)"
    TRUE_FALSE = "true_false", "True or false"
    SHORT = "short", "Short answer"


class Question(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=QuestionKind.choices)
    text = models.TextField(max_length=2_000)
    feedback = models.TextField(
        max_length=2_000, help_text="Shown with the result: why the answer is what it is."
    )
    accepted_answers = models.TextField(
        blank=True,
        max_length=2_000,
        help_text="Short answer only: one accepted answer a line (case and spaces ignored).",
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class ModuleVersion(models.Model):
    """A published module frozen as it was: sections, activities, reading and questions."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    section_count = models.PositiveSmallIntegerField(default=0)
    activity_count = models.PositiveSmallIntegerField(default=0)
    has_assessment = models.BooleanField(default=False)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["module", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["module", "number"], name="module_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.module} v{self.number}"

    @property
    def steps(self) -> int:
        """What completing this version takes: each section, each activity, the assessment."""
        return self.section_count + self.activity_count + (1 if self.has_assessment else 0)

    def section(self, section_id: int) -> dict | None:
        return next((s for s in self.snapshot["sections"] if s["id"] == section_id), None)

    def activity(self, activity_id: int) -> dict | None:
        return next((a for a in self.snapshot["activities"] if a["id"] == activity_id), None)

    def questions(self) -> dict[int, dict]:
        assessment = self.snapshot.get("assessment") or {}
        return {int(k): v for k, v in assessment.get("questions", {}).items()}


class ModuleProgress(models.Model):
    """One member's way through one module, pinned to the version they started."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_progress"
    )
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="progress")
    version = models.ForeignKey(ModuleVersion, on_delete=models.PROTECT, related_name="+")
    read_section_ids = models.JSONField(default=list, blank=True)
    last_section_id = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="module_progress_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.module}"


class Reflection(models.Model):
    """A learner's written answer to an activity's prompt; private to them."""

    progress = models.ForeignKey(
        ModuleProgress, on_delete=models.CASCADE, related_name="reflections"
    )
    activity_id = models.PositiveIntegerField()
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The discussion the learner started from it, if they chose to share it.
    shared_thread = models.ForeignKey(
        "conversations.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Since when the learner's active mentors in the module's community may read it (None:
    # not shared with them). Whoever mentors them later reads it too, until they stop it.
    shared_with_mentors_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["progress", "activity_id"], name="reflection_unique"),
        ]

    def __str__(self) -> str:
        return f"Reflection by {self.progress.user_id} on activity {self.activity_id}"


class Attempt(models.Model):
    """One sitting of an assessment, with its draw (questions and option order) kept."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessment_attempts"
    )
    version = models.ForeignKey(ModuleVersion, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField()
    # [{"question": id, "options": [option ids in the order shown]}, ...]
    draw = models.JSONField()
    # {"<question id>": [option ids] or "typed answer"}
    answers = models.JSONField(default=dict, blank=True)
    # {"<question id>": true/false}
    marks = models.JSONField(default=dict, blank=True)
    correct = models.PositiveSmallIntegerField(null=True, blank=True)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "user", "number"], name="attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["assessment", "user"],
                condition=models.Q(submitted_at__isnull=True),
                name="attempt_one_open",
            ),
        ]
        indexes = [models.Index(fields=["assessment", "user", "passed"], name="attempt_passed_idx")]

    def __str__(self) -> str:
        return f"Attempt {self.number} by {self.user_id} at {self.assessment}"

    def get_absolute_url(self) -> str:
        return reverse(
            "learning:attempt",
            kwargs={"module_slug": self.assessment.module.slug, "attempt_id": self.pk},
        )

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Feedback(models.Model):
    """ "Send us your comments": a comment on a module for its owners."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=FEEDBACK_MAX_CHARS)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"Feedback on {self.module}"
