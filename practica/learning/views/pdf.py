"""PDFs: a module (its page's URL + .pdf) and a learner's record of completed modules."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import path
from django.utils import timezone

from practica.learning import querysets
from practica.learning.pdf import render_pdf
from practica.learning.views.common import get_module, module_view
from practica.site import site_url


@login_required
@module_view
def module_pdf(request, module_slug):
    module = get_module(request, module_slug)
    page = querysets.module_page(request.user, module)
    return render_pdf(
        "learning/pdf/module.html",
        {**page, "generated_at": timezone.now(), "site_url": site_url() + "/"},
        filename=f"{module.slug}.pdf",
        request=request,
    )


@login_required
def record_pdf(request):
    return render_pdf(
        "learning/pdf/record.html",
        {
            "completed": querysets.completed_record(request.user),
            "learner": request.user,
            "generated_at": timezone.now(),
            "site_url": site_url() + "/",
        },
        filename="learning-record.pdf",
        request=request,
    )


urlpatterns = [
    path("record.pdf", record_pdf, name="record-pdf"),
    path("<slug:module_slug>.pdf", module_pdf, name="module-pdf"),
]
