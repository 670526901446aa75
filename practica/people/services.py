"""Every write to a person's profile goes through here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from practica.people.models import ExpertiseArea, Organisation, User
from practica.people.querysets import organisations_open_to
from practica.privacy.guard import screen

PROFILE_FIELDS = (
    "display_name",
    "profession",
    "location",
    "timezone",
    "show_in_directory",
    "share_organisation",
    "share_location",
    "share_timezone",
    "share_local_time",
)


def update_profile(
    *,
    user: User,
    actor: User,
    data: dict[str, Any],
    expertise: list[str],
    confirm_guard: bool = False,
) -> User:
    """Save a member's own profile, bio rendered and expertise replaced, in one transaction.

    Only the member edits their profile (no stage is involved). An organisation may be
    chosen only among those the member can prove they belong to, because belonging
    opens that organisation's organisation-only communities. A bio that looks like it
    identifies a patient raises PatientDataFound (see privacy.guard).
    """
    if actor.pk != user.pk:
        raise PermissionDenied("You can only edit your own profile.")
    stored = User.objects.filter(pk=user.pk).values_list("bio", flat=True).first() or ""
    screening = screen(
        actor=actor,
        community=None,
        where="profile bio",
        texts={"bio": data["bio"]} if "bio" in data and data["bio"] != stored else {},
        confirmed=confirm_guard,
    )
    with transaction.atomic():
        for field in PROFILE_FIELDS:
            if field in data:
                setattr(user, field, data[field])
        if "organisation" in data:
            organisation: Organisation | None = data["organisation"]
            changing = organisation is not None and organisation.pk != user.organisation_id
            if changing and not organisations_open_to(user).filter(pk=organisation.pk).exists():
                raise ValidationError(
                    {"organisation": "Verify an email address at this organisation first."}
                )
            user.organisation = organisation
        if "bio" in data:
            user.set_bio(data["bio"])
        user.full_clean(exclude=["password"])
        user.save()
        user.expertise.set(ExpertiseArea.for_names(expertise))
        screening.record(user)
    return user


def join_organisation_by_email(*, user: User, email: str) -> None:
    """Put a person with no organisation into the one whose domain their verified email has."""
    if user.organisation_id:
        return
    domain = email.rsplit("@", 1)[-1].lower()
    organisation = Organisation.objects.filter(email_domain__iexact=domain).first()
    if organisation:
        User.objects.filter(pk=user.pk, organisation__isnull=True).update(organisation=organisation)
