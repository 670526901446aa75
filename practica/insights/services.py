"""Writes of the insights app: departures now; value-creation stories below."""

from __future__ import annotations

from django.utils import timezone

from practica.communities.models import Membership
from practica.insights.models import Departure


def record_departure(membership: Membership) -> Departure:
    """Keep the leaver for the figures before their membership row is deleted."""
    return Departure.objects.create(
        community_id=membership.community_id,
        user_id=membership.user_id,
        stage=membership.stage,
        joined_at=membership.joined_at,
        left_at=timezone.now(),
    )
