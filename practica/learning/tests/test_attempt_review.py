"""What the review of an attempt shows, by the author's choice, and asking before an
attempt is submitted with questions unanswered."""

import pytest

from practica.communities.stages import Stage
from practica.learning.models import Assessment, Attempt, ReviewShows
from practica.learning.services.assessment import start_attempt, submit_attempt
from practica.learning.tests.factories import make_module, right_answers, wrong_answers

pytestmark = pytest.mark.django_db

REVEALING = ["✓ correct answer", "Accepted:", "Feedback 1.", "Feedback 2.", "Feedback 3."]


@pytest.fixture
def learner(member_at):
    return member_at(Stage.PERIPHERAL)


def module_showing(community, shows, **kwargs):
    module = make_module(
        community=community, questions=4, per_attempt=4, cooldown_minutes=0, **kwargs
    )
    Assessment.objects.filter(module=module).update(review_shows=shows)
    return module


def failed_attempt(learner, module):
    attempt = start_attempt(actor=learner, module=module)
    submit_attempt(actor=learner, attempt_id=attempt.pk, raw_answers=wrong_answers(attempt))
    return attempt


def review(client, attempt) -> str:
    return client.get(attempt.get_absolute_url()).content.decode()


def test_a_new_assessment_shows_which_were_wrong_and_not_the_answers(client, community, learner):
    module = make_module(community=community, questions=4, per_attempt=4)
    assert module.assessment.review_shows == ReviewShows.WRONG
    attempt = failed_attempt(learner, module)
    client.force_login(learner)
    page = review(client, attempt)
    assert "Not passed this time" in page
    assert page.count(">Incorrect</span>") == 4
    for revealing in REVEALING:
        assert revealing not in page, revealing
    assert "doesn’t show the correct answers" in page


def test_only_the_score_when_the_author_chose_nothing(client, community, learner):
    attempt = failed_attempt(learner, module_showing(community, ReviewShows.NOTHING))
    client.force_login(learner)
    page = review(client, attempt)
    assert "0 of 4 correct" in page
    assert "shows only the score" in page
    assert "Incorrect" not in page and "Question 1?" not in page


def test_the_correct_answers_appear_once_the_learner_passes(client, community, learner):
    module = module_showing(community, ReviewShows.AFTER_PASS)
    first = failed_attempt(learner, module)
    client.force_login(learner)
    page = review(client, first)
    assert "✓ correct answer" not in page
    assert "shown once you pass" in page
    second = start_attempt(actor=learner, module=module)
    submit_attempt(actor=learner, attempt_id=second.pk, raw_answers=right_answers(second))
    page = review(client, first)
    assert "✓ correct answer" in page and "Feedback 1." in page


def test_the_correct_answers_appear_after_the_last_attempt(client, community, learner):
    module = module_showing(community, ReviewShows.AFTER_LAST, attempt_limit=2)
    first = failed_attempt(learner, module)
    client.force_login(learner)
    assert "✓ correct answer" not in review(client, first)
    assert "used your last attempt" in review(client, first)
    failed_attempt(learner, module)
    assert "✓ correct answer" in review(client, first)


def test_the_author_chooses_what_the_review_shows(client, community):
    module = make_module(community=community, questions=4, per_attempt=4)
    author = module.owners.first()
    client.force_login(author)
    url = f"/learning/{module.slug}/edit/assessment/"
    page = client.get(url).content.decode()
    assert "<legend>After an attempt that did not pass, show</legend>" in page
    assert 'value="wrong" ' in page and "checked" in page.split('value="wrong"', 1)[1][:40]
    response = client.post(
        url,
        {
            "title": "Handover assessment",
            "questions_per_attempt": 4,
            "pass_mark": 75,
            "attempt_limit": 3,
            "cooldown_minutes": 0,
            "review_shows": ReviewShows.AFTER_PASS,
        },
    )
    assert response.status_code == 302
    assert Assessment.objects.get(module=module).review_shows == ReviewShows.AFTER_PASS


def test_submitting_with_questions_blank_asks_first_and_keeps_every_answer(
    client, community, learner
):
    module = make_module(community=community, questions=4, per_attempt=4)
    client.force_login(learner)
    attempt = start_attempt(actor=learner, module=module)
    answers = right_answers(attempt)
    first, *rest = list(answers)
    partial = {first: answers[first]}
    response = client.post(attempt.get_absolute_url(), partial)
    assert response.status_code == 200
    page = response.content.decode()
    assert "You left 3 questions unanswered" in page
    assert f'<input type="hidden" name="{first}" value="{answers[first][0]}">' in page
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    # Going back shows the form with the answer given still chosen.
    back = client.post(attempt.get_absolute_url(), {**partial, "back": "1"}).content.decode()
    assert 'class="attempt"' in back
    given = answers[first][0]
    assert (f'value="{given}" checked' if given.isdigit() else f'value="{given}"') in back
    # Submitting anyway scores it, the blank ones as wrong.
    response = client.post(attempt.get_absolute_url(), {**partial, "confirm_blank": "1"})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.correct == 1


def test_a_full_set_of_answers_is_submitted_without_a_question(client, community, learner):
    module = make_module(community=community, questions=4, per_attempt=4)
    client.force_login(learner)
    attempt = start_attempt(actor=learner, module=module)
    response = client.post(attempt.get_absolute_url(), right_answers(attempt))
    assert response.status_code == 302
    assert Attempt.objects.get(pk=attempt.pk).passed
