"""Reads shaped for people pages."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db.models import Q, QuerySet

from practica.people.models import Organisation, User


def directory(
    *, q: str = "", profession: str = "", organisation: Organisation | None = None
) -> QuerySet[User]:
    """Listed, active people matching the filters, each with organisation and expertise.

    Every word of `q` must match somewhere (name, location, organisation or an area of
    expertise), so "nurse leeds" narrows rather than widens the list. Location and
    organisation match only for people who chose to show them.
    """
    people = User.objects.filter(is_active=True, show_in_directory=True)
    for word in q.split():
        people = people.filter(
            Q(display_name__icontains=word)
            | Q(username__icontains=word)
            | Q(share_location=True, location__icontains=word)
            | Q(share_organisation=True, organisation__name__icontains=word)
            | Q(pk__in=User.objects.filter(expertise__name__icontains=word).values("pk"))
        )
    if profession:
        people = people.filter(profession=profession)
    if organisation is not None:
        people = people.filter(organisation=organisation, share_organisation=True)
    return (
        people.select_related("organisation")
        .prefetch_related("expertise")
        .order_by("display_name", "username", "pk")
    )


def profile(username: str) -> QuerySet[User]:
    """The active person with this handle, ready for the profile page."""
    return User.objects.filter(username=username, is_active=True).select_related("organisation")


def organisations_open_to(user: User) -> QuerySet[Organisation]:
    """Organisations `user` may say they belong to.

    Belonging to an organisation opens its organisation-only communities, so a member
    may only choose one whose email domain matches an address they have verified (or
    keep the one an administrator gave them).
    """
    domains = {
        address.rsplit("@", 1)[-1].lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }
    matching = Q(pk__in=[])
    for domain in domains:
        matching |= Q(email_domain__iexact=domain)
    if user.organisation_id:
        matching |= Q(pk=user.organisation_id)
    return Organisation.objects.filter(matching)
