from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from practica.people import querysets
from practica.people.forms import DirectoryFilterForm, ProfileForm
from practica.people.models import User, available_timezones
from practica.people.services import update_profile


def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    people = querysets.directory(
        q=filters.get("q", ""),
        profession=filters.get("profession", ""),
        organisation=filters.get("organisation"),
    )
    page = Paginator(people, settings.PRACTICA_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/directory.html",
        {"form": form, "page_obj": page, "people": page.object_list, "query": query.urlencode()},
    )


def profile(request, username):
    person = get_object_or_404(
        User.objects.select_related("organisation").prefetch_related("expertise"),
        username=username,
        is_active=True,
    )
    return render(
        request, "people/profile.html", {"person": person, "is_me": person == request.user}
    )


@login_required
def profile_edit(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data}
        update_profile(
            user=request.user, actor=request.user, data=data, expertise=data.pop("expertise_text")
        )
        messages.success(request, "Your profile is saved.")
        return redirect(request.user.get_absolute_url())
    return render(
        request,
        "people/profile_edit.html",
        {"form": form, "timezones": sorted(available_timezones())},
    )
