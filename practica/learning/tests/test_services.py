import random
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.communities.stages import Stage
from practica.learning.models import Attempt, ModuleProgress, QuestionKind
from practica.learning.services import authoring
from practica.learning.services.assessment import (
    AnswersRejected,
    AttemptRefused,
    is_correct,
    normalise_answer,
    start_attempt,
    submit_attempt,
)
from practica.learning.services.progress import mark_section_read, save_reflection, start_module
from practica.learning.tests.factories import make_module, right_answers, wrong_answers

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("stage", "allowed"),
    [
        (Stage.PERIPHERAL, False),
        (Stage.PARTICIPANT, False),
        (Stage.FULL, True),
        (Stage.STEWARD, True),
    ],
)
def test_only_full_members_and_stewards_author_community_modules(
    community, member_at, stage, allowed
):
    user = member_at(stage)
    if allowed:
        module = authoring.create_module(actor=user, community=community, title="T", overview="O")
        assert list(module.owners.all()) == [user]
    else:
        with pytest.raises(PermissionDenied):
            authoring.create_module(actor=user, community=community, title="T", overview="O")


def test_only_staff_author_organisation_wide_modules(user):
    with pytest.raises(PermissionDenied):
        authoring.create_module(actor=user, community=None, title="T", overview="O")
    user.is_staff = True
    module = authoring.create_module(actor=user, community=None, title="T", overview="O")
    assert module.community is None


def test_publishing_needs_a_section_and_enough_questions(community):
    module = make_module(community=community, sections=0, publish=False)
    author = module.owners.get()
    with pytest.raises(ValidationError, match="at least one section"):
        authoring.publish_module(actor=author, module=module)
    module = make_module(community=community, title="Q", questions=2, per_attempt=5, publish=False)
    with pytest.raises(ValidationError, match="bank has 2"):
        authoring.publish_module(actor=module.owners.get(), module=module)


def test_learner_mid_way_keeps_the_version_they_started(community, member_at):
    module = make_module(community=community)
    author = module.owners.get()
    learner = member_at(Stage.PERIPHERAL)
    first = module.current_version.snapshot["sections"][0]
    mark_section_read(actor=learner, module=module, section_id=first["id"])

    section = module.sections.first()
    authoring.save_part(
        actor=author,
        module=module,
        kind="section",
        part_id=section.pk,
        title="Rewritten",
        body="New text.",
    )
    authoring.save_part(
        actor=author, module=module, kind="section", title="Added later", body="More."
    )
    version_2 = authoring.publish_module(actor=author, module=module)

    progress = ModuleProgress.objects.get(user=learner, module=module)
    assert progress.version.number == 1
    assert progress.version.snapshot["sections"][0]["title"] == "Section 1"
    newcomer = member_at(Stage.PERIPHERAL)
    assert start_module(actor=newcomer, module=module).version == version_2
    assert version_2.snapshot["sections"][0]["title"] == "Rewritten"


def test_reading_everything_completes_a_module_without_assessment(community, member_at):
    module = make_module(community=community, sections=2, activities=1)
    learner = member_at(Stage.PERIPHERAL)
    snapshot = module.current_version.snapshot
    for section in snapshot["sections"]:
        mark_section_read(actor=learner, module=module, section_id=section["id"])
    assert ModuleProgress.objects.get(user=learner).completed_at is None
    save_reflection(
        actor=learner, module=module, activity_id=snapshot["activities"][0]["id"], text="I learnt."
    )
    assert ModuleProgress.objects.get(user=learner).completed_at is not None


def test_a_too_large_reflection_is_refused_with_its_length(community, member_at):
    module = make_module(community=community)
    learner = member_at(Stage.PERIPHERAL)
    activity_id = module.current_version.snapshot["activities"][0]["id"]
    with pytest.raises(ValidationError, match="10,001 characters"):
        save_reflection(actor=learner, module=module, activity_id=activity_id, text="x" * 10_001)


def test_an_attempt_draws_n_questions_and_stores_the_draw(community, member_at):
    module = make_module(community=community, questions=8, per_attempt=5)
    learner = member_at(Stage.PERIPHERAL)
    attempt = start_attempt(actor=learner, module=module, rng=random.Random(1))
    assert len(attempt.draw) == 5
    assert len({d["question"] for d in attempt.draw}) == 5
    for drawn in attempt.draw:
        question = attempt.version.questions()[drawn["question"]]
        assert sorted(drawn["options"]) == sorted(o["id"] for o in question["options"])
    # Starting again while one is open resumes it rather than drawing anew.
    assert start_attempt(actor=learner, module=module) == attempt


def test_draws_differ_between_attempts(community, member_at):
    module = make_module(community=community, questions=12, per_attempt=6, cooldown_minutes=0)
    learner = member_at(Stage.PERIPHERAL)
    first = start_attempt(actor=learner, module=module, rng=random.Random(1))
    submit_attempt(actor=learner, attempt_id=first.pk, raw_answers=wrong_answers(first))
    second = start_attempt(actor=learner, module=module, rng=random.Random(2))
    assert first.draw != second.draw
    assert second.number == 2


def test_correct_answers_pass_and_are_scored_once(community, member_at):
    module = make_module(community=community, questions=4, per_attempt=4)
    learner = member_at(Stage.PERIPHERAL)
    attempt = start_attempt(actor=learner, module=module)
    result = submit_attempt(
        actor=learner, attempt_id=attempt.pk, raw_answers=right_answers(attempt)
    )
    assert not result.replayed
    assert (result.attempt.correct, result.attempt.percent, result.attempt.passed) == (4, 100, True)
    again = submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=wrong_answers(attempt))
    assert again.replayed
    attempt.refresh_from_db()
    assert attempt.percent == 100


