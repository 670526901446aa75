"""How each member wants to hear about each kind of notification, in each community."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from practica.notifications.models import Delivery, Notification, NotificationPreference

Kind = Notification.Kind

# What a member gets before they choose: things addressed to them personally by email at
# once, the general traffic of their communities in the daily digest.
DEFAULT_DELIVERY: dict[str, str] = {
    Kind.REPLY: Delivery.DAILY,
    Kind.MENTION: Delivery.IMMEDIATE,
    Kind.ACCEPTED: Delivery.IMMEDIATE,
    Kind.ENDORSEMENT: Delivery.DAILY,
    Kind.STAGE_CHANGE: Delivery.IMMEDIATE,
    Kind.APPROVAL: Delivery.IMMEDIATE,
    Kind.MODERATION: Delivery.IMMEDIATE,
    Kind.MENTORING: Delivery.IMMEDIATE,
    Kind.EVENT: Delivery.IMMEDIATE,
    Kind.BULLETIN: Delivery.DAILY,
    Kind.STEWARD: Delivery.DAILY,
    Kind.REVIEW_DUE: Delivery.DAILY,
    # Asked at most once a month; in the app only unless the member wants email.
    Kind.STORY: Delivery.IN_APP,
}
EMAIL_DELIVERIES = {Delivery.IMMEDIATE, Delivery.DAILY, Delivery.WEEKLY}
# The unsubscribe link's category for digests (a digest gathers many kinds).
DIGEST = "digest"


def delivery_for(user, kind: str, community=None) -> str:
    """The member's choice for `kind` in `community`: community row, else default row, else
    the built-in default. One query."""
    rows = NotificationPreference.objects.filter(user=user, kind=kind).filter(
        Q(community__isnull=True) | Q(community=community)
        if community is not None
        else Q(community__isnull=True)
    )
    chosen = {row.community_id: row.delivery for row in rows}
    if community is not None and community.pk in chosen:
        return chosen[community.pk]
    return chosen.get(None, DEFAULT_DELIVERY.get(kind, Delivery.IN_APP))


def table_for(user) -> dict:
    """`{(community_id or None, kind): delivery}` of the member's own choices."""
    return {
        (row.community_id, row.kind): row.delivery
        for row in NotificationPreference.objects.filter(user=user)
    }


def cadences_wanted(user) -> set[str]:
    """Which digests (daily, weekly) any of the member's choices put something into."""
    choices = set(DEFAULT_DELIVERY.values())
    rows = table_for(user)
    overridden = {kind for (community_id, kind) in rows if community_id is None}
    choices = {DEFAULT_DELIVERY[k] for k in DEFAULT_DELIVERY if k not in overridden}
    choices |= set(rows.values())
    return {c for c in choices if c in (Delivery.DAILY, Delivery.WEEKLY)}


@transaction.atomic
def set_preferences(*, user, choices: dict) -> int:
    """Save `{(community_id or None, kind): delivery}`; an empty delivery for a community
    removes that override. Returns how many rows changed."""
    changed = 0
    now = timezone.now()
    for (community_id, kind), delivery in choices.items():
        rows = NotificationPreference.objects.filter(
            user=user, kind=kind, community_id=community_id
        )
        if not delivery:
            changed += rows.delete()[0]
            continue
        if delivery not in Delivery.values or kind not in Kind.values:
            raise ValueError(f"Unknown choice {kind!r} → {delivery!r}.")
        updated = rows.exclude(delivery=delivery).update(delivery=delivery, updated_at=now)
        if not rows.exists():
            NotificationPreference.objects.create(
                user=user, community_id=community_id, kind=kind, delivery=delivery
            )
            updated = 1
        changed += updated
    return changed


@transaction.atomic
def stop_email(*, user, category: str) -> None:
    """One-click unsubscribe: no more email for `category` (a kind, or "digest").

    In-app notifications carry on, so nothing is missed; the member can switch email back
    on from the preferences page.
    """
    now = timezone.now()
    if category == DIGEST:
        kinds = [
            k for k in Kind.values if delivery_for(user, k) in (Delivery.DAILY, Delivery.WEEKLY)
        ]
        NotificationPreference.objects.filter(
            user=user, delivery__in=[Delivery.DAILY, Delivery.WEEKLY]
        ).update(delivery=Delivery.IN_APP, updated_at=now)
    else:
        kinds = [category]
        NotificationPreference.objects.filter(
            user=user, kind=category, delivery__in=EMAIL_DELIVERIES
        ).update(delivery=Delivery.IN_APP, updated_at=now)
    for kind in kinds:
        NotificationPreference.objects.update_or_create(
            user=user,
            community=None,
            kind=kind,
            defaults={"delivery": Delivery.IN_APP, "updated_at": now},
        )
