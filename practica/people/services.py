"""Every write to a person's profile goes through here."""

from __future__ import annotations

from django.db import transaction

from practica.people.models import ExpertiseArea, Organisation, User


def update_profile(*, user: User, actor: User, data: dict, expertise: list[str]) -> User:
    """Save a member's own profile. Only the member edits it (no stage is involved)."""
    if actor.pk != user.pk:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("You can only edit your own profile.")
    with transaction.atomic():
        for field in ("display_name", "profession", "location", "timezone", "show_in_directory"):
            if field in data:
                setattr(user, field, data[field])
        if "organisation" in data:
            user.organisation = data["organisation"]
        user.set_bio(data.get("bio", user.bio))
        user.full_clean(exclude=["password"])
        user.save()
        user.expertise.set(ExpertiseArea.for_names(expertise))
    return user


def join_organisation_by_email(*, user: User, email: str) -> None:
    """Put a person with no organisation into the one whose domain their verified email has."""
    if user.organisation_id:
        return
    domain = email.rsplit("@", 1)[-1].lower()
    organisation = Organisation.objects.filter(email_domain__iexact=domain).first()
    if organisation:
        User.objects.filter(pk=user.pk, organisation__isnull=True).update(organisation=organisation)
