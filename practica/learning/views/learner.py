"""What learners see: My learning, a module, its sections and activities, their record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from practica.communities.capabilities import Capability, can
from practica.learning import querysets
from practica.learning.forms import ReflectionForm
from practica.learning.models import ModuleProgress, Reflection
from practica.learning.services import progress as progress_services
from practica.learning.views.common import breadcrumbs, get_module, module_view
from practica.library.glossary import link_glossary_terms
from practica.privacy.forms import apply_service_error
from practica.privacy.guard import PatientDataFound, keep_log


@login_required
def my_learning(request):
    return render(request, "learning/my_learning.html", querysets.my_learning(request.user))


@login_required
@module_view
def module_detail(request, module_slug):
    module = get_module(request, module_slug)
    if module.current_version_id is None:
        # Only authors reach a module that was never published: show them the draft.
        return redirect("learning:module-edit", module_slug=module.slug)
    context = querysets.module_page(request.user, module)
    context["breadcrumbs"] = breadcrumbs()
    return render(request, "learning/module_detail.html", context)


@login_required
@module_view
def module_continue(request, module_slug):
    module = get_module(request, module_slug)
    return redirect(querysets.next_step_url(request.user, module))


def _version_for(request, module):
    progress = (
        ModuleProgress.objects.filter(user=request.user, module=module)
        .select_related("version")
        .first()
    )
    version = progress.version if progress else module.current_version
    if version is None:
        raise Http404("This module has no published version yet.")
    return progress, version


@login_required
@module_view
def section_detail(request, module_slug, section_id):
    module = get_module(request, module_slug)
    progress, version = _version_for(request, module)
    sections = version.snapshot["sections"]
    index = next((i for i, s in enumerate(sections) if s["id"] == section_id), None)
    if index is None:
        raise Http404("No such section in this module.")
    page = querysets.module_page(request.user, module)
    section = sections[index]
    if module.community is not None:
        # The snapshot keeps the section as published; glossary links reflect today's glossary.
        section = {**section, "html": link_glossary_terms(section["html"], module.community)}
    return render(
        request,
        "learning/section_detail.html",
        {
            **page,
            "section": section,
            "number": index + 1,
            "previous": sections[index - 1] if index > 0 else None,
            "next": sections[index + 1] if index + 1 < len(sections) else None,
            "is_read": bool(progress and section_id in progress.read_section_ids),
            "breadcrumbs": breadcrumbs(module),
        },
    )


@login_required
@require_POST
@module_view
def section_read(request, module_slug, section_id):
    module = get_module(request, module_slug)
    try:
        progress = progress_services.mark_section_read(
            actor=request.user, module=module, section_id=section_id
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(module)
    sections = progress.version.snapshot["sections"]
    ids = [s["id"] for s in sections]
    position = ids.index(section_id)
    if request.POST.get("then") == "stay" or position + 1 >= len(ids):
        if position + 1 >= len(ids):
            messages.success(
                request, "That was the last section. Well done: see what is left below."
            )
        return redirect(module)
    return redirect("learning:section", module_slug=module.slug, section_id=ids[position + 1])


def _share_unlock(module) -> str:
    """How a member who may not start discussions yet gets to share a reflection."""
    from practica.communities.capabilities import minimum_stage

    stage = minimum_stage(module.community, Capability.START_DISCUSSION)
    label = module.community.stage_label(stage)
    return (
        f"{label}s and above can share a reflection with the community as a discussion; "
        "your trajectory shows how to get there"
    )


@login_required
@module_view
def activity_detail(request, module_slug, activity_id):
    module = get_module(request, module_slug)
    progress, version = _version_for(request, module)
    activity = version.activity(activity_id)
    if activity is None:
        raise Http404("No such activity in this module.")
    existing = (
        Reflection.objects.filter(progress=progress, activity_id=activity_id)
        .select_related("shared_thread__community")
        .first()
        if progress
        else None
    )
    form = ReflectionForm(initial={"text": existing.text if existing else ""})
    if request.method == "POST":
        form = ReflectionForm(request.POST)
        if form.is_valid():
            try:
                progress_services.save_reflection(
                    actor=request.user,
                    module=module,
                    activity_id=activity_id,
                    text=form.cleaned_data["text"],
                    confirm_guard=form.guard_confirmed,
                )
            except ValidationError as error:
                apply_service_error(form, error, field="text")
            else:
                messages.success(request, "Your reflection is saved. Only you can see it.")
                return redirect(
                    "learning:activity", module_slug=module.slug, activity_id=activity_id
                )
    page = querysets.module_page(request.user, module)
    may_start = bool(
        module.community
        and can(request.user, Capability.START_DISCUSSION, community=module.community)
    )
    mentors = (
        list(progress_services.active_mentors(mentee=request.user, community=module.community))
        if module.community
        else []
    )
    from_mentees = list(
        progress_services.reflections_shared_with(
            mentor=request.user, module=module, activity_id=activity_id
        )
    )
    return render(
        request,
        "learning/activity_detail.html",
        {
            **page,
            "activity": activity,
            "form": form,
            "reflection": existing,
            "can_share": bool(existing and module.community and may_start),
            "can_start_discussion": may_start,
            "mentors": mentors,
            "from_mentees": from_mentees,
            "share_unlock": _share_unlock(module) if module.community and not may_start else "",
            "confirm_share": request.GET.get("confirm_share") == "1",
            "breadcrumbs": breadcrumbs(module),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@module_view
def activity_share(request, module_slug, activity_id):
    """Share a saved reflection with the community as a discussion, after the guard."""
    module = get_module(request, module_slug)
    url = reverse(
        "learning:activity", kwargs={"module_slug": module.slug, "activity_id": activity_id}
    )
    try:
        reflection = progress_services.share_reflection(
            actor=request.user,
            module=module,
            activity_id=activity_id,
            confirm_guard=request.POST.get("confirm_guard") == "1",
        )
    except PatientDataFound as found:
        keep_log(found)
        messages.error(request, found.message)
        if not found.blocked:
            return redirect(f"{url}?confirm_share=1")
        return redirect(url)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(url)
    messages.success(request, "Your reflection is now a discussion in the community.")
    return redirect(reflection.shared_thread.get_absolute_url())


@login_required
@require_POST
@module_view
def activity_share_with_mentors(request, module_slug, activity_id):
    """Let the member's mentors read a saved reflection (or, with stop=1, no longer)."""
    module = get_module(request, module_slug)
    shared = request.POST.get("stop") != "1"
    try:
        progress_services.share_reflection_with_mentors(
            actor=request.user, module=module, activity_id=activity_id, shared=shared
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Your mentors can read this reflection now."
            if shared
            else "Your mentors can no longer read this reflection.",
        )
    return redirect("learning:activity", module_slug=module.slug, activity_id=activity_id)


@login_required
def record(request):
    return render(
        request,
        "learning/record.html",
        {
            "completed": querysets.completed_record(request.user),
            "breadcrumbs": breadcrumbs(),
        },
    )


urlpatterns = [
    path("", my_learning, name="my-learning"),
    path("record/", record, name="record"),
    path("<slug:module_slug>/", module_detail, name="module"),
    path("<slug:module_slug>/continue/", module_continue, name="module-continue"),
    path("<slug:module_slug>/sections/<int:section_id>/", section_detail, name="section"),
    path("<slug:module_slug>/sections/<int:section_id>/read/", section_read, name="section-read"),
    path("<slug:module_slug>/activities/<int:activity_id>/", activity_detail, name="activity"),
    path(
        "<slug:module_slug>/activities/<int:activity_id>/share/",
        activity_share,
        name="activity-share",
    ),
    path(
        "<slug:module_slug>/activities/<int:activity_id>/share-with-mentors/",
        activity_share_with_mentors,
        name="activity-share-mentors",
    ),
]
