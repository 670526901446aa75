"""What the privacy app keeps: the guard's decisions (never the text itself)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class GuardLog(models.Model):
    """Every decision the patient-data guard took part in, for stewards to review."""

    class Decision(models.TextChoices):
        WARNED = "warned", "Warned"
        CONFIRMED = "confirmed", "Saved after a warning"
        BLOCKED = "blocked", "Blocked"

    # Null for text written outside any community (a profile bio, a bulletin article).
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="guard_logs",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What kind of text it was ("post", "article revision", "event description"...).
    where = models.CharField(max_length=60)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    # The kinds found ("nhs_number", "phone"...), never the identifying text itself.
    kinds = models.JSONField(default=list)
    # The object saved after a confirmed warning, so stewards can look at it.
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["community", "-created_at"], name="privacy_guardlog_idx")]

    def __str__(self) -> str:
        return f"Guard {self.decision} for {self.user_id} on {self.where}"

    @property
    def labels(self) -> str:
        from practica.privacy.detector import LABELS

        return ", ".join(LABELS.get(kind, kind) for kind in self.kinds)


class Redaction(models.Model):
    """One redaction: who removed text from what, when and why (never the text removed)."""

    class Scope(models.TextChoices):
        SPAN = "span", "A passage"
        WHOLE = "whole", "The whole text"

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="redactions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The name shown in the marker, kept as it was when the text was removed.
    actor_name = models.CharField(max_length=150)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    # What it was ("post", "post revision", "article comment"...) and where to see it now.
    what = models.CharField(max_length=40)
    url = models.CharField(max_length=500, blank=True)
    scope = models.CharField(max_length=5, choices=Scope.choices)
    reason = models.CharField(max_length=200)
    # How many stored copies (rows) the redaction changed.
    rows_changed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["community", "-created_at"], name="privacy_redaction_idx"),
            models.Index(fields=["target_type", "target_id"], name="privacy_redaction_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name} redacted {self.what} {self.target_id}"

    @property
    def marker(self) -> str:
        return marker(self.actor_name, self.reason)


def marker(name: str, reason: str) -> str:
    """What stands where removed text was."""
    return f"[removed by {name}: {reason}]"
