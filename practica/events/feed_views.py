"""The member's private calendar feed: the page to subscribe or revoke, and the feed."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from practica.communities.capabilities import forget_memberships
from practica.events import calendar, querysets, services
from practica.events.models import CalendarFeed
from practica.site import absolute_url

# Feeds include events that ended up to this long ago, so calendars keep recent history.
FEED_HISTORY = timedelta(days=90)


def _feed_url(feed: CalendarFeed) -> str:
    return absolute_url(reverse("notifications:calendar:feed", kwargs={"token": feed.token}))


@login_required
def feed_page(request):
    feed = services.feed_for(user=request.user)
    url = _feed_url(feed)
    return render(
        request,
        "events/calendar_feed.html",
        {"feed": feed, "feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]},
    )


@login_required
@require_POST
def feed_rotate(request):
    services.rotate_feed(user=request.user)
    messages.success(
        request,
        "Your old calendar link no longer works. Subscribe again with the new one below.",
    )
    return redirect("notifications:calendar:page")


def feed(request, token: str):
    found = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active:
        return HttpResponse(
            "This calendar link doesn’t work: it was revoked, or it was never valid. "
            "Get your current link from your calendar settings in Practica.\n",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    user = found.user
    forget_memberships(user)
    events = querysets.member_events(user, since=timezone.now() - FEED_HISTORY)
    return calendar_response(calendar.calendar_for(events, name="My Practica events"))


def calendar_response(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
