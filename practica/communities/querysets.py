"""Reads shaped for community pages."""

from __future__ import annotations

from django.db.models import Count, Q

from practica.communities.capabilities import memberships_of, visible
from practica.communities.models import Community


def communities_for(user):
    """Every community `user` may see, with member counts, in one query."""
    return visible(user, Community.objects.all(), community_field="").annotate(
        member_count=Count("memberships", filter=Q(memberships__suspended=False))
    )


def communities_for_home(user) -> dict:
    communities = list(communities_for(user).select_related("organisation"))
    mine = memberships_of(user)
    for community in communities:
        membership = mine.get(community.pk)
        community.my_stage_label = (
            community.stage_label(membership.stage)
            if membership and not membership.suspended
            else ""
        )
    return {"communities": communities}
