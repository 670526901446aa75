"""Stewards' webhook pages: register an endpoint, see its deliveries, redeliver one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from practica.api.forms import WebhookForm
from practica.api.models import Webhook, WebhookDelivery
from practica.api.permissions import check_manage_webhooks
from practica.api.webhooks import services
from practica.communities.models import Community
from practica.privacy.forms import apply_service_error


def _community(request, community_slug):
    community = None
    if community_slug is not None:
        community = get_object_or_404(Community, slug=community_slug)
    check_manage_webhooks(request.user, community)
    return community


def _list_url(community):
    if community is None:
        return redirect("webhooks-instance:list")
    return redirect("webhooks:list", community_slug=community.slug)


@login_required
def webhook_list(request, community_slug=None):
    community = _community(request, community_slug)
    form = WebhookForm(request.POST or None)
    status = 200
    created = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.register_webhook(
                    actor=request.user,
                    community=community,
                    url=data["url"],
                    events=data["events"],
                    description=data["description"],
                )
            except ValidationError as error:
                apply_service_error(form, error)
        if created is None:
            status = 400
        else:
            status = 201
            form = WebhookForm()
    hooks = list(services.hooks_for(community))
    return render(
        request,
        "api/webhooks.html",
        {"community": community, "form": form, "hooks": hooks, "created": created},
        status=status,
    )


@login_required
def webhook_detail(request, hook_id: int, community_slug=None):
    community = _community(request, community_slug)
    hook = get_object_or_404(Webhook, pk=hook_id, community=community)
    return render(
        request,
        "api/webhook_detail.html",
        {"community": community, "hook": hook, "deliveries": services.deliveries_of(hook)},
    )


@login_required
@require_POST
def webhook_redeliver(request, hook_id: int, delivery_id: int, community_slug=None):
    community = _community(request, community_slug)
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("webhook__community"),
        pk=delivery_id,
        webhook_id=hook_id,
        webhook__community=community,
    )
    services.redeliver(actor=request.user, delivery=delivery)
    messages.success(request, "Queued to be sent again: it appears at the top of the log.")
    if community is None:
        return redirect("webhooks-instance:detail", hook_id=hook_id)
    return redirect("webhooks:detail", community_slug=community.slug, hook_id=hook_id)


@login_required
@require_POST
def webhook_toggle(request, hook_id: int, community_slug=None):
    community = _community(request, community_slug)
    hook = get_object_or_404(Webhook, pk=hook_id, community=community)
    if request.POST.get("delete"):
        services.delete_webhook(actor=request.user, hook=hook)
        messages.success(request, f"The webhook to {hook.url} is removed.")
    else:
        services.set_active(actor=request.user, hook=hook, active=not hook.is_active)
        state = "on" if hook.is_active else "paused"
        messages.success(request, f"The webhook to {hook.url} is {state}.")
    return _list_url(community)
