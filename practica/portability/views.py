"""The steward's export page: ask the worker for an archive, watch it, download it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from practica.communities.capabilities import Capability, require
from practica.communities.views.browse import community_for
from practica.portability import services
from practica.portability.models import CommunityExport

RECENT = 5


@login_required
def export_page(request, community_slug):
    """The archives asked for lately, the one being written with its progress (htmx
    refreshes that panel; without JavaScript, the Refresh link does), and the button."""
    community = community_for(request, community_slug)
    require(request.user, Capability.EXPORT_COMMUNITY, community=community)
    exports = list(
        CommunityExport.objects.filter(community=community).select_related(
            "community", "requested_by"
        )[:RECENT]
    )
    context = {
        "community": community,
        "exports": exports,
        "open_export": next((e for e in exports if e.is_open), None),
    }
    if request.htmx:
        return render(request, "portability/export.html#exports", context)
    return render(request, "portability/export.html", context)


@login_required
@require_POST
def export_start(request, community_slug):
    community = community_for(request, community_slug)
    export = services.request_export(actor=request.user, community=community)
    if export.is_open:
        messages.success(
            request, "The archive is being written. This page shows its progress; it stays here."
        )
    return redirect("portability:export", community_slug=community.slug)


@login_required
def export_download(request, community_slug, export_id: int):
    community = community_for(request, community_slug)
    require(request.user, Capability.EXPORT_COMMUNITY, community=community)
    export = get_object_or_404(
        CommunityExport.objects.select_related("community"), pk=export_id, community=community
    )
    if export.status != CommunityExport.Status.DONE or not export.file:
        raise Http404("This archive is not ready.")
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type="application/zip",
    )


app_name = "portability"
urlpatterns = [
    path("<slug:community_slug>/settings/export/", export_page, name="export"),
    path("<slug:community_slug>/settings/export/start/", export_start, name="export-start"),
    path(
        "<slug:community_slug>/settings/export/<int:export_id>/download/",
        export_download,
        name="export-download",
    ),
]
