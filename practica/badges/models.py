"""Open Badges 2.0: badge classes (what can be earned) and assertions (who earned it).

The issuer is the Practica instance itself, so it has no table: its profile is built from
settings (see `openbadges.issuer_profile`). A badge class is created the first time its
badge is awarded, one per module and one per community and stage. An assertion is never
deleted when its badge is withdrawn: it is revoked, so that its hosted URL keeps
answering verifiers with the revocation.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from practica.communities.stages import Stage


class BadgeKind(models.TextChoices):
    MODULE = "module", "Module completed"
    STAGE = "stage", "Stage reached"


class BadgeClass(models.Model):
    kind = models.CharField(max_length=10, choices=BadgeKind.choices)
    # A deleted module keeps its badge class, so that badges already earned still verify.
    module = models.ForeignKey(
        "learning.Module",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="badge_classes",
    )
    # The community the badge belongs to: the module's (none for organisation-wide
    # modules) or the one whose stage it recognises. Profiles show a badge only to
    # people who may read its community.
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="badge_classes",
    )
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, null=True, blank=True)
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=2_000)
    criteria = models.TextField(max_length=5_000, help_text="What earning the badge takes.")
    # The badge class of a community that is not public is hosted at this unguessable id
    # only: its numbered URLs answer people who may read the community, and nobody can
    # walk the numbers to learn a private community's badges.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "badge classes"
        constraints = [
            models.UniqueConstraint(
                fields=["module"],
                condition=Q(kind="module", module__isnull=False),
                name="badge_class_one_per_module",
            ),
            models.UniqueConstraint(
                fields=["community", "stage"],
                condition=Q(kind="stage"),
                name="badge_class_one_per_stage",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="module", stage__isnull=True)
                    | Q(
                        kind="stage",
                        stage__isnull=False,
                        community__isnull=False,
                        module__isnull=True,
                    )
                ),
                name="badge_class_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("badges:class", kwargs={"badge_class_id": self.pk})

    @property
    def is_public(self) -> bool:
        """Whether anyone may read the community the badge belongs to (no community: yes)."""
        from practica.communities.models import Visibility

        return self.community_id is None or self.community.visibility == Visibility.PUBLIC

    def hosted_json_url(self) -> str:
        """The BadgeClass document verifiers fetch: numbered if public, else by `uid`."""
        if self.is_public:
            return reverse("badges:class-json", kwargs={"badge_class_id": self.pk})
        return reverse("badges:hosted-class-json", kwargs={"badge_class_uid": self.uid})

    def hosted_image_url(self) -> str:
        if self.is_public:
            return reverse("badges:class-image", kwargs={"badge_class_id": self.pk})
        return reverse("badges:hosted-class-image", kwargs={"badge_class_uid": self.uid})


class Assertion(models.Model):
    """One badge awarded to one person, verified at its hosted URL."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    badge_class = models.ForeignKey(BadgeClass, on_delete=models.CASCADE, related_name="assertions")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_assertions"
    )
    # The recipient's email as it was when the badge was awarded, hashed with the salt:
    # "sha256$" + sha256(email + salt). The address itself is never published.
    salt = models.CharField(max_length=64)
    identity = models.CharField(max_length=71)
    issued_on = models.DateTimeField(default=timezone.now)
    evidence = models.TextField(blank=True, max_length=2_000, help_text="How it was earned.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revocation_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["badge_class", "recipient"], name="assertion_one_per_recipient"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "revoked_at"], name="assertion_recipient_idx")]

    def __str__(self) -> str:
        return f"{self.badge_class} for {self.recipient}"

    def get_absolute_url(self) -> str:
        return reverse("badges:assertion", kwargs={"assertion_uid": self.uid})

    def clean(self) -> None:
        if self.revoked_at is not None and not self.revocation_reason.strip():
            raise ValidationError({"revocation_reason": "Say why the badge is revoked."})

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
