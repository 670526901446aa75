"""Notifications: one row per thing a member should hear about, how they want to hear it,
and the record of every email sent for them."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Delivery(models.TextChoices):
    IN_APP = "in_app", "In the app only"
    IMMEDIATE = "immediate", "Email me straight away"
    DAILY = "daily", "In a daily digest"
    WEEKLY = "weekly", "In a weekly digest"
    OFF = "off", "Off"


class Notification(models.Model):
    class Kind(models.TextChoices):
        REPLY = "reply", "Replies to threads I watch"
        MENTION = "mention", "Mentions of me"
        ACCEPTED = "accepted", "Accepted answers"
        ENDORSEMENT = "endorsement", "Endorsements"
        STAGE_CHANGE = "stage_change", "Changes to my stage"
        APPROVAL = "approval", "Decisions on my requests and proposals"
        MODERATION = "moderation", "Moderation of my posts"
        MENTORING = "mentoring", "Mentoring"
        EVENT = "event", "Event changes"
        BULLETIN = "bulletin", "New bulletin issues"
        STEWARD = "steward", "Things waiting for stewards"
        REVIEW_DUE = "review_due", "Things I look after that are due for review"
        STORY = "story", "Invitations to tell what a community gave me"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    community = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # How the recipient wanted to hear about it when it was made (never OFF: those aren't made).
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IN_APP)
    # When it went out by email, on its own or in a digest.
    emailed_at = models.DateTimeField(null=True, blank=True)
    # What it is about, for notifications made by background tasks ("post:42"): a task run
    # twice (its worker died after the work) finds the first and tells nobody twice.
    source = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "source"],
                condition=~models.Q(source=""),
                name="notification_once_per_source",
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"
            ),
            models.Index(
                fields=["recipient", "delivery", "emailed_at"], name="notification_digest_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.text}"


class NotificationPreference(models.Model):
    """How a member hears about one kind of notification, everywhere or in one community.

    A row with a community overrides the member's row without one for that kind.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    community = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Notification.Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "community", "kind"],
                condition=models.Q(community__isnull=False),
                name="preference_once_per_community",
            ),
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(community__isnull=True),
                name="preference_once_by_default",
            ),
        ]
        indexes = [models.Index(fields=["user", "kind"], name="preference_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} → {self.delivery}"


class Cadence(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class DigestRun(models.Model):
    """One member's digest for one period. Claimed (created) before anything is sent, so
    the unique constraint makes a second send for the same period impossible."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Being put together"
        SENT = "sent", "Handed to the mail queue"
        EMPTY = "empty", "Skipped: nothing to say"
        SKIPPED = "skipped", "Skipped: no address to send to"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_runs"
    )
    cadence = models.CharField(max_length=10, choices=Cadence.choices)
    period_start = models.DateField(help_text="The member's local date the period starts on.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CLAIMED)
    item_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cadence", "period_start"], name="digest_once_per_period"
            ),
        ]
        indexes = [models.Index(fields=["cadence", "period_start"], name="digest_period_idx")]

    def __str__(self) -> str:
        return f"{self.cadence} digest for {self.user} from {self.period_start}"


class EmailDelivery(models.Model):
    """The log of one email: what it was, each attempt, and how it ended."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed; will be retried"
        GAVE_UP = "gave_up", "Failed too often; given up"
        SKIPPED = "skipped", "Not sent"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_deliveries"
    )
    # A notification kind, or "digest" for a digest.
    category = models.CharField(max_length=20)
    notification = models.OneToOneField(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="email"
    )
    digest = models.OneToOneField(
        DigestRun, null=True, blank=True, on_delete=models.CASCADE, related_name="email"
    )
    to_address = models.EmailField(blank=True)
    subject = models.CharField(max_length=300, blank=True)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    unsubscribe_url = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "email deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="email_retry_idx"),
            models.Index(fields=["user", "-created_at"], name="email_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.category} email to {self.user}: {self.status}"


class ScheduledRun(models.Model):
    """A periodic job claimed for one period. Whichever scheduler creates the row first
    enqueues the job; every other worker's insert fails on the unique constraint."""

    job = models.CharField(max_length=50)
    period = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="scheduled_run_once"),
        ]
        indexes = [models.Index(fields=["created_at"], name="scheduled_run_age_idx")]

    def __str__(self) -> str:
        return f"{self.job} for {self.period}"
