"""People pages: the member directory, public profiles and editing your own profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from practica.communities.capabilities import visible
from practica.forms import form_status
from practica.people import querysets
from practica.people.forms import DirectoryFilterForm, ProfileForm
from practica.people.models import User
from practica.people.services import update_profile
from practica.people.visibility import profiles_view
from practica.privacy.forms import apply_service_error


@profiles_view
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET)
    people = querysets.directory(**form.filters())
    page = Paginator(people, settings.PRACTICA_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/directory.html",
        {
            "form": form,
            "page_obj": page,
            "people": page.object_list,
            "query": query.urlencode(),
            "filtered": any(value for key, value in query.items()),
        },
    )


@profiles_view
def profile(request: HttpRequest, username: str) -> HttpResponse:
    person = get_object_or_404(querysets.profile(username))
    # Today's stage in each community the reader may see (posts show the stage their
    # author had when writing; this is where today's lives).
    memberships = list(
        visible(
            request.user,
            person.memberships.filter(suspended=False).select_related("community"),
        ).order_by("community__name")
    )
    return render(
        request,
        "people/profile.html",
        {
            "person": person,
            "expertise": list(person.expertise.all()),
            "memberships": memberships,
            # An account imported or created after its memberships began (an import, a
            # migration from another platform) joined when its first membership did.
            "joined": min([person.date_joined, *(m.joined_at for m in memberships)]),
            # The person's own clock helps colleagues in other zones pick a time to call.
            "now": timezone.now(),
            "is_me": person == request.user,
            "shown": _shown(person, is_me=person == request.user),
        },
    )


def _shown(person: User, *, is_me: bool) -> dict:
    """What the reader sees of `person`: all of it on one's own profile, else their choice."""
    if is_me:
        return {
            "organisation": person.organisation,
            "location": person.location,
            "timezone": person.timezone,
            "local_time": True,
        }
    return {
        "organisation": person.shown_organisation,
        "location": person.shown_location,
        "timezone": person.shown_timezone,
        "local_time": person.share_local_time,
    }


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    # A fresh copy: a refused form must not change the name shown in the header.
    me = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, instance=me)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data}
        expertise = data.pop("expertise_text")
        try:
            update_profile(
                user=me,
                actor=request.user,
                data=data,
                expertise=expertise,
                confirm_guard=form.guard_confirmed,
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect(me.get_absolute_url())
    return render(
        request,
        "people/profile_edit.html",
        {"form": form, "public_profiles": settings.PUBLIC_PROFILES},
        status=form_status(form),
    )
