"""The shared practice library: articles and their revisions, proposed edits, comments,
the glossary, resources, references and collections.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from practica.communities.lanyards import WrittenLanyard


class ArticleKind(models.TextChoices):
    GUIDE = "guide", "Guide"
    HOW_TO = "how_to", "How-to"
    POLICY = "policy", "Policy"
    CASE_SUMMARY = "case_summary", "Case summary"
    FAQ = "faq", "FAQ"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Article(models.Model):
    """A knowledge article. Its text lives in revisions; the row mirrors the latest one."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="articles"
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True, max_length=100_000)
    body_html = models.TextField(blank=True, editable=False)
    kind = models.CharField(max_length=20, choices=ArticleKind.choices, default=ArticleKind.GUIDE)
    status = models.CharField(
        max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    topics = models.ManyToManyField("communities.Topic", blank=True, related_name="articles")
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="owned_articles"
    )
    review_due = models.DateField(
        null=True, blank=True, help_text="After this date the article is flagged as due for review."
    )
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where the article came from: a thread, a guideline, a meeting. Distilling a resolved
    # thread or filing an event's notes fills these as well as the link below.
    source_url = models.CharField(max_length=500, blank=True)
    source_title = models.CharField(max_length=200, blank=True)
    source_thread = models.ForeignKey(
        "conversations.Thread",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="distilled_articles",
        editable=False,
    )
    source_event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes_articles",
        editable=False,
    )
    current_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "slug"], name="library_article_unique_slug"
            ),
            # A thread is distilled once; later improvements are revisions of that article.
            models.UniqueConstraint(
                fields=["source_thread"],
                condition=models.Q(source_thread__isnull=False),
                name="library_article_one_per_thread",
            ),
            models.UniqueConstraint(
                fields=["source_event"],
                condition=models.Q(source_event__isnull=False),
                name="library_article_one_per_event",
            ),
        ]
        indexes = [
            models.Index(
                fields=["community", "status", "-updated_at"], name="library_article_recent_idx"
            ),
            models.Index(fields=["community", "status", "kind"], name="library_article_kind_idx"),
            models.Index(fields=["community", "status", "title"], name="library_article_title_idx"),
            models.Index(fields=["community", "review_due"], name="library_article_review_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "library:article",
            kwargs={"community_slug": self.community.slug, "article_slug": self.slug},
        )

    @property
    def is_due_for_review(self) -> bool:
        return self.review_due is not None and self.review_due < datetime.date.today()


class Revision(WrittenLanyard):
    """One saved state of an article's text; never changed once written."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True, max_length=100_000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edit_summary = models.CharField(max_length=300, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reverted_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="library_revision_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article} r{self.number}"

    def get_absolute_url(self) -> str:
        return reverse(
            "library:revision",
            kwargs={
                "community_slug": self.article.community.slug,
                "article_slug": self.article.slug,
                "number": self.number,
            },
        )


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class ReviewedProposal(models.Model):
    """What every proposed edit carries through review, wherever the text lives."""

    status = models.CharField(
        max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(blank=True, max_length=2000)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    edit_summary = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


class ProposedEdit(ReviewedProposal):
    """A revision offered by a member who may not edit directly, waiting for a full member."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="proposals")
    base_revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True, max_length=100_000)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_proposals"
    )
    resulting_revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(ReviewedProposal.Meta):
        indexes = [
            models.Index(fields=["article", "status"], name="library_proposal_article_idx"),
            models.Index(fields=["proposer", "status"], name="library_proposal_proposer_idx"),
        ]

    def __str__(self) -> str:
        return f"Proposed edit to {self.article} by {self.proposer}"

    @property
    def is_open(self) -> bool:
        return self.status in (ProposalStatus.PENDING, ProposalStatus.CHANGES_REQUESTED)


class ArticleComment(WrittenLanyard):
    """Talk about an article, kept apart from its text."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=5000)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["article", "created_at"], name="library_article_comment_idx")
        ]

    def __str__(self) -> str:
        return f"Comment on {self.article}"


class GlossaryTerm(models.Model):
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="library_glossary_terms"
    )
    term = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    definition = models.TextField(max_length=3000)
    definition_html = models.TextField(editable=False)
    synonyms = models.JSONField(
        default=list, blank=True, help_text="Other words for the same thing, also linked."
    )
    topics = models.ManyToManyField("communities.Topic", blank=True, related_name="glossary_terms")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "slug"], name="library_glossary_unique_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.term

    @property
    def anchor(self) -> str:
        return f"term-{self.slug}"

    @property
    def letter(self) -> str:
        first = self.term[:1].upper()
        return first if first.isalpha() else "#"


class ResourceKind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"


class Resource(models.Model):
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="resources"
    )
    kind = models.CharField(max_length=8, choices=ResourceKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=3000)
    url = models.URLField(blank=True, max_length=500)
    topics = models.ManyToManyField("communities.Topic", blank=True, related_name="resources")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    current_version = models.ForeignKey(
        "ResourceVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "-updated_at"], name="library_resource_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "library:resource",
            kwargs={"community_slug": self.community.slug, "resource_id": self.pk},
        )


class ResourceVersion(models.Model):
    """One uploaded file of a resource; earlier versions stay downloadable."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="library/", max_length=300)
    original_name = models.CharField(max_length=200)
    file_type = models.CharField(max_length=8)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "number"], name="library_resource_version_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} v{self.number}"


class ReferenceKind(models.TextChoices):
    ARTICLE = "article", "Journal article"
    BOOK = "book", "Book"
    CHAPTER = "chapter", "Book chapter"
    REPORT = "report", "Report or guideline"
    WEB = "web", "Web page"


class Reference(models.Model):
    """A structured citation attached to an article, shown as a numbered note."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(
        max_length=10, choices=ReferenceKind.choices, default=ReferenceKind.ARTICLE
    )
    authors = models.JSONField(default=list, blank=True, help_text='"Family, Given" for each.')
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.CharField(max_length=500)
    container = models.CharField(
        max_length=300, blank=True, help_text="Journal, or the book a chapter is in."
    )
    publisher = models.CharField(max_length=200, blank=True)
    place = models.CharField(max_length=100, blank=True)
    volume = models.CharField(max_length=30, blank=True)
    issue = models.CharField(max_length=30, blank=True)
    pages = models.CharField(max_length=30, blank=True)
    doi = models.CharField(max_length=200, blank=True)
    url = models.URLField(blank=True, max_length=500)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [
            models.Index(fields=["article", "position"], name="library_reference_article_idx")
        ]

    def __str__(self) -> str:
        return self.title


class Collection(models.Model):
    """An ordered path through the library, e.g. a starter kit for new staff."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="collections"
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=3000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "slug"], name="library_collection_unique_slug"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "library:collection",
            kwargs={"community_slug": self.community.slug, "collection_slug": self.slug},
        )


class CollectionItem(models.Model):
    """One step of a collection: exactly one article, resource or conversation thread."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    thread = models.ForeignKey(
        "conversations.Thread",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="collection_items",
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(article__isnull=False, resource__isnull=True, thread__isnull=True)
                    | models.Q(article__isnull=True, resource__isnull=False, thread__isnull=True)
                    | models.Q(article__isnull=True, resource__isnull=True, thread__isnull=False)
                ),
                name="library_collection_item_one_target",
            ),
        ]
        indexes = [
            models.Index(fields=["collection", "position"], name="library_collection_item_idx")
        ]

    def __str__(self) -> str:
        return f"{self.collection} #{self.position}"

    @property
    def target(self):
        return self.article or self.resource or self.thread
