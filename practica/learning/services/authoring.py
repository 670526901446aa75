"""Writing modules: the draft rows, publishing them as a version, and unpublishing.

Stewards and full members of a community author its modules (AUTHOR_MODULE); staff author
organisation-wide ones. Every function checks that first.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from practica.learning.access import require_author, require_author_in
from practica.learning.models import (
    Activity,
    Assessment,
    Module,
    ModuleVersion,
    Option,
    Question,
    QuestionKind,
    Reading,
    ReviewShows,
    Section,
)
from practica.markdown import render_markdown
from practica.privacy.guard import changed_texts, screen

DRAFT_MODELS = {"section": Section, "activity": Activity, "reading": Reading}


def unique_slug(model, base: str, *, exclude_pk: int | None = None) -> str:
    base = (slugify(base) or "module")[:70]
    slug, n = base, 2
    qs = model.objects.all()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(slug=slug).exists() or slug in {"new", "record", "badges"}:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _touch(module: Module) -> None:
    module.updated_at = timezone.now()
    module.save(update_fields=["updated_at"])


def create_module(
    *,
    actor,
    community,
    title: str,
    overview: str,
    outcomes: str = "",
    estimated_minutes: int = 30,
    slug: str = "",
    confirm_guard: bool = False,
) -> Module:
    """A new, unpublished module owned by `actor`. Raises PatientDataFound (privacy.guard)."""
    require_author_in(actor, community)
    screening = screen(
        actor=actor,
        community=community,
        where="module",
        texts={"title": title, "overview": overview, "outcomes": outcomes},
        confirmed=confirm_guard,
    )
    with transaction.atomic():
        module = Module(
            community=community,
            title=title,
            slug=slug or unique_slug(Module, title),
            overview=overview,
            outcomes=outcomes,
            estimated_minutes=estimated_minutes,
        )
        module.full_clean()
        module.save()
        module.owners.add(actor)
        screening.record(module)
    return module


def update_module(
    *,
    actor,
    module: Module,
    title: str,
    overview: str,
    outcomes: str,
    estimated_minutes: int,
    confirm_guard: bool = False,
    topics: list | None = None,
) -> Module:
    """Change what a module says; `topics` (of its community) tag it when given."""
    require_author(actor, module)
    screening = screen(
        actor=actor,
        community=module.community,
        where="module",
        texts=changed_texts(module, {"title": title, "overview": overview, "outcomes": outcomes}),
        confirmed=confirm_guard,
    )
    with transaction.atomic():
        module.title = title
        module.overview = overview
        module.outcomes = outcomes
        module.estimated_minutes = estimated_minutes
        module.updated_at = timezone.now()
        module.full_clean()
        module.save()
        if topics is not None and module.community_id:
            module.topics.set([t for t in topics if t.community_id == module.community_id])
        screening.record(module)
    return module


def save_part(
    *,
    actor,
    module: Module,
    kind: str,
    part_id: int | None = None,
    confirm_guard: bool = False,
    **fields,
):
    """Create or update a section, activity or reading entry of the draft.

    Raises PatientDataFound for what it writes (see privacy.guard)."""
    require_author(actor, module)
    model = DRAFT_MODELS[kind]
    existing = model.objects.filter(module=module, pk=part_id).first() if part_id else None
    screening = screen(
        actor=actor,
        community=module.community,
        where=f"module {kind}",
        texts=changed_texts(existing, {k: v for k, v in fields.items() if isinstance(v, str)}),
        confirmed=confirm_guard,
    )
    with transaction.atomic():
        if part_id is None:
            last = model.objects.filter(module=module).aggregate(m=Max("position"))["m"]
            part = model(module=module, position=(last or 0) + 1)
        else:
            part = model.objects.select_for_update(of=("self",)).get(module=module, pk=part_id)
        for name, value in fields.items():
            setattr(part, name, value)
        part.full_clean()
        part.save()
        _touch(module)
        screening.record(part)
    return part


def set_glossary_terms(*, actor, module: Module, term_ids: list[int]) -> int:
    """Name the community glossary terms the module uses; only its own community's count."""
    require_author(actor, module)
    from practica.library.models import GlossaryTerm

    if module.community_id is None:
        raise ValidationError(
            "Organisation-wide modules have no community glossary to draw terms from."
        )
    with transaction.atomic():
        terms = GlossaryTerm.objects.filter(community_id=module.community_id, pk__in=term_ids)
        module.glossary_terms.set(terms)
        _touch(module)
    return len(terms)