def test_pass_mark_is_a_percentage_of_the_drawn_questions(community, member_at):
    module = make_module(community=community, questions=4, per_attempt=4, pass_mark=75)
    learner = member_at(Stage.PERIPHERAL)
    attempt = start_attempt(actor=learner, module=module)
    answers = right_answers(attempt)
    wrong = wrong_answers(attempt)
    first_key = next(iter(answers))
    answers[first_key] = wrong[first_key]
    answers.pop(list(answers)[1])  # an unanswered question counts as wrong
    result = submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=answers)
    assert (result.attempt.correct, result.attempt.percent, result.attempt.passed) == (2, 50, False)


@pytest.mark.parametrize("typed", ["ISBAR", "isbar", "  I S B A R ", "IsBaR"])
def test_short_answers_match_whatever_their_case_and_spacing(typed):
    question = {"kind": QuestionKind.SHORT, "accepted": ["ISBAR", "SBAR"], "options": []}
    assert is_correct(question, typed)
    assert normalise_answer(typed) == "isbar"


def test_multiple_choice_needs_exactly_the_correct_set():
    question = {
        "kind": QuestionKind.MULTIPLE,
        "options": [
            {"id": 1, "correct": True},
            {"id": 2, "correct": True},
            {"id": 3, "correct": False},
        ],
    }
    assert is_correct(question, [1, 2])
    assert not is_correct(question, [1])
    assert not is_correct(question, [1, 2, 3])


def test_unknown_options_are_rejected_and_nothing_is_scored(community, member_at):
    module = make_module(community=community, questions=4, per_attempt=4)
    learner = member_at(Stage.PERIPHERAL)
    attempt = start_attempt(actor=learner, module=module)
    answers = right_answers(attempt)
    choice = next(k for k, v in answers.items() if v[0].isdigit())
    answers[choice] = ["999999"]
    with pytest.raises(AnswersRejected, match="not an option"):
        submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=answers)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.correct is None


def test_questions_not_in_the_attempt_are_rejected(community, member_at):
    module = make_module(community=community, questions=8, per_attempt=4)
    learner = member_at(Stage.PERIPHERAL)
    attempt = start_attempt(actor=learner, module=module)
    outside = next(
        q for q in attempt.version.questions() if q not in {d["question"] for d in attempt.draw}
    )
    answers = {**right_answers(attempt), f"q-{outside}": ["1"]}
    with pytest.raises(AnswersRejected, match="not part of this attempt"):
        submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=answers)
    assert not Attempt.objects.filter(submitted_at__isnull=False).exists()


def test_two_choices_on_a_single_choice_question_are_rejected(community, member_at):
    module = make_module(community=community, questions=3, per_attempt=3)
    learner = member_at(Stage.PERIPHERAL)
    attempt = start_attempt(actor=learner, module=module)
    drawn = attempt.draw[0]
    answers = {f"q-{drawn['question']}": [str(o) for o in drawn["options"][:2]]}
    with pytest.raises(AnswersRejected):
        submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=answers)


def test_the_cool_down_refuses_a_new_attempt_until_it_passes(community, member_at):
    module = make_module(community=community, questions=4, per_attempt=4, cooldown_minutes=60)
    learner = member_at(Stage.PERIPHERAL)
    attempt = start_attempt(actor=learner, module=module)
    submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=wrong_answers(attempt))
    with pytest.raises(AttemptRefused, match="Take a break"):
        start_attempt(actor=learner, module=module)
    Attempt.objects.filter(pk=attempt.pk).update(
        submitted_at=timezone.now() - timedelta(minutes=61)
    )
    assert start_attempt(actor=learner, module=module).number == 2


def test_the_attempt_limit_refuses_further_attempts(community, member_at):
    module = make_module(
        community=community, questions=4, per_attempt=4, attempt_limit=2, cooldown_minutes=0
    )
    learner = member_at(Stage.PERIPHERAL)
    for _ in range(2):
        attempt = start_attempt(actor=learner, module=module)
        submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=wrong_answers(attempt))
    with pytest.raises(AttemptRefused, match="used all 2 attempts"):
        start_attempt(actor=learner, module=module)
    assert Attempt.objects.filter(user=learner).count() == 2


def test_no_new_attempt_after_passing(community, member_at):
    module = make_module(community=community, questions=4, per_attempt=4, cooldown_minutes=0)
    learner = member_at(Stage.PERIPHERAL)
    attempt = start_attempt(actor=learner, module=module)
    submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=right_answers(attempt))
    with pytest.raises(AttemptRefused, match="You passed"):
        start_attempt(actor=learner, module=module)


def test_visitors_cannot_take_community_modules(community, user):
    module = make_module(community=community, questions=4, per_attempt=4)
    with pytest.raises(PermissionDenied):
        start_attempt(actor=user, module=module)


def test_unpublished_modules_cannot_be_started(community, member_at):
    module = make_module(community=community)
    authoring.unpublish_module(actor=module.owners.get(), module=module)
    with pytest.raises(Exception, match="not published"):
        start_module(actor=member_at(Stage.PERIPHERAL), module=module)
