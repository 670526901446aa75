"""Events: meetings of a community in a named time zone, RSVPs, attendance, calendar feeds."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.timezone import now

from practica.people.models import validate_timezone

# A series may repeat for at most this long, so feeds and pages stay finite.
MAX_SERIES_DAYS = 2 * 366


class EventType(models.TextChoices):
    CASE_DISCUSSION = "case_discussion", "Case discussion"
    JOURNAL_CLUB = "journal_club", "Journal club"
    WORKSHOP = "workshop", "Workshop"
    MEETING = "meeting", "Meeting"


class Repeat(models.TextChoices):
    NONE = "", "Does not repeat"
    WEEKLY = "weekly", "Every week"
    MONTHLY = "monthly", "Every month, on the same day of the month"


class Event(models.Model):
    """One event, or a repeating series of them, planned in `timezone`.

    `starts_at`/`ends_at` are the first occurrence, in UTC. A series repeats by `repeat`
    until the local date `repeat_until`, skipping `exception_dates` (local dates); its
    wall-clock time stays fixed in `timezone` across daylight-saving changes.
    `last_ends_at` is the end of the last occurrence, kept for listing upcoming events.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="events"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField("type", max_length=20, choices=EventType.choices)
    description = models.TextField(blank=True, max_length=20000)
    description_html = models.TextField(blank=True, editable=False)
    case_summary = models.TextField(
        blank=True,
        max_length=5000,
        help_text="For case discussions: the case, with nothing that identifies the patient.",
    )
    case_summary_html = models.TextField(blank=True, editable=False)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    join_url = models.URLField("online join link", blank=True, max_length=500)
    location = models.CharField(max_length=300, blank=True)
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Leave empty for no limit."
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="events_organised", blank=True
    )
    topics = models.ManyToManyField("communities.Topic", blank=True, related_name="events")
    repeat = models.CharField(max_length=10, choices=Repeat.choices, blank=True, default="")
    repeat_until = models.DateField(null=True, blank=True)
    exception_dates = models.JSONField(default=list, blank=True)
    last_ends_at = models.DateTimeField(editable=False)
    notes = models.TextField("notes and outcomes", blank=True, max_length=20000)
    notes_html = models.TextField(blank=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["community", "last_ends_at"], name="event_upcoming_idx"),
            models.Index(fields=["community", "-starts_at"], name="event_past_idx"),
            models.Index(fields=["last_ends_at"], name="event_feed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(repeat="") | models.Q(repeat_until__isnull=False),
                name="event_series_has_end",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "events:detail", kwargs={"community_slug": self.community.slug, "event_id": self.pk}
        )

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The end must be after the start."})
        if self.repeat and not self.repeat_until:
            raise ValidationError({"repeat_until": "Say when the series ends."})
        if not self.join_url and not self.location:
            raise ValidationError(
                {"location": "Give an online join link, a location, or both, so people can come."}
            )

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_series(self) -> bool:
        return bool(self.repeat)

    @property
    def duration(self):
        return self.ends_at - self.starts_at

    @property
    def uid(self) -> str:
        return f"event-{self.pk}@practica"


class RSVP(models.Model):
    """A member's answer for an event.

    With `occurrence_start` empty it is the answer for the whole event: every occurrence of
    a series ("all dates"). A row with `occurrence_start` set is the answer for that one
    occurrence of a series and overrides the series answer there (a seat on a full
    occurrence's waitlist is such a row too). One-off events only ever have the first kind.
    """

    class Status(models.TextChoices):
        GOING = "going", "Going"
        MAYBE = "maybe", "Maybe"
        NOT_GOING = "not_going", "Not going"
        WAITLISTED = "waitlisted", "On the waitlist"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    occurrence_start = models.DateTimeField(null=True, blank=True)
    # When they joined the waitlist: the oldest is promoted first.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=models.Q(occurrence_start__isnull=True),
                name="rsvp_once",
            ),
            models.UniqueConstraint(
                fields=["event", "user", "occurrence_start"],
                condition=models.Q(occurrence_start__isnull=False),
                name="rsvp_once_per_occurrence",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "occurrence_start"], name="rsvp_occurrence_idx"),
            models.Index(fields=["event", "status", "waitlisted_at"], name="rsvp_status_idx"),
            models.Index(fields=["user", "status"], name="rsvp_user_idx"),
        ]

    def __str__(self) -> str:
        on = f" on {self.occurrence_start:%Y-%m-%d}" if self.occurrence_start else ""
        return f"{self.user} → {self.event}{on}: {self.status}"


class Attendance(models.Model):
    """Who came to one occurrence, recorded by an organiser afterwards."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances"
    )
    occurrence_start = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["occurrence_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user", "occurrence_start"], name="attendance_once"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "event"], name="attendance_user_idx"),
            models.Index(fields=["event", "occurrence_start"], name="attendance_occurrence_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} attended {self.event} at {self.occurrence_start:%Y-%m-%d %H:%M}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A member's private iCalendar feed. Revoking rotates the token; old links stop working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=now)
    rotated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