def delete_part(*, actor, module: Module, kind: str, part_id: int) -> None:
    require_author(actor, module)
    with transaction.atomic():
        DRAFT_MODELS[kind].objects.filter(module=module, pk=part_id).delete()
        _touch(module)


def move_part(*, actor, module: Module, kind: str, part_id: int, direction: int) -> None:
    """Swap a part with its neighbour (direction -1 up, +1 down), renumbering all of them."""
    require_author(actor, module)
    with transaction.atomic():
        parts = list(
            DRAFT_MODELS[kind].objects.select_for_update(of=("self",)).filter(module=module)
        )
        index = next((i for i, p in enumerate(parts) if p.pk == part_id), None)
        if index is None:
            return
        other = index + direction
        if 0 <= other < len(parts):
            parts[index], parts[other] = parts[other], parts[index]
        for position, part in enumerate(parts, start=1):
            if part.position != position:
                part.position = position
                part.save(update_fields=["position"])
        _touch(module)


def save_assessment(
    *,
    actor,
    module: Module,
    title: str,
    questions_per_attempt: int,
    pass_mark: int,
    attempt_limit: int,
    cooldown_minutes: int,
    review_shows: str = ReviewShows.WRONG,
    slug: str = "",
) -> Assessment:
    """Create or update the module's assessment. The slug, once set, never changes:
    progression criteria name the assessment by it."""
    require_author(actor, module)
    with transaction.atomic():
        assessment = Assessment.objects.filter(module=module).first()
        if assessment is None:
            assessment = Assessment(
                module=module, slug=slug or unique_slug(Assessment, module.slug)
            )
        assessment.title = title
        assessment.questions_per_attempt = questions_per_attempt
        assessment.pass_mark = pass_mark
        assessment.attempt_limit = attempt_limit
        assessment.cooldown_minutes = cooldown_minutes
        assessment.review_shows = review_shows
        assessment.full_clean()
        assessment.save()
        _touch(module)
    return assessment


def check_question(kind: str, options: list[tuple[str, bool]], accepted_answers: list[str]) -> None:
    """Raise ValidationError unless the answers suit the kind of question."""
    correct = sum(1 for _, is_correct in options if is_correct)
    if kind == QuestionKind.SHORT:
        if not accepted_answers:
            raise ValidationError("List at least one accepted answer, one a line.")
        return
    if len(options) < 2:
        raise ValidationError("Give at least two options, one a line.")
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and correct != 1:
        raise ValidationError("Mark exactly one option as correct, with a * at its start.")
    if kind == QuestionKind.MULTIPLE and correct < 1:
        raise ValidationError("Mark at least one option as correct, with a * at its start.")


def save_question(
    *,
    actor,
    assessment: Assessment,
    kind: str,
    text: str,
    feedback: str,
    options: list[tuple[str, bool]] = (),
    accepted_answers: list[str] = (),
    question_id: int | None = None,
) -> Question:
    """Create or replace a question of the bank with its options or accepted answers."""
    require_author(actor, assessment.module)
    options = [] if kind == QuestionKind.SHORT else list(options)
    accepted_answers = list(accepted_answers) if kind == QuestionKind.SHORT else []
    check_question(kind, options, accepted_answers)
    with transaction.atomic():
        if question_id is None:
            last = assessment.questions.aggregate(m=Max("position"))["m"]
            question = Question(assessment=assessment, position=(last or 0) + 1)
        else:
            question = Question.objects.select_for_update(of=("self",)).get(
                assessment=assessment, pk=question_id
            )
        question.kind = kind
        question.text = text
        question.feedback = feedback
        question.accepted_answers = "\n".join(accepted_answers)
        question.full_clean()
        question.save()
        question.options.all().delete()
        for position, (option_text, is_correct) in enumerate(options, start=1):
            option = Option(
                question=question, position=position, text=option_text, is_correct=is_correct
            )
            option.full_clean()
            option.save()
        _touch(assessment.module)
    return question


