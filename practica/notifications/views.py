from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from practica.notifications import services
from practica.notifications.models import Notification


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
