"""The bulletin: a publication with volumes and issues of articles, its subscribers and the
per-recipient log of every issue sent to them."""

from __future__ import annotations

import calendar
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from practica.site import is_on_site, site_url

# Words the bulletin's own URLs use directly under /bulletin/; no bulletin may take them.
RESERVED_SLUGS = frozenset(
    {
        "archive",
        "topics",
        "search",
        "share",
        "subscribe",
        "subscription",
        "unsubscribe",
        "confirm",
        "edit",
    }
)
ISSN_PATTERN = re.compile(r"^\d{4}-\d{3}[\dX]$")


def validate_issn(value: str) -> None:
    """An ISSN is eight characters, NNNN-NNNC, whose last is a mod-11 check digit."""
    if not ISSN_PATTERN.match(value):
        raise ValidationError(
            "Write the ISSN as four digits, a hyphen and four more, e.g. 1832-620X."
        )
    digits = value.replace("-", "")
    total = sum((8 - i) * int(c) for i, c in enumerate(digits[:7]))
    check = (11 - total % 11) % 11
    if digits[7] != ("X" if check == 10 else str(check)):
        raise ValidationError(f"{value} is not a valid ISSN: its check digit does not match.")


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is used by the bulletin’s own pages; choose another.")


def validate_related_url(value: str) -> None:
    """Related items point at this site's pages (library articles, conversations)."""
    if value.startswith("/") and not value.startswith("//"):
        return
    if is_on_site(value):
        return
    raise ValidationError(
        "Link to a page on this site: a path such as /c/ward-care/library/… or a full address "
        f"starting with {site_url()}/."
    )


class Bulletin(models.Model):
    """A publication of the instance (community empty) or of one community."""

    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="bulletins",
        help_text="Empty for the instance's own bulletin.",
    )
    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=60, unique=True, validators=[validate_slug_not_reserved])
    description = models.TextField(blank=True, max_length=2000)
    issn = models.CharField(
        "ISSN", max_length=9, blank=True, validators=[validate_issn], help_text="Optional."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            # One bulletin per community, and one for the instance (community empty).
            models.UniqueConstraint(
                Coalesce("community", models.Value(0)), name="bulletin_one_per_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("bulletin:bulletin", kwargs={"bulletin_slug": self.slug})


class BulletinEditor(models.Model):
    """A person designated to edit and publish one bulletin, whatever their stage."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="editors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bulletin_editorships"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "user"], name="bulletin_editor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} edits {self.bulletin}"


class IssueStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"


class Issue(models.Model):
    """One issue (volume, number, month and year) with its editorial and ordered articles.

    The issue is what is published and sent; its articles appear with it.
    """

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="issues")
    volume = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1900), MaxValueValidator(2200)]
    )
    month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    title = models.CharField(
        max_length=200, blank=True, help_text="Optional theme, e.g. “Focus on prevention”."
    )
    editorial = models.TextField(blank=True, max_length=20000)
    editorial_html = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=IssueStatus.choices, default=IssueStatus.DRAFT)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "-month", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bulletin", "volume", "number"], name="issue_unique_number"
            ),
            models.UniqueConstraint(fields=["bulletin", "year", "month"], name="issue_one_a_month"),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="issue_month_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="issue_published_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(scheduled_for__isnull=False),
                name="issue_scheduled_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["bulletin", "status", "year", "month"], name="issue_archive_idx"),
            models.Index(fields=["status", "scheduled_for"], name="issue_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.bulletin}, Volume {self.volume}, Issue {self.number}, {self.month_label}"

    def get_absolute_url(self) -> str:
        return reverse("bulletin:issue", kwargs=self.url_kwargs())

    @property
    def month_name(self) -> str:
        return calendar.month_name[self.month]

    @property
    def month_label(self) -> str:
        return f"{self.month_name} {self.year}"

    @property
    def citation(self) -> str:
        return f"Volume {self.volume}, Issue {self.number}, {self.month_label}"

    @property
    def is_published(self) -> bool:
        return self.status == IssueStatus.PUBLISHED

    def url_kwargs(self) -> dict:
        return {"bulletin_slug": self.bulletin.slug, "year": self.year, "month": self.month}


class Topic(models.Model):
    """A topic articles are tagged with: free, or one of a community's domain topics."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    community_topic = models.ForeignKey(
        "communities.Topic",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bulletin_topics",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("bulletin:topic", kwargs={"topic_slug": self.slug})


class Article(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="articles")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    summary = models.CharField(
        max_length=400, blank=True, help_text="One or two sentences shown in lists and emails."
    )
    body = models.TextField(
        max_length=60000,
        help_text="Markdown. Cite with [^1] and write the reference as “[^1]: Author (year) …”.",
    )
    body_html = models.TextField(blank=True, editable=False)
    contact = models.TextField(
        "for further information, contact",
        blank=True,
        max_length=2000,
        help_text="Markdown: a name, role and how to reach them.",
    )
    contact_html = models.TextField(blank=True, editable=False)
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["issue", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "slug"], name="article_unique_slug"),
        ]
        indexes = [models.Index(fields=["issue", "position"], name="article_order_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("bulletin:article", kwargs=self.url_kwargs())

    def url_kwargs(self) -> dict:
        return {**self.issue.url_kwargs(), "article_slug": self.slug}


class ArticleAuthor(models.Model):
    """A by-line: a name and the role line under it (“Research Associate, PHCRIS”)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="authors")
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["article", "position", "pk"]
        indexes = [models.Index(fields=["name"], name="article_author_name_idx")]

    def __str__(self) -> str:
        return f"{self.name}, {self.role}" if self.role else self.name


class RelatedItem(models.Model):
    """A link from an article to a library article, a conversation or another page here."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_items")
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=500, validators=[validate_related_url])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["article", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class Subscriber(models.Model):
    """An email address subscribed to one bulletin; no account needed."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="subscribers")
    email = models.EmailField()
    status = models.CharField(
        max_length=12, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING
    )
    all_topics = models.BooleanField(
        default=True, help_text="Every issue; otherwise only issues with the chosen topics."
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="subscribers")
    created_at = models.DateTimeField(default=timezone.now)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "email"], name="subscriber_unique_email"),
        ]
        indexes = [models.Index(fields=["bulletin", "status"], name="subscriber_status_idx")]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_status_display()})"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped (unsubscribed before sending)"


class Delivery(models.Model):
    """One issue to one subscriber: the send log, and the claim that stops double sending.

    A worker claims a row by moving it from queued to sending with its own claim token in
    one UPDATE; only the holder of the token may mark it sent. A row left in sending by a
    worker that died is claimed again only after CLAIM_TIMEOUT (see sending.py).
    """

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="delivery_once"),
        ]
        indexes = [
            models.Index(fields=["issue", "status", "next_attempt_at"], name="delivery_ready_idx"),
            models.Index(fields=["status", "claimed_at"], name="delivery_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.issue} → {self.subscriber.email}: {self.status}"