def delete_question(*, actor, assessment: Assessment, question_id: int) -> None:
    require_author(actor, assessment.module)
    with transaction.atomic():
        assessment.questions.filter(pk=question_id).delete()
        _touch(assessment.module)


def build_snapshot(module: Module) -> dict:
    """The draft as a learner will see it, rendered once, for a new version."""
    sections = list(module.sections.all())
    glossary_url = (
        reverse("library:glossary", kwargs={"community_slug": module.community.slug})
        if module.community_id
        else ""
    )
    snapshot = {
        "title": module.title,
        "overview_html": render_markdown(module.overview),
        "outcomes": module.outcome_list,
        "estimated_minutes": module.estimated_minutes,
        "sections": [
            {"id": s.pk, "title": s.title, "html": render_markdown(s.body)} for s in sections
        ],
        "activities": [
            {"id": a.pk, "title": a.title, "prompt_html": render_markdown(a.prompt)}
            for a in module.activities.all()
        ],
        "reading": [
            {"citation": r.citation, "url": r.url, "note": r.note} for r in module.readings.all()
        ],
        "glossary": [
            {
                "term": t.term,
                "definition_html": t.definition_html,
                "url": f"{glossary_url}#{t.anchor}" if glossary_url else "",
            }
            for t in module.glossary_terms.order_by("term")
        ],
        "assessment": None,
    }
    assessment = Assessment.objects.filter(module=module).first()
    if assessment is not None:
        questions = assessment.questions.prefetch_related("options")
        snapshot["assessment"] = {
            "id": assessment.pk,
            "slug": assessment.slug,
            "title": assessment.title,
            "questions": {
                str(q.pk): {
                    "kind": q.kind,
                    "text": q.text,
                    "feedback": q.feedback,
                    "options": [
                        {"id": o.pk, "text": o.text, "correct": o.is_correct}
                        for o in q.options.all()
                    ],
                    "accepted": [a.strip() for a in q.accepted_answers.splitlines() if a.strip()],
                }
                for q in questions
            },
        }
    return snapshot


def check_publishable(module: Module) -> None:
    problems = []
    if not module.sections.exists():
        problems.append("Add at least one section.")
    assessment = Assessment.objects.filter(module=module).first()
    if assessment is not None:
        count = assessment.questions.count()
        if count < assessment.questions_per_attempt:
            problems.append(
                f"The assessment draws {assessment.questions_per_attempt} questions an attempt "
                f"but its bank has {count}: add questions or draw fewer."
            )
    if problems:
        raise ValidationError(problems)


def publish_module(*, actor, module: Module) -> ModuleVersion:
    """Freeze the draft as the next version and make it the one new learners start.

    Learners already on an earlier version keep it (their progress points at it).
    """
    require_author(actor, module)
    given = module
    with transaction.atomic():
        module = Module.objects.select_for_update(of=("self",)).get(pk=module.pk)
        check_publishable(module)
        snapshot = build_snapshot(module)
        last = module.versions.aggregate(m=Max("number"))["m"] or 0
        version = ModuleVersion(
            module=module,
            number=last + 1,
            snapshot=snapshot,
            section_count=len(snapshot["sections"]),
            activity_count=len(snapshot["activities"]),
            has_assessment=snapshot["assessment"] is not None,
            published_by=actor,
        )
        version.full_clean()
        version.save()
        module.current_version = version
        module.is_published = True
        module.save(update_fields=["current_version", "is_published"])
    given.current_version, given.is_published = version, True
    return version


def unpublish_module(*, actor, module: Module) -> Module:
    """Hide the module from learners; their progress and attempts are kept."""
    require_author(actor, module)
    with transaction.atomic():
        module.is_published = False
        module.save(update_fields=["is_published"])
    return module


def republish_module(*, actor, module: Module) -> Module:
    """Show the last published version again without making a new one."""
    require_author(actor, module)
    if module.current_version_id is None:
        raise ValidationError("This module has never been published: publish it first.")
    with transaction.atomic():
        module.is_published = True
        module.save(update_fields=["is_published"])
    return module
