"""Fetching the module a URL names, once, through the access rules."""

from __future__ import annotations

import functools

from django.shortcuts import get_object_or_404, render

from practica.learning.access import ModuleUnavailable, check_live, require_read
from practica.learning.models import Module


def get_module(request, module_slug: str, *, live: bool = True) -> Module:
    module = get_object_or_404(
        Module.objects.select_related("community", "current_version"), slug=module_slug
    )
    require_read(request.user, module)
    if live:
        check_live(request.user, module)
    return module


def module_view(view):
    """Show why an unpublished module can't be opened, rather than the generic 404."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ModuleUnavailable as unavailable:
            return render(
                request,
                "learning/module_unavailable.html",
                {"reason": str(unavailable)},
                status=404,
            )

    return wrapper


def breadcrumbs(module: Module | None = None, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    from django.urls import reverse

    crumbs = [("My learning", reverse("learning:my-learning"))]
    if module is not None:
        crumbs.append((module.title, module.get_absolute_url()))
    crumbs.extend(extra)
    return crumbs
