"""“Send us your comments”, and the owners' list of what came in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from practica.learning import querysets
from practica.learning.access import can_author, require_author
from practica.learning.forms import FeedbackForm
from practica.learning.models import Feedback
from practica.learning.services.feedback import mark_feedback_handled, send_feedback
from practica.learning.views.common import breadcrumbs, get_module, module_view
from practica.privacy.forms import apply_service_error


@login_required
@module_view
def feedback_new(request, module_slug):
    module = get_module(request, module_slug)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            send_feedback(
                actor=request.user,
                module=module,
                text=form.cleaned_data["text"],
                confirm_guard=form.guard_confirmed,
            )
        except ValidationError as error:
            apply_service_error(form, error, field="text")
        else:
            messages.success(
                request, "Thank you: your comments are on their way to the module’s authors."
            )
            return redirect(module)
    return render(
        request,
        "learning/feedback_form.html",
        {
            "module": module,
            "form": form,
            "can_author": can_author(request.user, module),
            "breadcrumbs": breadcrumbs(module),
        },
        status=400 if form.errors else 200,
    )


@login_required
def feedback_list(request, module_slug):
    module = get_module(request, module_slug, live=False)
    require_author(request.user, module)
    return render(
        request,
        "learning/feedback_list.html",
        {
            "module": module,
            "feedback": querysets.feedback_for(module),
            "breadcrumbs": breadcrumbs(module if module.is_live else None),
        },
    )


@login_required
@require_POST
def feedback_handle(request, module_slug, feedback_id):
    module = get_module(request, module_slug, live=False)
    item = get_object_or_404(
        Feedback.objects.select_related("module"), module=module, pk=feedback_id
    )
    handled = request.POST.get("handled", "1") == "1"
    mark_feedback_handled(actor=request.user, feedback=item, handled=handled)
    messages.success(
        request, "Marked as handled." if handled else "Moved back to the open comments."
    )
    return redirect("learning:feedback-list", module_slug=module.slug)


urlpatterns = [
    path("<slug:module_slug>/comments/", feedback_new, name="feedback"),
    path("<slug:module_slug>/comments/received/", feedback_list, name="feedback-list"),
    path(
        "<slug:module_slug>/comments/<int:feedback_id>/handled/",
        feedback_handle,
        name="feedback-handle",
    ),
]
