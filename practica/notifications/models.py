"""In-app notifications: one row per thing a member should hear about."""

from django.conf import settings
from django.db import models
from django.utils import timezone


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

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.text}"
