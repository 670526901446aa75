"""Site-wide pages: home, health check and the friendly error pages."""

import logging

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

logger = logging.getLogger("practica.health")


@never_cache
def healthz(request):
    """200 `{"status": "ok"}` when the database answers and accepts a write, 503 otherwise:
    load balancers read this. `?full=1` adds the worker's heartbeat and the queue's oldest
    ready task, as JSON for operators, and answers 503 when any of them is wrong."""
    from practica.reliability import health

    database = health.check_database()
    if request.GET.get("full") not in ("1", "true", "yes"):
        if not database["ok"]:
            logger.warning("database unavailable", extra={"error": database.get("error", "")})
            return JsonResponse(
                {"status": "unavailable", "database": database["state"]}, status=503
            )
        return JsonResponse({"status": "ok"})
    report = health.report(database)
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def home(request):
    from practica.communities.querysets import communities_for_home
    from practica.home import what_next

    context = {**communities_for_home(request.user), **what_next(request.user)}
    return render(request, "home.html", context)


PREVIEW_MAX_CHARS = 100_000


@login_required
@require_POST
def markdown_preview(request):
    """How a composer's Markdown will look, rendered by the same sanitised pipeline as
    what is posted. The composer's Preview button posts its whole form here in a new tab
    (no JavaScript needed); with htmx only the rendered fragment comes back, under the
    text box. Nothing is saved. `preview_field` names the field to render."""
    from practica.markdown import render_markdown

    name = request.POST.get("preview_field", "")
    text = request.POST.get(name, "") if name and name != "csrfmiddlewaretoken" else ""
    context = {"html": render_markdown(text[:PREVIEW_MAX_CHARS]), "empty": not text.strip()}
    template = "components/markdown_preview.html"
    if request.htmx:
        template = "components/markdown_preview_fragment.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    response["Cache-Control"] = "private, no-store"
    return response


def permission_denied(request, exception=None):
    reason = str(exception) if exception and str(exception) else ""
    community = getattr(exception, "community", None)
    trajectory_url = ""
    if community is not None and getattr(request, "user", None) is not None:
        from django.urls import reverse

        from practica.communities.capabilities import memberships_of

        membership = memberships_of(request.user).get(community.pk)
        if membership is not None and not membership.suspended:
            trajectory_url = reverse(
                "communities:trajectory", kwargs={"community_slug": community.slug}
            )
    return render(
        request,
        "403.html",
        {"reason": reason, "community": community, "trajectory_url": trajectory_url},
        status=403,
    )


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors or database: the 500 page must render when things are broken.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
