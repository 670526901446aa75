"""Subscribing without an account: the form, the signed links, preferences, unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from practica.bulletin import querysets
from practica.bulletin.forms import ScopeForm, SubscribeForm
from practica.bulletin.models import Bulletin, SubscriberStatus
from practica.bulletin.services import subscriptions
from practica.bulletin.tokens import (
    LinkError,
    manage_token,
    read_confirm_token,
    read_manage_token,
)
from practica.reliability import ratelimit

SUBSCRIBE_LIMIT = 10  # POSTs per address per window
SUBSCRIBE_WINDOW = 60 * 60


def _over_limit(request: HttpRequest) -> bool:
    """Count subscription POSTs per client address in the shared cache."""
    key = f"bulletin:subscribe:{request.META.get('REMOTE_ADDR', '')}"
    return ratelimit.hit(key, limit=SUBSCRIBE_LIMIT, window=SUBSCRIBE_WINDOW) is not None


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest, bulletin_slug: str | None = None) -> HttpResponse:
    if bulletin_slug is None:
        bulletin = querysets.instance_bulletin()
        if bulletin is None:
            return redirect("bulletin:archive")
    else:
        bulletin = querysets.bulletin_for(request.user, bulletin_slug)
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    topic = request.GET.get("topic")
    if topic:
        initial.update(
            scope="topics",
            topics=list(
                querysets.bulletin_topics(bulletin).filter(slug=topic).values_list("pk", flat=True)
            ),
        )
    form = SubscribeForm(request.POST or None, bulletin=bulletin, initial=initial)
    status = 200
    if request.method == "POST":
        if _over_limit(request):
            form.add_error(
                None,
                "Too many subscription requests have come from your network in the last hour. "
                "Please try again later.",
            )
            status = 429
        elif form.is_valid():
            try:
                subscriptions.subscribe(
                    bulletin=bulletin,
                    email=form.cleaned_data["email"],
                    all_topics=form.all_topics,
                    topics=form.cleaned_data["topics"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                request.session["bulletin_subscribed_email"] = form.cleaned_data["email"]
                return redirect("bulletin:subscribe-sent", bulletin_slug=bulletin.slug)
        else:
            status = 400
    return render(
        request, "bulletin/subscribe.html", {"bulletin": bulletin, "form": form}, status=status
    )


def subscribe_sent(request: HttpRequest, bulletin_slug: str) -> HttpResponse:
    bulletin = querysets.bulletin_for(request.user, bulletin_slug)
    return render(
        request,
        "bulletin/subscribe_sent.html",
        {"bulletin": bulletin, "email": request.session.get("bulletin_subscribed_email", "")},
    )


def _link_error(request: HttpRequest, error: LinkError | ValidationError, bulletin=None):
    message = error.messages[0] if isinstance(error, ValidationError) else str(error)
    return render(
        request,
        "bulletin/link_error.html",
        {"message": message, "bulletin": bulletin or querysets.instance_bulletin()},
        status=400,
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Confirming takes a click on a button: mail scanners that fetch links don't confirm."""
    try:
        subscriber = read_confirm_token(token)
    except LinkError as error:
        return _link_error(request, error)
    if request.method == "POST":
        try:
            confirmed_now = subscriptions.confirm(subscriber=subscriber)
        except ValidationError as error:
            return _link_error(request, error, subscriber.bulletin)
        if confirmed_now:
            messages.success(
                request,
                f"Confirmed: {subscriber.bulletin.name} will come to {subscriber.email} "
                "with each new issue. You can choose topics below.",
            )
        return redirect("bulletin:preferences", token=manage_token(subscriber))
    return render(
        request,
        "bulletin/confirm.html",
        {"bulletin": subscriber.bulletin, "subscriber": subscriber, "token": token},
    )


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = read_manage_token(token)
    except LinkError as error:
        return _link_error(request, error)
    bulletin: Bulletin = subscriber.bulletin
    chosen = list(subscriber.topics.all())
    form = ScopeForm(
        request.POST or None,
        bulletin=bulletin,
        initial={"scope": "all" if subscriber.all_topics else "topics", "topics": chosen},
    )
    saved = False
    if (
        request.method == "POST"
        and subscriber.status == SubscriberStatus.CONFIRMED
        and form.is_valid()
    ):
        subscriptions.update_preferences(
            subscriber=subscriber, all_topics=form.all_topics, topics=form.cleaned_data["topics"]
        )
        saved = True
    return render(
        request,
        "bulletin/preferences.html",
        {
            "bulletin": bulletin,
            "subscriber": subscriber,
            "form": form,
            "token": token,
            "saved": saved,
        },
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click: mail clients POST here (RFC 8058, no cookie, no CSRF token) and people
    press the button on the page. GET only shows the page, so link scanners change nothing.

    CSRF protection is off on purpose: the signed token is what authorises the request,
    and the only thing it can do is stop emails.
    """
    try:
        subscriber = read_manage_token(token)
    except LinkError as error:
        return _link_error(request, error)
    if request.method == "POST":
        subscriptions.unsubscribe(subscriber=subscriber)
        return render(
            request, "bulletin/unsubscribed.html", {"bulletin": subscriber.bulletin, "token": token}
        )
    return render(
        request,
        "bulletin/unsubscribe.html",
        {"bulletin": subscriber.bulletin, "subscriber": subscriber, "token": token},
    )
