"""Published modules for tests, built through the authoring services."""

from __future__ import annotations

from practica.communities.stages import Stage
from practica.learning.models import Module, QuestionKind
from practica.learning.services import authoring
from practica.tests.factories import MembershipFactory


def author_in(community):
    return MembershipFactory(community=community, stage=Stage.FULL).user


def make_module(
    *,
    community,
    author=None,
    title: str = "Handover with ISBAR",
    sections: int = 3,
    activities: int = 1,
    readings: int = 1,
    questions: int = 0,
    per_attempt: int = 4,
    pass_mark: int = 75,
    attempt_limit: int = 3,
    cooldown_minutes: int = 60,
    publish: bool = True,
) -> Module:
    """A module with numbered sections; its questions are single choice with the right
    option "Right <n>", except that every fourth is short answer ("answer <n>")."""
    author = author or (author_in(community) if community else None)
    module = authoring.create_module(
        actor=author,
        community=community,
        title=title,
        overview="What good **handover** looks like.",
        outcomes="Use ISBAR\nSpot a poor handover",
        estimated_minutes=25,
    )
    for n in range(1, sections + 1):
        authoring.save_part(
            actor=author,
            module=module,
            kind="section",
            title=f"Section {n}",
            body=f"Body of section {n}.",
        )
    for n in range(1, activities + 1):
        authoring.save_part(
            actor=author,
            module=module,
            kind="activity",
            title=f"Reflect {n}",
            prompt="Think of a handover you gave last week.",
        )
    for n in range(1, readings + 1):
        authoring.save_part(
            actor=author, module=module, kind="reading", citation=f"Reference {n}.", url="", note=""
        )
    if questions:
        assessment = authoring.save_assessment(
            actor=author,
            module=module,
            title=f"{title} assessment",
            questions_per_attempt=per_attempt,
            pass_mark=pass_mark,
            attempt_limit=attempt_limit,
            cooldown_minutes=cooldown_minutes,
        )
        for n in range(1, questions + 1):
            if n % 4 == 0:
                authoring.save_question(
                    actor=author,
                    assessment=assessment,
                    kind=QuestionKind.SHORT,
                    text=f"Question {n}?",
                    feedback=f"Feedback {n}.",
                    accepted_answers=[f"Answer {n}"],
                )
            else:
                authoring.save_question(
                    actor=author,
                    assessment=assessment,
                    kind=QuestionKind.SINGLE,
                    text=f"Question {n}?",
                    feedback=f"Feedback {n}.",
                    options=[(f"Right {n}", True), (f"Wrong {n}a", False), (f"Wrong {n}b", False)],
                )
    if publish:
        authoring.publish_module(actor=author, module=module)
        module.refresh_from_db()
    return module


def right_answers(attempt) -> dict[str, list[str]]:
    """The form data that answers every drawn question correctly."""
    questions = attempt.version.questions()
    data = {}
    for drawn in attempt.draw:
        question = questions[drawn["question"]]
        if question["kind"] == QuestionKind.SHORT:
            data[f"q-{drawn['question']}"] = [question["accepted"][0]]
        else:
            data[f"q-{drawn['question']}"] = [
                str(o["id"]) for o in question["options"] if o["correct"]
            ]
    return data


def wrong_answers(attempt) -> dict[str, list[str]]:
    questions = attempt.version.questions()
    data = {}
    for drawn in attempt.draw:
        question = questions[drawn["question"]]
        if question["kind"] == QuestionKind.SHORT:
            data[f"q-{drawn['question']}"] = ["no idea"]
        else:
            data[f"q-{drawn['question']}"] = [
                str(next(o["id"] for o in question["options"] if not o["correct"]))
            ]
    return data
