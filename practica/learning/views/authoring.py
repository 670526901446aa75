"""Writing a module: its overview, sections, activities, reading, assessment; publishing."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from practica.communities.capabilities import Capability
from practica.communities.models import Topic
from practica.learning import querysets
from practica.learning.access import can_author_in, require_author, require_author_in
from practica.learning.forms import (
    ActivityForm,
    AssessmentForm,
    GlossaryTermsForm,
    ModuleForm,
    NewModuleForm,
    QuestionForm,
    ReadingForm,
    SectionForm,
    format_options,
)
from practica.learning.models import Assessment, Question, ReviewShows
from practica.learning.services import authoring
from practica.learning.views.common import breadcrumbs, get_module
from practica.privacy.forms import apply_service_error
from practica.words import counted

PART_FORMS = {"section": SectionForm, "activity": ActivityForm, "reading": ReadingForm}
PART_LABELS = {"section": "section", "activity": "learning activity", "reading": "further reading"}


def _apply_errors(form, error: ValidationError) -> None:
    apply_service_error(form, error)


def _editable(request, module_slug):
    module = get_module(request, module_slug, live=False)
    require_author(request.user, module)
    return module


@login_required
def module_new(request):
    communities = querysets.communities_where(request.user, Capability.AUTHOR_MODULE)
    organisation_wide = can_author_in(request.user, None)
    if not communities and not organisation_wide:
        require_author_in(request.user, None)
    form = NewModuleForm(
        request.POST or None,
        communities=communities,
        organisation_wide=organisation_wide,
        initial={"where": request.GET.get("community", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = next((c for c in communities if str(c.pk) == data["where"]), None)
        try:
            module = authoring.create_module(
                actor=request.user,
                community=community,
                title=data["title"],
                overview=data["overview"],
                outcomes=data["outcomes"],
                estimated_minutes=data["estimated_minutes"],
                confirm_guard=form.guard_confirmed,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Module created. Add its sections, then publish it.")
            return redirect("learning:module-edit", module_slug=module.slug)
    return render(
        request,
        "learning/module_new.html",
        {"form": form, "breadcrumbs": breadcrumbs()},
        status=400 if form.errors else 200,
    )


@login_required
def module_edit(request, module_slug):
    module = _editable(request, module_slug)
    form = ModuleForm(
        request.POST or None,
        initial={
            "title": module.title,
            "overview": module.overview,
            "outcomes": module.outcomes,
            "estimated_minutes": module.estimated_minutes,
            "topics": list(module.topics.all()),
        },
    )
    if module.community_id:
        form.fields["topics"] = forms.ModelMultipleChoiceField(
            queryset=Topic.objects.filter(community_id=module.community_id).order_by("name"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="The community's topics it is about; its topic pages list it.",
        )
    if request.method == "POST" and form.is_valid():
        try:
            authoring.update_module(
                actor=request.user,
                module=module,
                confirm_guard=form.guard_confirmed,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Saved. Publish to let learners see the change.")
            return redirect("learning:module-edit", module_slug=module.slug)
    assessment = Assessment.objects.filter(module=module).first()
    questions = list(assessment.questions.prefetch_related("options")) if assessment else []
    glossary_form = None
    if module.community_id:
        from practica.library.models import GlossaryTerm

        glossary_form = GlossaryTermsForm(
            terms=GlossaryTerm.objects.filter(community_id=module.community_id),
            initial={
                "terms": [str(pk) for pk in module.glossary_terms.values_list("pk", flat=True)]
            },
        )
    return render(
        request,
        "learning/module_edit.html",
        {
            "module": module,
            "form": form,
            "sections": list(module.sections.all()),
            "activities": list(module.activities.all()),
            "readings": list(module.readings.all()),
            "assessment": assessment,
            "questions": questions,
            "glossary_form": glossary_form,
            "versions": list(module.versions.defer("snapshot").select_related("published_by")[:10]),
            "breadcrumbs": breadcrumbs(module if module.is_live else None),
        },
        status=400 if form.errors else 200,
    )


@login_required
def part_form(request, module_slug, kind, part_id=None):
    if kind not in PART_FORMS:
        raise Http404("No such part of a module.")
    module = _editable(request, module_slug)
    model = authoring.DRAFT_MODELS[kind]
    part = get_object_or_404(model, module=module, pk=part_id) if part_id else None
    form_class = PART_FORMS[kind]
    initial = {name: getattr(part, name) for name in form_class.base_fields} if part else {}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.save_part(
                actor=request.user,
                module=module,
                kind=kind,
                part_id=part_id,
                confirm_guard=form.guard_confirmed,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"The {PART_LABELS[kind]} is saved.")
            return redirect("learning:module-edit", module_slug=module.slug)
    return render(
        request,
        "learning/part_form.html",
        {
            "module": module,
            "form": form,
            "kind": kind,
            "label": PART_LABELS[kind],
            "part": part,
            "breadcrumbs": breadcrumbs(
                None, ("Edit " + module.title, module.get_absolute_url() + "edit/")
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def glossary_terms(request, module_slug):
    module = _editable(request, module_slug)
    try:
        count = authoring.set_glossary_terms(
            actor=request.user,
            module=module,
            term_ids=[int(v) for v in request.POST.getlist("terms") if v.isdigit()],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{counted(count, 'glossary term')} linked to the module.")
    return redirect("learning:module-edit", module_slug=module.slug)


@login_required
@require_POST
def part_delete(request, module_slug, kind, part_id):
    if kind not in PART_FORMS:
        raise Http404("No such part of a module.")
    module = _editable(request, module_slug)
    authoring.delete_part(actor=request.user, module=module, kind=kind, part_id=part_id)
    messages.success(request, f"The {PART_LABELS[kind]} is removed from the draft.")
    return redirect("learning:module-edit", module_slug=module.slug)


@login_required
@require_POST
def part_move(request, module_slug, kind, part_id):
    if kind not in PART_FORMS:
        raise Http404("No such part of a module.")
    module = _editable(request, module_slug)
    direction = -1 if request.POST.get("direction") == "up" else 1
    authoring.move_part(
        actor=request.user, module=module, kind=kind, part_id=part_id, direction=direction
    )
    return redirect("learning:module-edit", module_slug=module.slug)


@login_required
def assessment_edit(request, module_slug):
    module = _editable(request, module_slug)
    assessment = Assessment.objects.filter(module=module).first()
    initial = (
        {name: getattr(assessment, name) for name in AssessmentForm.base_fields}
        if assessment
        else {
            "title": f"{module.title}: assessment",
            "questions_per_attempt": 10,
            "pass_mark": 75,
            "attempt_limit": 3,
            "cooldown_minutes": 60,
            "review_shows": ReviewShows.WRONG,
        }
    )
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.save_assessment(actor=request.user, module=module, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The assessment settings are saved.")
            return redirect("learning:module-edit", module_slug=module.slug)
    return render(
        request,
        "learning/assessment_form.html",
        {
            "module": module,
            "form": form,
            "assessment": assessment,
            "breadcrumbs": breadcrumbs(
                None, ("Edit " + module.title, module.get_absolute_url() + "edit/")
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
def question_form(request, module_slug, question_id=None):
    module = _editable(request, module_slug)
    assessment = Assessment.objects.filter(module=module).first()
    if assessment is None:
        messages.error(request, "Set up the assessment before adding questions.")
        return redirect("learning:assessment-edit", module_slug=module.slug)
    question = (
        get_object_or_404(
            Question.objects.prefetch_related("options"), assessment=assessment, pk=question_id
        )
        if question_id
        else None
    )
    initial = (
        {
            "kind": question.kind,
            "text": question.text,
            "feedback": question.feedback,
            "answers": format_options(question),
        }
        if question
        else {}
    )
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            authoring.save_question(
                actor=request.user,
                assessment=assessment,
                kind=data["kind"],
                text=data["text"],
                feedback=data["feedback"],
                options=data["options"],
                accepted_answers=data["accepted"],
                question_id=question_id,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "The question is saved.")
            if "another" in request.POST:
                return redirect("learning:question-new", module_slug=module.slug)
            return redirect("learning:module-edit", module_slug=module.slug)
    return render(
        request,
        "learning/question_form.html",
        {
            "module": module,
            "form": form,
            "question": question,
            "breadcrumbs": breadcrumbs(
                None, ("Edit " + module.title, module.get_absolute_url() + "edit/")
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def question_delete(request, module_slug, question_id):
    module = _editable(request, module_slug)
    assessment = get_object_or_404(Assessment, module=module)
    authoring.delete_question(actor=request.user, assessment=assessment, question_id=question_id)
    messages.success(request, "The question is removed from the bank.")
    return redirect("learning:module-edit", module_slug=module.slug)


@login_required
@require_POST
def module_publish(request, module_slug):
    module = _editable(request, module_slug)
    try:
        version = authoring.publish_module(actor=request.user, module=module)
    except ValidationError as error:
        messages.error(request, "Not published yet: " + " ".join(error.messages))
        return redirect("learning:module-edit", module_slug=module.slug)
    messages.success(
        request,
        f"Version {version.number} is published. Learners who started an earlier version keep it until they finish.",
    )
    return redirect(module)


@login_required
@require_POST
def module_unpublish(request, module_slug):
    module = _editable(request, module_slug)
    authoring.unpublish_module(actor=request.user, module=module)
    messages.success(
        request, "Unpublished: learners can no longer open the module. Their progress is kept."
    )
    return redirect("learning:module-edit", module_slug=module.slug)


urlpatterns = [
    path("new/", module_new, name="module-new"),
    path("<slug:module_slug>/edit/", module_edit, name="module-edit"),
    path("<slug:module_slug>/edit/assessment/", assessment_edit, name="assessment-edit"),
    path("<slug:module_slug>/edit/glossary/", glossary_terms, name="glossary-terms"),
    path("<slug:module_slug>/edit/questions/new/", question_form, name="question-new"),
    path(
        "<slug:module_slug>/edit/questions/<int:question_id>/", question_form, name="question-edit"
    ),
    path(
        "<slug:module_slug>/edit/questions/<int:question_id>/delete/",
        question_delete,
        name="question-delete",
    ),
    path("<slug:module_slug>/edit/<str:kind>/new/", part_form, name="part-new"),
    path("<slug:module_slug>/edit/<str:kind>/<int:part_id>/", part_form, name="part-edit"),
    path(
        "<slug:module_slug>/edit/<str:kind>/<int:part_id>/delete/", part_delete, name="part-delete"
    ),
    path("<slug:module_slug>/edit/<str:kind>/<int:part_id>/move/", part_move, name="part-move"),
    path("<slug:module_slug>/publish/", module_publish, name="module-publish"),
    path("<slug:module_slug>/unpublish/", module_unpublish, name="module-unpublish"),
]
