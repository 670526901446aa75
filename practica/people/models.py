"""Accounts and the profile every member shows: profession, organisation, time zone."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.text import slugify

from practica.markdown import render_markdown


def validate_timezone(value: str) -> None:
    """Refuse anything but a known zone, so every page can render dates in it."""
    if value not in available_timezones():
        raise ValidationError(
            "“%(value)s” is not a time zone we know. Choose one such as Europe/London "
            "or Australia/Sydney.",
            params={"value": value},
        )


_ZONES: frozenset[str] | None = None
# Names in the tz database that are not places: "localtime" would mean the server's zone.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


def available_timezones() -> frozenset[str]:
    """The IANA zone names a member may choose, read once per process."""
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(zoneinfo.available_timezones()) - NOT_PLACES
    return _ZONES


class Profession(models.TextChoices):
    DOCTOR = "doctor", "Doctor"
    NURSE = "nurse", "Nurse"
    MIDWIFE = "midwife", "Midwife"
    PHARMACIST = "pharmacist", "Pharmacist"
    ALLIED_HEALTH = "allied_health", "Allied health / therapist"
    ADMINISTRATIVE = "administrative", "Administrative staff"
    LEARNER = "learner", "Learner / student"
    OTHER = "other", "Other"


class Organisation(models.Model):
    """An organisation that hosts communities; its members see organisation-only ones."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    email_domain = models.CharField(
        max_length=200,
        blank=True,
        help_text="People who verify an address at this domain belong to the organisation.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ExpertiseArea(models.Model):
    """A free tag a member declares as an area of expertise."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def for_names(cls, names: list[str]) -> list[ExpertiseArea]:
        """The areas for these names, created when new; the first spelling wins."""
        areas = []
        for name in names:
            slug = slugify(name)[:80]
            if slug:
                area, _ = cls.objects.get_or_create(slug=slug, defaults={"name": name[:80]})
                areas.append(area)
        return areas


class User(AbstractUser):
    """A person. Email is the login; `username` is the stable handle in URLs."""

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=120, blank=True)
    profession = models.CharField(
        max_length=20, choices=Profession.choices, default=Profession.OTHER, db_index=True
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    location = models.CharField(max_length=120, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    bio = models.TextField(blank=True, max_length=5000)
    bio_html = models.TextField(blank=True, editable=False)
    expertise = models.ManyToManyField(ExpertiseArea, blank=True, related_name="members")
    show_in_directory = models.BooleanField(
        default=True, help_text="List me in the member directory and in “who knows about”."
    )
    # What other people see on the profile, the directory and beside one's name. Private
    # by default except the organisation, which colleagues need to place each other.
    share_organisation = models.BooleanField("show my organisation", default=True)
    share_location = models.BooleanField("show my location", default=False)
    share_timezone = models.BooleanField("show my time zone", default=False)
    share_local_time = models.BooleanField("show my time now", default=False)

    class Meta:
        ordering = ["display_name", "username"]
        indexes = [models.Index(fields=["display_name"], name="people_user_display_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("people:profile", kwargs={"username": self.username})

    # What others may see: the templates and indexes that show a person to someone else use
    # these, never the raw fields.
    @property
    def shown_organisation(self):
        return self.organisation if self.share_organisation else None

    @property
    def shown_location(self) -> str:
        return self.location if self.share_location else ""

    @property
    def shown_timezone(self) -> str:
        return self.timezone if self.share_timezone else ""

    def set_bio(self, bio: str) -> None:
        self.bio = bio
        self.bio_html = render_markdown(bio)
