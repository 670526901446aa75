"""Privacy pages: thin views over the privacy services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from practica.communities.capabilities import Capability, require
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
