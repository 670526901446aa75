"""What reliability needs to remember: one-time submission keys and process heartbeats."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SubmissionKey(models.Model):
    """One creating write by one member, recorded under the key their form (or API call)
    carried, so that sending the same key again returns the first result instead of
    writing twice. The row is written in the same transaction as the write itself."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    action = models.CharField(max_length=80)
    # The result: a model instance (label and primary key) or a small JSON value.
    result_model = models.CharField(max_length=100, blank=True)
    result_id = models.BigIntegerField(null=True, blank=True)
    result_value = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="reliability_submission_once")
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.user_id} ({self.key})"


class Heartbeat(models.Model):
    """The last sign of life of one process: a worker (`worker:<id>`) or the web tier's
    write probe (`web`). Health checks and the task lease read these."""

    name = models.CharField(max_length=100, unique=True)
    beat_at = models.DateTimeField(default=timezone.now)
    # The task a worker is running now, so a task it no longer holds can be released.
    current_task = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["beat_at"], name="reliability_heartbeat_beat")]

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
