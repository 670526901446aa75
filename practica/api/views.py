"""The API's pages for people: access tokens on the member's settings, the docs page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from practica.api import tokens
from practica.api.forms import ServiceTokenForm, TokenForm
from practica.api.models import AccessToken
from practica.privacy.forms import apply_service_error


def _context(request, *, form=None, service_form=None, new_secret=None, new_token=None):
    context = {
        "form": form or TokenForm(user=request.user),
        "tokens": list(tokens.tokens_of(request.user)),
        "new_secret": new_secret,
        "new_token": new_token,
    }
    if request.user.is_staff:
        context["service_form"] = service_form or ServiceTokenForm()
        context["service_tokens"] = list(tokens.service_tokens())
    return context


@login_required
def token_list(request):
    """List the member's tokens; a POST makes one and shows its secret once, on this page."""
    if request.method != "POST":
        return render(request, "api/tokens.html", _context(request))
    form = TokenForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = tokens.create_personal_token(
                actor=request.user,
                name=data["name"],
                scope=data["scope"],
                expires_in_days=data["expires_in_days"],
                community=data["community"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            # Rendered, not redirected: the secret must never sit in a session or a URL.
            return render(
                request,
                "api/tokens.html",
                _context(request, new_secret=made.secret, new_token=made.token),
                status=201,
            )
    return render(request, "api/tokens.html", _context(request, form=form), status=400)


@login_required
@require_POST
def service_token_create(request):
    if not request.user.is_staff:
        raise PermissionDenied("Only staff can make service tokens.")
    form = ServiceTokenForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = tokens.create_service_token(
                actor=request.user,
                service_name=data["service_name"],
                scope=data["scope"],
                expires_in_days=data["expires_in_days"],
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return render(
                request,
                "api/tokens.html",
                _context(request, new_secret=made.secret, new_token=made.token),
                status=201,
            )
    return render(request, "api/tokens.html", _context(request, service_form=form), status=400)


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = get_object_or_404(AccessToken.objects.select_related("user"), pk=token_id)
    if token.user_id != request.user.pk and not request.user.is_staff:
        raise PermissionDenied("Only the token's owner can revoke it.")
    tokens.revoke_token(actor=request.user, token=token)
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("api-tokens:list")
