"""The search index: one row per searchable thing, kept in step by each app's indexing calls.

The full-text structures live beside this table and are created by migrations for the
database in use: an FTS5 table kept in step by triggers on SQLite, a generated `tsvector`
column with a GIN index on PostgreSQL (see `backends.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from practica.coalesce import PendingWork


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", "Question"
        DISCUSSION = "discussion", "Discussion"
        REPLY = "reply", "Reply"
        ARTICLE = "article", "Article"
        RESOURCE = "resource", "Resource"
        GLOSSARY = "glossary", "Glossary entry"
        EVIDENCE = "evidence", "Evidence summary"
        MODULE = "module", "Learning module"
        BULLETIN = "bulletin", "Bulletin article"
        EVENT = "event", "Event"
        PERSON = "person", "Person"

    class Audience(models.TextChoices):
        """Who may find the entry, before `is_public` is considered."""

        COMMUNITY = "community", "Whoever may read its community"
        SIGNED_IN = "signed_in", "Anyone logged in"
        EVERYONE = "everyone", "Everyone"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    # Empty for things that belong to no community: people, organisation-wide modules,
    # the instance's own bulletin.
    community = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.COMMUNITY)
    # The thread a reply belongs to, so hiding a thread can hide its replies in one update.
    parent_id = models.PositiveBigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300)
    # Shown with the title but not searched: the thread a reply is in, a module's community.
    context = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    external_id = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_profession = models.CharField(max_length=20, blank=True)
    topics = models.CharField(max_length=1000, blank=True)
    # " falls-prevention handover " (community topic slugs between spaces) for topic filters.
    topic_slugs = models.CharField(max_length=1000, blank=True)
    # False while the thing is a draft, staged, hidden, deleted or its person opted out of the
    # directory: only public rows are ever returned.
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique"),
        ]
        indexes = [
            models.Index(fields=["community", "kind", "is_public"], name="search_entry_scope_idx"),
            models.Index(fields=["parent_id"], name="search_entry_parent_idx"),
            models.Index(fields=["author", "kind"], name="search_entry_author_idx"),
            models.Index(fields=["is_public", "-created_at"], name="search_entry_recent_idx"),
        ]
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"


class PendingIndex(PendingWork):
    """An object whose entry a write asked to refresh; drained by `tasks.index_pending`."""

    label = models.CharField(max_length=30)  # a key of `indexing.INDEXERS`
    object_id = models.PositiveBigIntegerField()

    class Meta:
        verbose_name_plural = "pending index updates"

    def __str__(self) -> str:
        return f"{self.label} {self.object_id}"


class SimilarDocument(models.Model):
    """A public question as similar-questions ranking reads it (`similar_index.py`).

    Kept beside SearchEntry because the ranking needs more of the thread (its accepted
    answer, helpful replies and topics) and its own terms, the same on every database.
    Community and thread are plain ids: removing a large community deletes these rows
    in one statement, not row by row.
    """

    thread_id = models.PositiveBigIntegerField(unique=True)
    community_id = models.PositiveBigIntegerField()
    # A digest of the weighted terms, so re-indexing an unchanged thread writes nothing.
    terms_digest = models.CharField(max_length=32, blank=True)
    # The sentence embedding of title and opening post (float16, L2-normalised) and the
    # digest of the text it was made from; empty while semantic ranking is off.
    embedding = models.BinaryField(null=True, blank=True)
    embedding_digest = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [models.Index(fields=["community_id"], name="similar_doc_community_idx")]

    def __str__(self) -> str:
        return f"similar question {self.thread_id}"


class SimilarTerm(models.Model):
    """One term of a SimilarDocument with its BM25F weight: the posting lists."""

    community_id = models.PositiveBigIntegerField()
    term = models.CharField(max_length=40)
    thread_id = models.PositiveBigIntegerField()
    # The field-weighted, length-normalised term frequency (`similar_index.weights`).
    weight = models.FloatField()

    class Meta:
        indexes = [
            # Covers the lookup: the postings of a term in a community, read from the index.
            models.Index(
                fields=["community_id", "term", "thread_id", "weight"], name="similar_term_idx"
            ),
            models.Index(fields=["thread_id"], name="similar_term_thread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.term} in {self.thread_id}"
