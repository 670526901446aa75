"""The assessment: its page, starting an attempt, the attempt form and its result."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from practica.learning import querysets
from practica.learning.access import require_take
from practica.learning.models import Attempt, QuestionKind
from practica.learning.services.assessment import (
    ANSWERS,
    SCORE_ONLY,
    AnswersRejected,
    AttemptRefused,
    blank_questions,
    clean_answers,
    review_level,
    start_attempt,
    submit_attempt,
)
from practica.learning.views.common import breadcrumbs, get_module, module_view


@login_required
@module_view
def assessment_detail(request, module_slug):
    module = get_module(request, module_slug)
    page = querysets.module_page(request.user, module)
    if page["assessment"] is None:
        raise Http404("This module has no assessment.")
    return render(
        request,
        "learning/assessment_detail.html",
        {**page, "breadcrumbs": breadcrumbs(module)},
    )


@login_required
@require_POST
@module_view
def attempt_start(request, module_slug):
    module = get_module(request, module_slug)
    try:
        attempt = start_attempt(actor=request.user, module=module)
    except AttemptRefused as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("learning:assessment", module_slug=module.slug)
    return redirect(attempt.get_absolute_url())


def questions_to_answer(attempt: Attempt, answers: dict | None = None) -> list[dict]:
    """The drawn questions as the attempt form shows them: text and options, no answers.

    Only what the learner may see goes in here. `answers` (what they already chose or
    typed) is put back so that a refused submission loses nothing.
    """
    answers = answers or {}
    questions = attempt.version.questions()
    shown = []
    for number, drawn in enumerate(attempt.draw, start=1):
        question = questions[drawn["question"]]
        texts = {o["id"]: o["text"] for o in question["options"]}
        chosen = answers.get(str(drawn["question"]))
        shown.append(
            {
                "id": drawn["question"],
                "number": number,
                "kind": question["kind"],
                "kind_label": QuestionKind(question["kind"]).label,
                "text": question["text"],
                "options": [
                    {"id": oid, "text": texts[oid], "chosen": oid in (chosen or [])}
                    for oid in drawn["options"]
                    if oid in texts
                ],
                "typed": chosen if isinstance(chosen, str) else "",
            }
        )
    return shown


def reviewed_questions(attempt: Attempt, level: str = ANSWERS) -> list[dict]:
    """The drawn questions after scoring, with only what `level` allows: which were right
    (MARKS), and also the correct answers and their feedback (ANSWERS). Nothing at all for
    SCORE_ONLY. What is not allowed is left out here, so no template can show it."""
    if level == SCORE_ONLY:
        return []
    reveal = level == ANSWERS
    questions = attempt.version.questions()
    reviewed = []
    for number, drawn in enumerate(attempt.draw, start=1):
        key = str(drawn["question"])
        question = questions[drawn["question"]]
        answer = attempt.answers.get(key)
        options = {o["id"]: o for o in question["options"]}
        correct = bool(attempt.marks.get(key))
        reviewed.append(
            {
                "number": number,
                "kind": question["kind"],
                "text": question["text"],
                # Feedback says why an answer is right: only where that gives nothing away.
                "feedback": question["feedback"] if reveal or correct else "",
                "correct": correct,
                "options": [
                    {
                        "text": options[oid]["text"],
                        "is_correct": options[oid]["correct"] if reveal else False,
                        "chosen": oid in (answer or []) if not isinstance(answer, str) else False,
                    }
                    for oid in drawn["options"]
                    if oid in options
                ],
                "typed": answer if isinstance(answer, str) else "",
                "accepted": question["accepted"] if reveal else [],
            }
        )
    return reviewed


def _posted_answers(request) -> dict[str, list[str]]:
    return {name: request.POST.getlist(name) for name in request.POST if name.startswith("q-")}


def _keepable(attempt: Attempt, raw: dict[str, list[str]]) -> dict:
    """What of a refused submission still fits the attempt, to show it again."""
    kept: dict = {}
    drawn = {str(d["question"]): d for d in attempt.draw}
    questions = attempt.version.questions()
    for name, values in raw.items():
        key = name[2:]
        if key not in drawn:
            continue
        if questions[int(key)]["kind"] == QuestionKind.SHORT:
            kept[key] = (values[0] if values else "")[:2000]
        else:
            allowed = set(drawn[key]["options"])
            kept[key] = [int(v) for v in values if v.isdigit() and int(v) in allowed]
    return kept


@login_required
@module_view
def attempt_detail(request, module_slug, attempt_id):
    module = get_module(request, module_slug)
    attempt = get_object_or_404(
        Attempt.objects.select_related("assessment", "version"),
        pk=attempt_id,
        user=request.user,
        assessment__module=module,
    )
    context = {
        "module": module,
        "attempt": attempt,
        "assessment": attempt.assessment,
        "breadcrumbs": breadcrumbs(
            module,
            ("Assessment", module.get_absolute_url() + "assessment/"),
        ),
    }
    status = 200
    if request.method == "POST":
        raw = _posted_answers(request)
        try:
            if not attempt.is_submitted and "confirm_blank" not in request.POST:
                clean_answers(attempt, raw)  # tampering is refused before anything else
                blank = blank_questions(attempt, raw)
                if blank or "back" in request.POST:
                    # Unanswered questions: ask first, on a page of its own (no JS needed).
                    require_take(request.user, module)
                    context["questions"] = questions_to_answer(attempt, _keepable(attempt, raw))
                    if "back" in request.POST:
                        return render(request, "learning/attempt_form.html", context)
                    context["blank"] = [q for q in context["questions"] if q["number"] in blank]
                    context["carried"] = [(n, v) for n, values in raw.items() for v in values]
                    return render(request, "learning/attempt_confirm.html", context)
            submission = submit_attempt(actor=request.user, attempt_id=attempt.pk, raw_answers=raw)
        except AnswersRejected as rejected:
            context["error"] = " ".join(rejected.messages)
            context["questions"] = questions_to_answer(attempt, _keepable(attempt, raw))
            return render(request, "learning/attempt_form.html", context, status=400)
        if submission.replayed:
            messages.info(
                request,
                "This attempt was already submitted, so it was not scored again. Here is its result.",
            )
        return redirect(attempt.get_absolute_url())
    if not attempt.is_submitted:
        require_take(request.user, module)
        context["questions"] = questions_to_answer(attempt)
        return render(request, "learning/attempt_form.html", context, status=status)
    page = querysets.module_page(request.user, module)
    level = review_level(attempt.assessment, attempt, page["standing"])
    context.update(
        {
            "level": level,
            "questions": reviewed_questions(attempt, level),
            "standing": page["standing"],
            "pass_mark": attempt.assessment.pass_mark,
        }
    )
    return render(request, "learning/attempt_result.html", context)


urlpatterns = [
    path("<slug:module_slug>/assessment/", assessment_detail, name="assessment"),
    path("<slug:module_slug>/assessment/start/", attempt_start, name="attempt-start"),
    path(
        "<slug:module_slug>/assessment/attempts/<int:attempt_id>/",
        attempt_detail,
        name="attempt",
    ),
]
