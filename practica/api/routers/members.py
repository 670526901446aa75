"""The signed-in member's own things: notifications and the trajectory in a community."""

from __future__ import annotations

import datetime

from django.http import Http404
from ninja import Query, Router, Schema

from practica.api import pagination
from practica.api.auth import require_member, token_community_id
from practica.api.common import community_for, stage_name
from practica.communities import progression
from practica.communities.capabilities import memberships_of
from practica.notifications import services as notification_services
from practica.notifications.models import Notification
from practica.site import absolute_url

router = Router(tags=["me"])


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str
    community: str | None
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NotificationList(Schema):
    results: list[NotificationOut]
    next: str | None
    unread: int


class MarkedOut(Schema):
    marked: int


class CriterionOut(Schema):
    kind: str
    label: str
    current: int | None
    threshold: int
    met: bool
    available: bool


class TrajectoryOut(Schema):
    community: str
    stage: str
    stage_label: str
    next_stage: str | None
    next_stage_label: str
    mode: str
    criteria: list[CriterionOut]
    next_steps: list[str]
    url: str


@router.get("/notifications", response=NotificationList, summary="My notifications")
def notification_list(
    request,
    unread: bool = Query(False, description="Only those not yet read"),
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    user = require_member(request)
    notifications = Notification.objects.filter(recipient=user).select_related("community")
    only = token_community_id(request)
    if only:
        notifications = notifications.filter(community_id=only)
    if unread:
        notifications = notifications.filter(read_at__isnull=True)

    def serialize(rows):
        return [
            {
                "id": n.pk,
                "kind": n.kind,
                "text": n.text,
                "url": absolute_url(n.url) if n.url.startswith("/") else n.url,
                "community": n.community.slug if n.community else None,
                "created_at": n.created_at,
                "read_at": n.read_at,
            }
            for n in rows
        ]

    result = pagination.page(
        request,
        notifications,
        order=("-created_at", "-pk"),
        cursor=cursor,
        limit=limit,
        serialize=serialize,
    )
    result["unread"] = notification_services.unread_count(user)
    return result


@router.post("/notifications/{notification_id}/read", response=MarkedOut, summary="Mark one read")
def notification_read(request, notification_id: int):
    user = require_member(request)
    if not Notification.objects.filter(pk=notification_id, recipient=user).exists():
        raise Http404("No such notification.")
    return {"marked": notification_services.mark_read(user=user, notification_id=notification_id)}


@router.post("/notifications/read", response=MarkedOut, summary="Mark all read")
def notification_read_all(request):
    user = require_member(request)
    return {"marked": notification_services.mark_all_read(user=user)}


@router.get("/trajectory/{slug}", response=TrajectoryOut, summary="My trajectory there")
def my_trajectory(request, slug: str):
    """The trajectory page's content: the stage, the next, each criterion's progress."""
    user = require_member(request)
    community = community_for(request, slug)
    membership = memberships_of(user).get(community.pk)
    if membership is None:
        raise Http404(f"You are not a member of {community.name}.")
    membership.community = community
    membership.user = user
    trajectory = progression.trajectory_for(membership)
    return {
        "community": community.slug,
        "stage": stage_name(membership.stage),
        "stage_label": trajectory.stage_label,
        "next_stage": stage_name(trajectory.next_stage) if trajectory.next_stage else None,
        "next_stage_label": trajectory.next_label,
        "mode": trajectory.mode,
        "criteria": trajectory.evidence(),
        "next_steps": trajectory.next_steps(),
        "url": absolute_url(f"/c/{community.slug}/trajectory/"),
    }
