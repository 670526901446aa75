"""Reads shaped for people pages."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from practica.people.models import User


def directory(*, q: str = "", profession: str = "", organisation=None) -> QuerySet[User]:
    people = (
        User.objects.filter(is_active=True, show_in_directory=True)
        .select_related("organisation")
        .prefetch_related("expertise")
        .order_by("display_name", "username")
    )
    if q:
        people = people.filter(
            Q(display_name__icontains=q)
            | Q(location__icontains=q)
            | Q(organisation__name__icontains=q)
            | Q(expertise__name__icontains=q)
        ).distinct()
    if profession:
        people = people.filter(profession=profession)
    if organisation is not None:
        people = people.filter(organisation=organisation)
    return people
