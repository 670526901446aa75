from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from practica.communities.capabilities import memberships_of
from practica.communities.models import Community
from practica.notifications import services
from practica.notifications.mail import read_unsubscribe_token
from practica.notifications.models import Delivery, Notification
from practica.notifications.preferences import (
    DEFAULT_DELIVERY,
    DIGEST,
    set_preferences,
    stop_email,
    table_for,
)
from practica.people.models import User


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(recipient=request.user).select_related(
        "community", "actor"
    )
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page_obj": page})


@login_required
@require_POST
def notification_read(request, notification_id: int):
    services.mark_read(user=request.user, notification_id=notification_id)
    target = Notification.objects.filter(pk=notification_id, recipient=request.user).first()
    return redirect(target.url if target and target.url.startswith("/") else "notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    services.mark_all_read(user=request.user)
    return redirect("notifications:list")


def _field(community_id, kind) -> str:
    return f"{community_id or 'all'}__{kind}"


@login_required
def preferences(request):
    """One choice per kind for everywhere, and optional overrides per community."""
    communities = list(
        Community.objects.filter(
            pk__in=[cid for cid, m in memberships_of(request.user).items() if not m.suspended]
        ).order_by("name")
    )
    if request.method == "POST":
        choices = {}
        for kind in Notification.Kind.values:
            value = request.POST.get(_field(None, kind), "")
            if value in Delivery.values:
                choices[(None, kind)] = value
            for community in communities:
                value = request.POST.get(_field(community.pk, kind), "")
                if value == "" or value in Delivery.values:
                    choices[(community.pk, kind)] = value
        set_preferences(user=request.user, choices=choices)
        messages.success(request, "Your notification preferences are saved.")
        return redirect("notifications:preferences")
    chosen = table_for(request.user)
    rows = [
        {
            "kind": kind,
            "label": label,
            "name": _field(None, kind),
            "value": chosen.get((None, kind), DEFAULT_DELIVERY.get(kind, Delivery.IN_APP)),
        }
        for kind, label in Notification.Kind.choices
    ]
    per_community = [
        {
            "community": community,
            "overrides": sum(1 for (cid, _k) in chosen if cid == community.pk),
            "rows": [
                {
                    "kind": kind,
                    "label": label,
                    "name": _field(community.pk, kind),
                    "value": chosen.get((community.pk, kind), ""),
                }
                for kind, label in Notification.Kind.choices
            ],
        }
        for community in communities
    ]
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "per_community": per_community, "deliveries": Delivery.choices},
    )


@csrf_exempt  # RFC 8058: mail clients POST here without a session; the signed token is the key
def unsubscribe(request, token: str):
    try:
        user_id, category = read_unsubscribe_token(token)
        user = User.objects.get(pk=user_id)
    except (signing.BadSignature, User.DoesNotExist, KeyError, ValueError):
        return render(
            request,
            "notifications/unsubscribe.html",
            {"invalid": True},
            status=404,
        )
    label = (
        "daily and weekly digests"
        if category == DIGEST
        else Notification.Kind(category).label.lower()
        if category in Notification.Kind.values
        else category
    )
    done = False
    if request.method == "POST":
        stop_email(user=user, category=category)
        done = True
        if request.POST.get("List-Unsubscribe") == "One-Click":
            from django.http import HttpResponse

            return HttpResponse("Unsubscribed.\n", content_type="text/plain")
    return render(
        request,
        "notifications/unsubscribe.html",
        {"label": label, "done": done, "email": user.email, "token": token},
    )
