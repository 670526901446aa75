"""Privacy pages: thin views over the privacy services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from practica.communities.capabilities import Capability, can, require
from practica.privacy import account, redaction
from practica.privacy.forms import DeleteAccountForm, RedactForm, apply_service_error
from practica.privacy.models import GuardLog


@login_required
def guard_target(request, log_id):
    """A steward follows a guard log entry to the text that was saved after a warning."""
    log = get_object_or_404(GuardLog.objects.select_related("community"), pk=log_id)
    if log.community is None:
        raise Http404
    require(request.user, Capability.MODERATE, community=log.community)
    target = log.target
    if target is None or not hasattr(target, "get_absolute_url"):
        raise Http404("That text is no longer there.")
    return redirect(target.get_absolute_url())


@login_required
def redact(request, kind, object_id):
    """Redact a passage or the whole of a post, revision or comment (stewards and authors)."""
    try:
        target = redaction.target_for(kind, object_id)
    except (LookupError, ObjectDoesNotExist) as missing:
        raise Http404("There is nothing to redact here.") from missing
    if not can(request.user, Capability.READ, community=target.community):
        raise Http404("There is nothing to redact here.")
    redaction.require_redact(request.user, target)
    form = RedactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            redaction.redact(
                actor=request.user,
                target=target,
                span=data["span"],
                whole=data["scope"] == "whole",
                reason=data["reason"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request, "Removed from the text, its history, notifications and search."
            )
            return redirect(target.url)
    row, name = target.whole[0]
    return render(
        request,
        "privacy/redact.html",
        {
            "community": target.community,
            "target": target,
            "text": getattr(row, name),
            "form": form,
            "is_steward": can(request.user, Capability.MODERATE, community=target.community),
        },
        status=422 if request.method == "POST" else 200,
    )


# --- a member's own data ------------------------------------------------------------------

EXPORT_WINDOW_SECONDS = 60


@login_required
def my_data(request):
    """The download page; a POST builds the ZIP and sends it (once a minute at most)."""
    if request.method == "POST":
        key = f"privacy:export:{request.user.pk}"
        if not cache.add(key, 1, EXPORT_WINDOW_SECONDS):
            messages.error(request, "Your data was just downloaded: try again in a minute.")
            return redirect("privacy:my-data")
        spool = account.build_export(request.user)
        stamp = timezone.localdate().isoformat()
        return FileResponse(
            spool,
            as_attachment=True,
            filename=f"practica-{request.user.username}-{stamp}.zip",
            content_type="application/zip",
        )
    return render(request, "privacy/my_data.html", {})


@login_required
def delete_account(request):
    """Delete the signed-in member's account after they choose and confirm."""
    user = request.user
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account.delete_account(
                user=user,
                mode=data["mode"],
                password=data.get("password", ""),
                phrase=data.get("phrase", ""),
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            logout(request)
            messages.success(request, "Your account is deleted. Thank you for taking part.")
            return redirect("/")
    return render(
        request,
        "privacy/delete_account.html",
        {"form": form, "phrase": account.DELETE_PHRASE},
        status=422 if request.method == "POST" else 200,
    )
