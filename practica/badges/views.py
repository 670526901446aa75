"""Badge pages and the hosted Open Badges documents.

The JSON and PNG views are public by design: hosted verification means any verifier,
logged in or not, fetches them. Badge classes of communities that are not public are the
exception: by number they answer only people who may read the community, and verifiers
reach them at the unguessable URL their assertion names. Assertion views opt out of the anonymous page cache so
that a revocation is seen by the very next verifier.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseGone
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from practica.badges import openbadges, png
from practica.badges.models import Assertion, BadgeClass
from practica.badges.querysets import assertion_page
from practica.badges.services import revocation_refusal, revoke_assertion
from practica.communities.capabilities import Capability, can

JSON_LD = "application/ld+json; charset=utf-8"


def _json(document: dict, *, status: int = 200, filename: str = "") -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type=JSON_LD, status=status
    )
    # Backpacks and verifiers read these from other origins' pages.
    response["Access-Control-Allow-Origin"] = "*"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _assertion(request: HttpRequest, assertion_uid) -> Assertion:
    request._practica_no_anon_cache = True
    return get_object_or_404(assertion_page(assertion_uid))


def _filename(assertion: Assertion, extension: str) -> str:
    return f"{slugify(assertion.badge_class.name)[:60] or 'badge'}-{assertion.uid}.{extension}"


@require_GET
def issuer_json(request: HttpRequest) -> HttpResponse:
    return _json(openbadges.issuer_profile())


def _readable_class(request: HttpRequest, badge_class_id: int) -> BadgeClass:
    """A badge class by number, for people who may read its community; 404 for others.

    The numbers are sequential, so a class of a community that is not public must not
    answer them: verifiers reach it through its assertion's unguessable URL instead.
    """
    badge_class = get_object_or_404(
        BadgeClass.objects.select_related("community__organisation", "module"),
        pk=badge_class_id,
    )
    if badge_class.community is not None and not can(
        request.user, Capability.READ, community=badge_class.community
    ):
        raise Http404("No such badge.")
    if not badge_class.is_public:
        request._practica_no_anon_cache = True
    return badge_class


def _image(badge_class: BadgeClass, *, cache: str) -> HttpResponse:
    response = HttpResponse(
        png.badge_png(openbadges.design_for(badge_class)), content_type="image/png"
    )
    response["Cache-Control"] = cache
    return response


@require_GET
def badge_class_json(request: HttpRequest, badge_class_id: int) -> HttpResponse:
    return _json(openbadges.badge_class_document(_readable_class(request, badge_class_id)))


@require_GET
def badge_class_image(request: HttpRequest, badge_class_id: int) -> HttpResponse:
    badge_class = _readable_class(request, badge_class_id)
    return _image(
        badge_class,
        cache="public, max-age=86400" if badge_class.is_public else "private, max-age=3600",
    )


@require_GET
def badge_class_detail(request: HttpRequest, badge_class_id: int) -> HttpResponse:
    badge_class = _readable_class(request, badge_class_id)
    return render(request, "badges/badge_class_detail.html", {"badge_class": badge_class})


def _hosted_class(badge_class_uid) -> BadgeClass:
    return get_object_or_404(BadgeClass.objects.select_related("community"), uid=badge_class_uid)


@require_GET
def hosted_badge_class_json(request: HttpRequest, badge_class_uid) -> HttpResponse:
    """The class of a badge from a community that is not public, for hosted verification."""
    return _json(openbadges.badge_class_document(_hosted_class(badge_class_uid)))


@require_GET
def hosted_badge_class_image(request: HttpRequest, badge_class_uid) -> HttpResponse:
    return _image(_hosted_class(badge_class_uid), cache="public, max-age=86400")


@require_GET
def assertion_json(request: HttpRequest, assertion_uid) -> HttpResponse:
    """The hosted assertion. Revoked: 410 Gone, with the revocation in the body."""
    assertion = _assertion(request, assertion_uid)
    return _json(
        openbadges.assertion_document(assertion),
        status=410 if assertion.is_revoked else 200,
        filename=_filename(assertion, "json") if "download" in request.GET else "",
    )


@require_GET
def assertion_image(request: HttpRequest, assertion_uid) -> HttpResponse:
    """The badge image baked with its assertion; a revoked badge is not handed out."""
    assertion = _assertion(request, assertion_uid)
    if assertion.is_revoked:
        return HttpResponseGone(
            "This badge has been revoked, so it can no longer be downloaded.",
            content_type="text/plain; charset=utf-8",
        )
    document = openbadges.assertion_document(assertion)
    image = png.badge_png(openbadges.design_for(assertion.badge_class))
    response = HttpResponse(
        png.bake(image, json.dumps(document, ensure_ascii=False)), content_type="image/png"
    )
    if "download" in request.GET:
        response["Content-Disposition"] = f'attachment; filename="{_filename(assertion, "png")}"'
    return response


@require_GET
def assertion_detail(request: HttpRequest, assertion_uid) -> HttpResponse:
    assertion = _assertion(request, assertion_uid)
    return render(
        request,
        "badges/assertion_detail.html",
        {
            "assertion": assertion,
            "badge_class": assertion.badge_class,
            "issuer_name": openbadges.issuer_name(),
            "is_mine": request.user.is_authenticated and request.user.pk == assertion.recipient_id,
            "can_revoke": not assertion.is_revoked
            and not revocation_refusal(request.user, assertion),
        },
    )


@require_POST
def assertion_revoke(request: HttpRequest, assertion_uid) -> HttpResponse:
    assertion = _assertion(request, assertion_uid)
    try:
        revoke_assertion(
            actor=request.user, assertion=assertion, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The badge is revoked. Verifiers now see it as revoked.")
    return redirect(assertion.get_absolute_url())
