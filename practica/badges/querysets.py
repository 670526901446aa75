"""Reads shaped for badge pages and the profile."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from practica.badges.models import Assertion
from practica.communities.capabilities import readable_communities_q


def shown_on_profile(person, viewer) -> QuerySet[Assertion]:
    """`person`'s badges in force that `viewer` may see, newest first, in one query.

    A badge is shown to whoever may read its community; organisation-wide module badges
    to anyone logged in. The person always sees all of their own.
    """
    assertions = Assertion.objects.filter(recipient=person, revoked_at__isnull=True)
    if viewer is None or viewer.pk != person.pk:
        readable = readable_communities_q(viewer, "badge_class__community__")
        if viewer is not None and viewer.is_authenticated:
            readable |= Q(badge_class__community__isnull=True)
        assertions = assertions.filter(readable)
    return assertions.select_related("badge_class__community").order_by("-issued_on", "-pk")


def assertion_page(uid) -> QuerySet[Assertion]:
    return Assertion.objects.filter(uid=uid).select_related(
        "badge_class__community", "badge_class__module", "recipient"
    )
