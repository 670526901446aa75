"""Sitting an assessment: drawing an attempt, and scoring it once on the server.

The attempt page shows only the drawn questions and their options in the drawn order;
which options are correct, the accepted short answers and the feedback stay here until
the attempt is submitted. Submitting locks the attempt row, so a replayed or doubled
submission finds it already scored and gets the same result back.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from practica.learning.access import require_take
from practica.learning.models import (
    Assessment,
    Attempt,
    Module,
    ModuleProgress,
    QuestionKind,
    ReviewShows,
)
from practica.learning.progression import reevaluate_after_pass
from practica.learning.services.progress import refresh_completion, start_module
from practica.words import counted

SHORT_ANSWER_MAX_CHARS = 500
_SPACE = re.compile(r"\s+")


class AttemptRefused(ValidationError):
    """No attempt may be started now: the reason says why and when that changes."""


class AnswersRejected(ValidationError):
    """The submitted answers don't fit the attempt; nothing was scored."""


def normalise_answer(text: str) -> str:
    """Short answers match whatever their case and spacing."""
    return _SPACE.sub("", text or "").casefold()


@dataclass(frozen=True)
class Standing:
    """Where a learner stands with an assessment: what they used, and what comes next."""

    used: int
    limit: int
    passed_attempt: Attempt | None
    open_attempt: Attempt | None
    next_allowed_at: object | None
    refusal: str

    @property
    def remaining(self) -> int | None:
        return None if not self.limit else max(self.limit - self.used, 0)


