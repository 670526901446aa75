import pytest

from practica.communities.models import Criterion, CriterionKind, Membership, ProgressionRule
from practica.communities.progression_sources import source_for
from practica.communities.stages import Stage
from practica.learning.services.assessment import start_attempt, submit_attempt
from practica.learning.tests.factories import make_module, right_answers, wrong_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(community, member_at):
    module = make_module(community=community, questions=4, per_attempt=4, cooldown_minutes=0)
    rule, _ = ProgressionRule.objects.get_or_create(
        community=community,
        from_stage=Stage.PARTICIPANT,
        defaults={"to_stage": Stage.FULL, "requires_approval": True},
    )
    criterion = Criterion.objects.create(
        rule=rule, kind=CriterionKind.ASSESSMENT_PASSED, assessment_ref=module.assessment.slug
    )
    learner = member_at(Stage.PARTICIPANT)
    return module, criterion, learner, Membership.objects.get(user=learner)


def test_the_assessment_passed_source_is_registered_and_counts_passes(setup):
    module, criterion, learner, membership = setup
    source = source_for(CriterionKind.ASSESSMENT_PASSED)
    assert source(membership, criterion) == 0
    attempt = start_attempt(actor=learner, module=module)
    submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=wrong_answers(attempt))
    assert source(membership, criterion) == 0
    attempt = start_attempt(actor=learner, module=module)
    submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=right_answers(attempt))
    assert source(membership, criterion) == 1


def test_a_criterion_naming_another_assessment_is_not_met(setup):
    module, criterion, learner, membership = setup
    attempt = start_attempt(actor=learner, module=module)
    submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=right_answers(attempt))
    criterion.assessment_ref = "some-other-assessment"
    assert source_for(CriterionKind.ASSESSMENT_PASSED)(membership, criterion) == 0


def test_passing_asks_for_re_evaluation_after_commit(
    setup, monkeypatch, django_capture_on_commit_callbacks
):
    module, criterion, learner, membership = setup
    asked = []
    monkeypatch.setattr(
        "practica.communities.services.progression.request_evaluation", asked.append
    )
    attempt = start_attempt(actor=learner, module=module)
    with django_capture_on_commit_callbacks(execute=True):
        submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=right_answers(attempt))
    assert asked == [membership.pk]


def test_failing_asks_for_nothing(setup, monkeypatch, django_capture_on_commit_callbacks):
    module, criterion, learner, membership = setup
    asked = []
    monkeypatch.setattr(
        "practica.communities.services.progression.request_evaluation", asked.append
    )
    attempt = start_attempt(actor=learner, module=module)
    with django_capture_on_commit_callbacks(execute=True):
        submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=wrong_answers(attempt))
    assert asked == []


def test_the_trajectory_shows_the_criterion_met_after_a_pass(setup, client):
    module, criterion, learner, membership = setup
    attempt = start_attempt(actor=learner, module=module)
    submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=right_answers(attempt))
    from practica.communities.progression import trajectory_for

    trajectory = trajectory_for(Membership.objects.get(pk=membership.pk))
    met = [c for c in trajectory.criteria if c.kind == CriterionKind.ASSESSMENT_PASSED]
    assert met and met[0].met
