"""The search index: one row per searchable thing, kept in step by each app's indexing calls.

The full-text structures live beside this table and are created by migrations for the
database in use: an FTS5 table kept in step by triggers on SQLite, a generated `tsvector`
column with a GIN index on PostgreSQL (see `backends.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        DISCUSSION = "discussion", "Discussion"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    external_id = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topics = models.CharField(max_length=1000, blank=True)
    # False while the thing is staged, hidden or deleted: only public rows are ever returned.
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique"),
        ]
        indexes = [
            models.Index(fields=["community", "kind", "is_public"], name="search_entry_scope_idx"),
        ]
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"