def standing_in(assessment: Assessment, user, attempts: list[Attempt] | None = None) -> Standing:
    """The learner's standing, from their attempts (loaded here unless given)."""
    if attempts is None:
        attempts = list(Attempt.objects.filter(assessment=assessment, user=user))
    submitted = [a for a in attempts if a.is_submitted]
    passed = next((a for a in submitted if a.passed), None)
    open_attempt = next((a for a in attempts if not a.is_submitted), None)
    last = max(submitted, key=lambda a: a.submitted_at, default=None)
    next_allowed = None
    refusal = ""
    if passed is not None:
        refusal = (
            f"You passed this assessment on {date_format(timezone.localtime(passed.submitted_at), 'j F Y')}"
            f" with {passed.percent}%. There is no need to sit it again."
        )
    elif assessment.attempt_limit and len(submitted) >= assessment.attempt_limit:
        refusal = (
            f"You have used all {assessment.attempt_limit} attempts at this assessment. "
            "Ask a steward of the community if you need another."
        )
    elif last is not None and assessment.cooldown_minutes:
        next_allowed = last.submitted_at + timedelta(minutes=assessment.cooldown_minutes)
        if next_allowed > timezone.now():
            minutes = max(1, int((next_allowed - timezone.now()).total_seconds() // 60) + 1)
            refusal = (
                f"Take a break before the next attempt: you can start it at "
                f"{date_format(timezone.localtime(next_allowed), 'H:i')}, in about "
                f"{counted(minutes, 'minute')}. Re-reading the sections meanwhile helps."
            )
        else:
            next_allowed = None
    return Standing(
        used=len(submitted),
        limit=assessment.attempt_limit,
        passed_attempt=passed,
        open_attempt=open_attempt,
        next_allowed_at=next_allowed,
        refusal=refusal,
    )


# How much an attempt's review shows.
SCORE_ONLY, MARKS, ANSWERS = "score", "marks", "answers"


def review_level(assessment: Assessment, attempt: Attempt, standing: Standing) -> str:
    """What the review of `attempt` may show, by the author's choice (`review_shows`):
    the score only, which questions were right or wrong, or also the correct answers and
    their feedback. A passed attempt shows at least which were wrong."""
    shows = assessment.review_shows
    passed = standing.passed_attempt is not None or attempt.passed
    if shows == ReviewShows.AFTER_PASS and passed:
        return ANSWERS
    if shows == ReviewShows.AFTER_LAST and (
        passed or (assessment.attempt_limit and standing.used >= assessment.attempt_limit)
    ):
        return ANSWERS
    if shows == ReviewShows.NOTHING and not attempt.passed:
        return SCORE_ONLY
    return MARKS


def blank_questions(attempt: Attempt, raw: dict[str, list[str]]) -> list[int]:
    """The numbers (1, 2…) of the drawn questions `raw` leaves without an answer."""
    blank = []
    for number, drawn in enumerate(attempt.draw, start=1):
        values = [v for v in raw.get(f"q-{drawn['question']}", []) if v.strip()]
        if not values:
            blank.append(number)
    return blank


def draw_questions(questions: dict[int, dict], count: int, rng: random.Random) -> list[dict]:
    """Pick `count` questions in random order, each with its options shuffled."""
    chosen = rng.sample(sorted(questions), min(count, len(questions)))
    draw = []
    for question_id in chosen:
        option_ids = [o["id"] for o in questions[question_id]["options"]]
        if questions[question_id]["kind"] != QuestionKind.TRUE_FALSE:
            rng.shuffle(option_ids)
        draw.append({"question": question_id, "options": option_ids})
    return draw


def start_attempt(*, actor, module: Module, rng: random.Random | None = None) -> Attempt:
    """The learner's open attempt, or a new one drawn from the version they are on."""
    require_take(actor, module)
    assessment = Assessment.objects.filter(module=module).first()
    progress = start_module(actor=actor, module=module)
    if assessment is None or not progress.version.has_assessment:
        raise AttemptRefused("This module has no assessment.")
    with transaction.atomic():
        # Lock the learner's progress row: two clicks on "Start" make one attempt.
        ModuleProgress.objects.select_for_update(of=("self",)).get(pk=progress.pk)
        standing = standing_in(assessment, actor)
        if standing.open_attempt is not None:
            return standing.open_attempt
        if standing.refusal:
            raise AttemptRefused(standing.refusal)
        draw = draw_questions(
            progress.version.questions(),
            assessment.questions_per_attempt,
            rng or random.SystemRandom(),
        )
        attempt = Attempt(
            assessment=assessment,
            user=actor,
            version=progress.version,
            number=standing.used + 1,
            draw=draw,
        )
        attempt.full_clean()
        try:
            with transaction.atomic():
                attempt.save()
        except IntegrityError:
            return Attempt.objects.get(assessment=assessment, user=actor, submitted_at__isnull=True)
    return attempt


def clean_answers(attempt: Attempt, raw: dict[str, list[str]]) -> dict[str, object]:
    """The submitted answers keyed by question id, or AnswersRejected if tampered with.

    `raw` maps form field names (`q-<question id>`) to their submitted values.
    """
    drawn = {str(d["question"]): d for d in attempt.draw}
    questions = attempt.version.questions()
    answers: dict[str, object] = {}
    for name, values in raw.items():
        if not name.startswith("q-"):
            continue
        question_id = name[2:]
        if question_id not in drawn:
            raise AnswersRejected(
                "Your answers named a question that is not part of this attempt, so nothing "
                "was scored. Check your answers below and submit again."
            )
        kind = questions[int(question_id)]["kind"]
        values = [v for v in values if v != ""]
        if kind == QuestionKind.SHORT:
            text = (values[0] if values else "").strip()
            if len(values) > 1 or len(text) > SHORT_ANSWER_MAX_CHARS:
                raise AnswersRejected(
                    f"A short answer can be at most {SHORT_ANSWER_MAX_CHARS} characters. "
                    "Nothing was scored: shorten it and submit again."
                )
            answers[question_id] = text
            continue
        allowed = {str(o) for o in drawn[question_id]["options"]}
        if any(v not in allowed for v in values) or (
            kind != QuestionKind.MULTIPLE and len(values) > 1
        ):
            raise AnswersRejected(
                "One of your answers is not an option of its question, so nothing was scored. "
                "Check your answers below and submit again."
            )
        answers[question_id] = sorted({int(v) for v in values})
    return answers


def is_correct(question: dict, answer: object) -> bool:
    if question["kind"] == QuestionKind.SHORT:
        given = normalise_answer(answer if isinstance(answer, str) else "")
        return bool(given) and given in {normalise_answer(a) for a in question["accepted"]}
    correct = {o["id"] for o in question["options"] if o["correct"]}
    return set(answer or []) == correct


@dataclass(frozen=True)
class Submission:
    attempt: Attempt
    replayed: bool


def submit_attempt(*, actor, attempt_id: int, raw_answers: dict[str, list[str]]) -> Submission:
    """Score the attempt once. A second submission of the same attempt returns its result."""
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("assessment__module__community", "version")
            .get(pk=attempt_id, user=actor)
        )
        if attempt.is_submitted:
            return Submission(attempt, replayed=True)
        module = attempt.assessment.module
        require_take(actor, module)
        answers = clean_answers(attempt, raw_answers)
        questions = attempt.version.questions()
        marks = {
            str(d["question"]): is_correct(
                questions[d["question"]], answers.get(str(d["question"]))
            )
            for d in attempt.draw
        }
        attempt.answers = answers
        attempt.marks = marks
        attempt.correct = sum(marks.values())
        attempt.percent = round(100 * attempt.correct / len(attempt.draw)) if attempt.draw else 0
        attempt.passed = attempt.percent >= attempt.assessment.pass_mark
        attempt.submitted_at = timezone.now()
        attempt.full_clean()
        attempt.save()
        progress = (
            ModuleProgress.objects.select_for_update(of=("self",))
            .select_related("version")
            .filter(user=actor, module=module)
            .first()
        )
        if progress is not None:
            progress.updated_at = timezone.now()
            progress.save(update_fields=["updated_at"])
            refresh_completion(progress)
        if attempt.passed:
            user_id, slug = actor.pk, attempt.assessment.slug
            transaction.on_commit(
                lambda: reevaluate_after_pass(user_id=user_id, assessment_slug=slug)
            )
    return Submission(attempt, replayed=False)
