"""Daily and weekly digests, sent in each member's morning, at most once per period.

A digest is claimed by inserting its DigestRun row (unique per member, cadence and period)
before anything is gathered or sent, so two workers, a restart or a repeated tick can never
send the same period twice.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from practica.communities.capabilities import Capability, can, memberships_of
from practica.notifications.mail import unsubscribe_url
from practica.notifications.models import Cadence, DigestRun, EmailDelivery, Notification
from practica.notifications.preferences import DIGEST, cadences_wanted
from practica.people.models import User
from practica.site import absolute_url
from practica.words import counted

log = logging.getLogger("practica.notifications.digests")

# Digests go out from this local hour, and not after the morning is over.
SEND_HOUR = 7
LAST_HOUR = 11
HORIZON = {Cadence.DAILY: timedelta(days=2), Cadence.WEEKLY: timedelta(days=8)}
MAX_ITEMS = 50


def period_start(cadence: str, local_day: date) -> date:
    """The first local day of the period `local_day` belongs to (weeks start on Monday)."""
    if cadence == Cadence.WEEKLY:
        return local_day - timedelta(days=local_day.weekday())
    return local_day


def due(now: datetime | None = None) -> list[tuple[int, str, date]]:
    """(user id, cadence, period start) for every digest whose morning has come and that
    hasn't been claimed yet. Weekly digests go out on Mondays."""
    now = now or timezone.now()
    found = []
    zones = User.objects.filter(is_active=True).values_list("timezone", flat=True).distinct()
    for zone_name in zones:
        try:
            local = now.astimezone(zoneinfo.ZoneInfo(zone_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        if not SEND_HOUR <= local.hour <= LAST_HOUR:
            continue
        cadences = [Cadence.DAILY] + ([Cadence.WEEKLY] if local.weekday() == 0 else [])
        for cadence in cadences:
            start = period_start(cadence, local.date())
            users = User.objects.filter(is_active=True, timezone=zone_name).exclude(
                digest_runs__cadence=cadence, digest_runs__period_start=start
            )
            for user in users.prefetch_related("notification_preferences"):
                if cadence in cadences_wanted(user):
                    found.append((user.pk, str(cadence), start))
    return found


@dataclass
class DigestContent:
    notifications: list[Notification] = field(default_factory=list)
    events: list = field(default_factory=list)
    trajectories: list[dict] = field(default_factory=list)
    due_reviews: list = field(default_factory=list)
    # Notifications said by the due-for-review list: marked as sent with the digest.
    covered: list[Notification] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        # Where the member stands is context, not news: alone it doesn't make a digest.
        return not self.notifications and not self.events and not self.due_reviews


def trajectory_lines(user) -> list[dict]:
    """Where the member stands in each community, when the progression engine is there."""
    try:
        from practica.communities.progression import trajectory_for
    except ImportError:
        return []
    lines = []
    for membership in memberships_of(user).values():
        if membership.suspended:
            continue
        trajectory = trajectory_for(membership)
        if trajectory.next_stage is None:
            continue
        steps = trajectory.next_steps()
        lines.append(
            {
                "community": membership.community.name,
                "stage": trajectory.stage_label,
                "next": trajectory.next_label,
                "met": trajectory.met_count,
                "total": len(trajectory.criteria),
                "step": steps[0] if steps else "",
                "url": absolute_url(
                    reverse(
                        "communities:trajectory",
                        kwargs={"community_slug": membership.community.slug},
                    )
                ),
            }
        )
    return lines


def gather(user, cadence: str, now: datetime) -> DigestContent:
    from practica.events.querysets import upcoming_for_digest
    from practica.evidence.querysets import due_for_owner
    from practica.library.querysets import due_for_owner as articles_due_for_owner

    pending = list(
        Notification.objects.filter(recipient=user, delivery=cadence, emailed_at__isnull=True)
        .select_related("community")
        .order_by("created_at", "pk")[: MAX_ITEMS * 2]
    )
    visible = [
        n
        for n in pending
        if n.community is None or can(user, Capability.READ, community=n.community)
    ][:MAX_ITEMS]
    events = upcoming_for_digest(user, now=now, until=now + HORIZON[cadence])
    local_today = now.astimezone(zoneinfo.ZoneInfo(user.timezone)).date()
    due_reviews = sorted(
        articles_due_for_owner(user, today=local_today, limit=MAX_ITEMS)
        + due_for_owner(user, today=local_today, limit=MAX_ITEMS),
        key=lambda item: item.review_by,
    )[:MAX_ITEMS]
    # A "due for review" notice about something the digest lists as due anyway is said
    # once, in that list (and counts as sent with the digest).
    listed = {item.url for item in due_reviews}
    covered = [n for n in visible if n.kind == Notification.Kind.REVIEW_DUE and n.url in listed]
    visible = [n for n in visible if n not in covered]
    return DigestContent(visible, events, trajectory_lines(user), due_reviews, covered)


def _claim(user, cadence: str, start: date, *, retaken: bool = False) -> DigestRun | None:
    """The period's run, newly claimed; or, for a task taken over from a dead worker, the
    run that worker claimed and never finished putting together."""
    try:
        with transaction.atomic():
            return DigestRun.objects.create(user=user, cadence=cadence, period_start=start)
    except IntegrityError:
        if not retaken:
            return None
        return DigestRun.objects.filter(
            user=user, cadence=cadence, period_start=start, status=DigestRun.Status.CLAIMED
        ).first()


def send_digest(
    *,
    user_id: int,
    cadence: str,
    start: date,
    now: datetime | None = None,
    retaken: bool = False,
) -> str:
    """Claim, gather and queue one digest; returns what happened.

    `retaken`: the task is run again after its worker died (its lease expired). It then
    finishes what that worker left: a run claimed but not put together, or a digest email
    logged but not sent. Never a second digest for the period.
    """
    from practica.notifications.mail import FINISHED, deliver

    now = now or timezone.now()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "no such member"
    run = _claim(user, cadence, start, retaken=retaken)
    if run is None:
        left = EmailDelivery.objects.filter(
            digest__user=user, digest__cadence=cadence, digest__period_start=start
        ).first()
        if retaken and left is not None and left.status not in FINISHED:
            return f"digest {deliver(left.pk, retaken=True)}"
        return "already done"
    content = gather(user, cadence, now)
    if content.empty:
        run.status = DigestRun.Status.EMPTY
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        return "empty"
    with timezone.override(zoneinfo.ZoneInfo(user.timezone)):
        context = {
            "user": user,
            "cadence": cadence,
            "content": content,
            "site_url": absolute_url("/"),
            "notifications_url": absolute_url(reverse("notifications:list")),
            "preferences_url": absolute_url(reverse("notifications:preferences")),
            "unsubscribe_url": unsubscribe_url(user, DIGEST),
            "absolute": absolute_url,
            "due_reviews": [(item, absolute_url(item.url)) for item in content.due_reviews],
        }
        for item in content.notifications:
            item.link = absolute_url(item.url) if item.url else ""
        for item in content.events:
            item.link = absolute_url(item.event.get_absolute_url())
        text = render_to_string("notifications/email/digest.txt", context)
        html = render_to_string("notifications/email/digest.html", context)
    with transaction.atomic():
        label = "Your daily digest" if cadence == Cadence.DAILY else "Your weekly digest"
        email = EmailDelivery.objects.create(
            user=user,
            category=DIGEST,
            digest=run,
            subject=f"{label}: {summary(content)}",
            text_body=text,
            html_body=html,
            unsubscribe_url=context["unsubscribe_url"],
        )
        Notification.objects.filter(
            pk__in=[n.pk for n in content.notifications + content.covered]
        ).update(emailed_at=now)
        run.status = DigestRun.Status.SENT
        run.item_count = len(content.notifications) + len(content.events) + len(content.due_reviews)
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "item_count", "finished_at"])
    return f"digest {deliver(email.pk)}"


def summary(content: DigestContent) -> str:
    parts = []
    if content.notifications:
        n = len(content.notifications)
        parts.append(counted(n, "update"))
    if content.events:
        n = len(content.events)
        parts.append(counted(n, "upcoming event"))
    if content.due_reviews:
        n = len(content.due_reviews)
        parts.append(f"{n} due for review")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)
