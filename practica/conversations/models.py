"""Threads (questions and discussions), their posts, marks and moderation.

A thread's opening text is its first post (`Post.is_opening`), so helpful marks, edits,
flags, hiding and the patient-data guard work the same way on every piece of text.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from practica.communities.lanyards import WrittenLanyard

TITLE_MIN_CHARS = 8
TITLE_MAX_CHARS = 200
BODY_MAX_CHARS = 20_000


class ThreadKind(models.TextChoices):
    QUESTION = "question", "Question"
    DISCUSSION = "discussion", "Discussion"


class ThreadStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    STAGED = "staged", "In the staging area"


class Thread(models.Model):
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="threads"
    )
    kind = models.CharField(max_length=12, choices=ThreadKind.choices, default=ThreadKind.QUESTION)
    title = models.CharField(max_length=TITLE_MAX_CHARS)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="threads"
    )
    topics = models.ManyToManyField("communities.Topic", blank=True, related_name="threads")
    status = models.CharField(
        max_length=10, choices=ThreadStatus.choices, default=ThreadStatus.PUBLISHED
    )
    # Kept as the importer's id so importing the same file again updates, never duplicates.
    external_id = models.CharField(max_length=200, null=True, blank=True)
    accepted_post = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the answer was accepted (community health measures the wait; imports leave it empty).
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Denormalised counters and times: the list page sorts and filters on them.
    reply_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    is_locked = models.BooleanField(default=False)
    is_pinned = models.BooleanField(default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    # Set when the question went to the staging area, so stewards can see how staged
    # questions fare once published.
    staged_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_activity_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="thread_unique_external_id",
            ),
        ]
        indexes = [
            models.Index(
                fields=["community", "is_pinned", "last_activity_at"], name="thread_activity_idx"
            ),
            models.Index(fields=["community", "created_at"], name="thread_newest_idx"),
            models.Index(fields=["community", "helpful_count"], name="thread_helpful_idx"),
            models.Index(fields=["community", "kind", "reply_count"], name="thread_unanswered_idx"),
            models.Index(fields=["community", "accepted_post"], name="thread_solved_idx"),
            models.Index(fields=["community", "status", "author"], name="thread_status_idx"),
            models.Index(fields=["author", "created_at"], name="thread_author_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "conversations:thread",
            kwargs={"community_slug": self.community.slug, "thread_id": self.pk},
        )

    @property
    def is_question(self) -> bool:
        return self.kind == ThreadKind.QUESTION

    @property
    def is_solved(self) -> bool:
        return self.accepted_post_id is not None

    @property
    def is_staged(self) -> bool:
        return self.status == ThreadStatus.STAGED

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_public(self) -> bool:
        """Readable by everyone who may read the community."""
        return not (self.is_staged or self.is_hidden or self.is_deleted)

    def clean(self) -> None:
        title = (self.title or "").strip()
        if len(title) < TITLE_MIN_CHARS:
            raise ValidationError(
                {"title": f"Give the title at least {TITLE_MIN_CHARS} characters."}
            )
        if self.accepted_post_id and self.kind != ThreadKind.QUESTION:
            raise ValidationError("Only questions have an accepted answer.")


class Post(WrittenLanyard):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="posts"
    )
    is_opening = models.BooleanField(default=False)
    # The earlier post this one answers ("in reply to Mira"); the thread itself stays flat.
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    # A learner's first post in the community: the page asks everyone to welcome them.
    is_first_contribution = models.BooleanField(default=False)
    body = models.TextField(blank=True, max_length=BODY_MAX_CHARS)
    body_html = models.TextField(blank=True, editable=False)
    helpful_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.CharField(max_length=500, blank=True)
    # Hidden at once by a "patient data" flag: shown only to its author and the stewards
    # until a steward reviews it (redact, restore or remove).
    held_for_review = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["thread"], condition=models.Q(is_opening=True), name="post_one_opening"
            ),
        ]
        indexes = [
            models.Index(fields=["thread", "created_at"], name="post_thread_idx"),
            models.Index(fields=["author", "created_at"], name="post_author_idx"),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.thread_id}"

    def get_absolute_url(self) -> str:
        """The thread page, anchored on this post (the views' post_url also finds its page)."""
        return f"{self.thread.get_absolute_url()}#post-{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class PostRevision(WrittenLanyard):
    """The text of a post as it stood after each save, so the history can show diffs."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=TITLE_MAX_CHARS, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["post", "created_at"], name="revision_post_idx")]

    def __str__(self) -> str:
        return f"Revision of post {self.post_id} at {self.created_at:%Y-%m-%d %H:%M}"


class HelpfulMark(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="helpful_marks")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpful_marks"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="helpful_once_per_member"),
        ]
        indexes = [models.Index(fields=["user", "post"], name="helpful_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} finds post {self.post_id} helpful"


class ProfessionEndorsement(models.Model):
    """“Endorsed by a pharmacist”: a member vouches for an answer in their profession's name."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="endorsements")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answer_endorsements"
    )
    profession = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="endorse_answer_once"),
        ]

    def __str__(self) -> str:
        return f"Post {self.post_id} endorsed by a {self.profession}"


class Watch(models.Model):
    """A member watching a thread or a topic; exactly one of the two is set."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_watches"
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    topic = models.ForeignKey(
        "communities.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(thread__isnull=True, topic__isnull=False)
                | models.Q(thread__isnull=False, topic__isnull=True),
                name="watch_thread_xor_topic",
            ),
            models.UniqueConstraint(
                fields=["user", "thread"],
                condition=models.Q(thread__isnull=False),
                name="watch_thread_once",
            ),
            models.UniqueConstraint(
                fields=["user", "topic"],
                condition=models.Q(topic__isnull=False),
                name="watch_topic_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.thread_id or self.topic_id}"


class FlagReason(models.TextChoices):
    SPAM = "spam", "Spam"
    OFF_TOPIC = "off_topic", "Off-topic"
    UNSAFE = "unsafe", "Unsafe clinical advice"
    DISRESPECTFUL = "disrespectful", "Disrespectful"
    PATIENT_DATA = "patient_data", "Patient data: it could identify a patient"
    OTHER = "other", "Something else"


class Flag(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a steward"
        ACTIONED = "actioned", "Post hidden"
        DISMISSED = "dismissed", "Dismissed"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_flags"
    )
    reason = models.CharField(max_length=20, choices=FlagReason.choices)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "flagged_by"],
                condition=models.Q(status="open"),
                name="flag_one_open_per_member",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="flag_queue_idx")]

    def __str__(self) -> str:
        return f"Flag on post {self.post_id}: {self.reason}"


class StagingComment(WrittenLanyard):
    """A reviewer's suggestion on a staged question, seen only by the asker and reviewers."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="staging_comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=5000)
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Comment on staged thread {self.thread_id}"


class ConversationSettings(models.Model):
    """A community's own choices for conversations; absent means the defaults."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="conversation_settings"
    )
    staging_enabled = models.BooleanField(default=False)
    staging_question_count = models.PositiveSmallIntegerField(default=2)
    profession_endorsements = models.BooleanField(default=False)
    posts_per_ten_minutes = models.PositiveSmallIntegerField(default=10)
    # Stack Overflow's rule: the asker chooses the accepted answer; after this many days
    # without a choice, members whose stage may accept answers can choose one.
    accept_after_days = models.PositiveSmallIntegerField(
        default=7, validators=[MaxValueValidator(365)]
    )

    class Meta:
        verbose_name_plural = "conversation settings"

    def __str__(self) -> str:
        return f"Conversation settings for {self.community_id}"
