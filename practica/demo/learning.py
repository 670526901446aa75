"""Demo learning: the "Communities of practice" module in ward-care, its assessment as a
criterion for participant → full, and members at varied points of progress.

Idempotent: a second run finds the module and adds nothing but what is missing.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from practica.communities.models import (
    Community,
    Criterion,
    CriterionKind,
    Membership,
    ProgressionRule,
)
from practica.communities.stages import Stage
from practica.learning.models import (
    Attempt,
    Feedback,
    Module,
    ModuleProgress,
    QuestionKind,
    Reflection,
)
from practica.learning.services import authoring
from practica.learning.services.assessment import start_attempt, submit_attempt
from practica.learning.services.progress import (
    mark_section_read,
    save_reflection,
    share_reflection_with_mentors,
)
from practica.people.models import User

MODULE_SLUG = "communities-of-practice"
# Progression criteria name the assessment by this slug (Criterion.assessment_ref).
ASSESSMENT_SLUG = "communities-of-practice"

OVERVIEW = """\
The community of practice (CoP) concept is largely attributed to Etienne Wenger, but it is
not a new idea: people have grouped together to learn from each other for as long as there
have been societies. Wenger describes a community of practice as *a model of situational
learning, based on collaboration among peers, where individuals work to a common purpose,
defined by knowledge rather than task*.

This module introduces the three structural elements that make a group a community of
practice, and the way learners move from the edge of a community toward its centre. It is
written for everyone in **Interprofessional ward care**: nurses, doctors, pharmacists,
therapists, administrative staff, and the students and new graduates learning alongside them.
"""

OUTCOMES = """\
Define a community of practice and say how it differs from a team, a network or a committee
Describe the three structural elements: domain, community and shared practice
Explain legitimate peripheral participation and the novice-to-expert trajectory
Identify the community of practice you belong to on the ward, and your place in it
"""

SECTIONS = [
    (
        "What is a community of practice?",
        """\
A community of practice is a group of people who share a concern or a passion for something
they do, and who learn how to do it better as they interact regularly.

It is more than a team. A team is charged with a task and disbands when it is done; a
community of practice is held together by what its members *know* and want to get better at.
Working together and sharing knowledge and resources exposes members to new ways of thinking
and problem solving, and that is where the learning happens.

> Learning occurs through a social network: not only in the classroom or the textbook, but in
> the conversations, stories and problems members share.

### Not every group is a community of practice

| | Community of practice | Team | Committee | Informal network |
|---|---|---|---|---|
| Held together by | a shared domain of knowledge | a task | a remit | relationships |
| Lasts | as long as the interest does | until the task is done | until it is dissolved | loosely |
| Members | self-selecting, at different stages | assigned | appointed | anyone |

A community of practice has specific criteria that make it so. The next three sections
describe them.
""",
    ),
    (
        "The domain: a shared body of knowledge",
        """\
The **domain** is the common body of knowledge that gives the community its identity. It is
what members care about, and what makes their membership mean something.

On a general medical ward the domain is *safe, kind, well-coordinated care of adult
inpatients*: handover, medicines at the interfaces of care, falls, the deteriorating patient,
discharge. No single profession owns it.

A clear domain:

- tells newcomers what the community is for, and what it is not for;
- helps members decide which questions are worth their time;
- gives the community a voice in the organisation ("this is what we know about handover").

In Practica the domain is written down in each community's **charter**, and its topics tag
everything members write.
""",
    ),
    (
        "The community: committing to learn together",
        """\
The **community** is the commitment to forming a group: members build relationships that let
them learn from each other. They help each other, share information, and ask for help when
they are stuck.

Commitment does not mean everyone is equally active. Most communities have:

1. a small **core** who take on leadership and cultivate the community (in Practica,
   *stewards*);
2. an **active** group who take part regularly;
3. a large **peripheral** group who mostly watch and learn, and join in when a topic matters
   to them.

All three matter. People move between them, and a healthy community makes it easy to move
inward. On the ward, the community includes doctors, nurses, pharmacists, therapists,
administrative staff and learners from different professions and stages, each bringing their
own skills and knowledge.
""",
    ),
    (
        "Shared practice: ideas, resources and strategies",
        """\
The **practice** is what members do together: the shared repertoire of ideas, resources,
stories, tools and ways of addressing recurring problems.

Examples from ward care:

- an agreed ISBAR handover sheet, revised after a near miss;
- a checklist for medication reconciliation at discharge;
- the story everyone tells about the night the early-warning score caught a sepsis early;
- a library of case discussions from the monthly journal club.

Through consultation, discussion and general interaction, members build a substantial body
of knowledge and skills on which they can all draw. Practica's library, conversations and
decisions are where this practice is kept, so that it outlasts any one member's rotation.
""",
    ),
    (
        "Legitimate peripheral participation",
        """\
Learners become part of the community of practice and move along the **novice-to-expert
trajectory** through a process Lave and Wenger called *legitimate peripheral participation*
(LPP).

- **Legitimate**: as proto-health professionals, learners are allowed to be in the
  environment. On placement, they belong.
- **Peripheral**: they have a special, defined status. They may wear a uniform, a lanyard or
  other identifying apparel, and they have a particular role with rules about what they can
  and can't do.
- **Participation**: they learn by taking part in real work, not by watching from outside.

Learners participate on the periphery until they become full members of the community by
displaying certain behaviours, gaining experience and passing examinations.

### How this works in Practica

Every member has a **stage** (Learner, Participant, Full member, Steward) shown on their
lanyard beside everything they write. Your **trajectory** page shows which criteria for the
next stage you have met. In this community, passing this module's assessment is one of the
criteria for becoming a full member.
""",
    ),
    (
        "Putting it into practice on the ward",
        """\
A community of practice is cultivated, not commanded. Some things that help on a busy ward:

- **Make the periphery welcoming.** Introduce students at the safety huddle; tell them which
  questions they may always ask.
- **Make practice visible.** Talk through your reasoning at handover; write up the fix after
  a near miss so the next shift can find it.
- **Give newcomers real, bounded work.** Medicines reconciliation with a pharmacist, a falls
  assessment with a physiotherapist: legitimate tasks with support close by.
- **Mark the steps inward.** Recognise when someone has moved from watching to contributing,
  and endorse them.

Before you take the assessment, complete the learning activity: it asks you to map your own
community of practice.
""",
    ),
]

ACTIVITY_TITLE = "Map your own community of practice"
ACTIVITY_PROMPT = """\
Think about the ward or team where you work or are on placement.

1. What is its **domain**: the knowledge it cares about most?
2. Who is in the **community**: who is at the core, who is active, who is at the edge?
   Where are you?
3. Name two pieces of **shared practice**: a tool, a routine, a story everyone knows.
4. What would help you, or a newcomer you know, move one step further in?

Write a few paragraphs. Only you can read your reflection; the note under the box says
whether you can share it with the community yet.
"""

READING = [
    (
        "Wenger E. Communities of practice: learning, meaning, and identity. Cambridge: Cambridge University Press; 1998.",
        "https://doi.org/10.1017/CBO9780511803932",
        "The book that sets out practice, meaning and identity.",
    ),
    (
        "Lave J, Wenger E. Situated learning: legitimate peripheral participation. Cambridge: Cambridge University Press; 1991.",
        "https://doi.org/10.1017/CBO9780511815355",
        "Where legitimate peripheral participation comes from.",
    ),
    (
        "Wenger E, McDermott R, Snyder WM. Cultivating communities of practice: a guide to managing knowledge. Boston: Harvard Business School Press; 2002.",
        "",
        "Practical advice on cultivating a community: domain, community and practice.",
    ),
]

GLOSSARY_TERMS = [
    "community of practice",
    "legitimate peripheral participation",
    "trajectory",
    "lanyard",
    "steward",
]

# (kind, text, answers, feedback): answers are (text, correct) options, or accepted answers.
QUESTIONS = [
    (QuestionKind.SINGLE, "Which three structural elements make a group a community of practice?",
     [("Domain, community and shared practice", True), ("Leadership, budget and membership", False),
      ("Knowledge, skills and attitudes", False), ("Policy, procedure and audit", False)],
     "Wenger's three elements are the domain (a shared body of knowledge), the community (commitment to learning together) and shared practice."),
    (QuestionKind.TRUE_FALSE, "A community of practice is defined mainly by the task its members have been assigned.",
     [("True", False), ("False", True)],
     "False. Wenger defines it by knowledge rather than task: that is what distinguishes it from a team."),
    (QuestionKind.SINGLE, "In Wenger's definition, what holds a community of practice together?",
     [("Knowledge rather than task", True), ("A shared line manager", False),
      ("A project deadline", False), ("Working the same shifts", False)],
     "“A model of situational learning, based on collaboration among peers, where individuals work to a common purpose, defined by knowledge rather than task.”"),
    (QuestionKind.MULTIPLE, "Which of these are examples of a ward's shared practice? Choose all that apply.",
     [("An ISBAR handover sheet the ward revised after a near miss", True),
      ("A library of case discussions from journal club", True),
      ("The story of how a tricky discharge was finally solved", True),
      ("The hospital's car-parking rota", False)],
     "Shared practice is the repertoire of tools, stories and ways of handling recurring problems that members build together. A car-parking rota is administration, not practice."),
    (QuestionKind.SHORT, "What does the abbreviation LPP stand for?",
     ["legitimate peripheral participation"],
     "Legitimate peripheral participation (Lave and Wenger, 1991): how newcomers learn by taking part in real work at the edge of a community."),
    (QuestionKind.SINGLE, "What makes a learner's participation on placement “legitimate”?",
     [("They are allowed to be in the environment, with a defined status and role", True),
      ("They have passed all their final examinations", False),
      ("They are employed by the hospital", False),
      ("They lead the multidisciplinary team", False)],
     "Learners are legitimately present from day one: they belong there, with a status and rules about what they can and can't do."),
    (QuestionKind.TRUE_FALSE, "Students on placement stand outside the community of practice until they qualify.",
     [("True", False), ("False", True)],
     "False. Learners are part of the community from the start, participating on its periphery."),
    (QuestionKind.MULTIPLE, "How do learners move from the periphery toward full membership? Choose all that apply.",
     [("By displaying certain behaviours", True), ("By gaining experience", True),
      ("By passing examinations", True), ("Only by waiting a fixed number of years", False)],
     "Displaying behaviours, gaining experience and passing examinations all move a learner inward; time alone does not."),
    (QuestionKind.SINGLE, "How does a community of practice differ from a committee?",
     [("Members are bound by a shared domain and learn together over time, rather than by a remit and an agenda", True),
      ("A committee has no members", False),
      ("A community of practice never meets", False),
      ("A committee cannot include learners", False)],
     "A committee is appointed to a remit; a community of practice is self-selecting and held together by what members want to get better at."),
    (QuestionKind.SHORT, "The community of practice concept is largely attributed to which researcher? (Surname is enough.)",
     ["Wenger", "Etienne Wenger", "E Wenger", "E. Wenger"],
     "Etienne Wenger, who also argues the idea is as old as human societies."),
    (QuestionKind.SINGLE, "On the ward, what signals a learner's special, defined status?",
     [("A uniform, a lanyard or other identifying apparel", True),
      ("Their place in the handover order", False),
      ("Being allowed to prescribe", False),
      ("Working only night shifts", False)],
     "Learners often wear a uniform, a lanyard or other identifying apparel: their status is visible, which is part of what makes it legitimate."),
    (QuestionKind.TRUE_FALSE, "The domain of a community of practice is a common body of knowledge that gives its members a shared identity.",
     [("True", True), ("False", False)],
     "True. The domain says what the community cares about and what membership means."),
    (QuestionKind.MULTIPLE, "Who belongs in a ward's interprofessional community of practice? Choose all that apply.",
     [("Pharmacists", True), ("Ward clerks", True), ("Students on placement", True),
      ("Only registered nurses", False)],
     "Doctors, nurses, pharmacists, therapists, administrative staff and learners all bring skills and knowledge the others draw on."),
    (QuestionKind.SINGLE, "What does the “community” element ask of members?",
     [("Commitment to forming a group for networking and learning together", True),
      ("Sharing an office", False), ("Identical job titles", False), ("A signed contract", False)],
     "The community element is about relationships: members help each other, share information and ask for help."),
    (QuestionKind.SHORT, "Complete the phrase from Lave and Wenger (1991): legitimate ______ participation.",
     ["peripheral"],
     "Legitimate peripheral participation: newcomers take part at the edge, and move inward as they learn."),
]  # fmt: skip

TOM_REFLECTION = (
    "First draft, for Daniel. On ward 7 the domain is getting the evening handover right: "
    "who is deteriorating, who is going home. The core is the nurse in charge and the two "
    "registrars; I am at the very edge, mostly listening. Shared practice I have noticed: the "
    "NEWS2 chart on the whiteboard and the rule that nobody leaves before the sepsis screens "
    "are done. What would help me move in: being asked to present one patient at handover."
)

REFLECTIONS = [
    "Our ward's domain is really safe handover and discharge. The core is the two charge nurses "
    "and the ward pharmacist; I sit in the active group. Shared practice: the ISBAR sheet on the "
    "drug trolley and the 'three checks' story from last winter. Newcomers would move inward "
    "faster if we invited them to present at the Friday huddle.",
    "I think of the stroke rehab team as my community of practice. The domain is getting people "
    "home safely; the core is our consultant physio and the discharge coordinator. Students "
    "start at the edge doing mobility assessments with us, and the best ones start suggesting "
    "changes within a few weeks.",
]

FEEDBACK = [
    "Really clear introduction. Could the section on legitimate peripheral participation include "
    "an example from pharmacy placements? Our students rarely see themselves in nursing examples.",
    "The table comparing teams, committees and networks was the most useful part for me: I used "
    "it in our band 6 development session.",
]


def _ensure_criterion(community: Community) -> str:
    rule, _ = ProgressionRule.objects.get_or_create(
        community=community,
        from_stage=Stage.PARTICIPANT,
        defaults={"to_stage": Stage.FULL, "requires_approval": True},
    )
    position = (
        rule.criteria.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    _, created = Criterion.objects.get_or_create(
        rule=rule,
        kind=CriterionKind.ASSESSMENT_PASSED,
        assessment_ref=ASSESSMENT_SLUG,
        defaults={"threshold": 1, "position": position},
    )
    if created:
        # A promotion already waiting now needs the assessment too: its evidence says so.
        from practica.communities.progression import forget_rules
        from practica.communities.services.progression import refresh_pending_evidence

        forget_rules(community)
        refresh_pending_evidence(community)
    return "criterion added" if created else "criterion already there"


def _build_module(community: Community, author: User) -> Module:
    module = authoring.create_module(
        actor=author,
        community=community,
        title="Communities of practice",
        slug=MODULE_SLUG,
        overview=OVERVIEW,
        outcomes=OUTCOMES,
        estimated_minutes=45,
    )
    for title, body in SECTIONS:
        authoring.save_part(actor=author, module=module, kind="section", title=title, body=body)
    authoring.save_part(
        actor=author, module=module, kind="activity", title=ACTIVITY_TITLE, prompt=ACTIVITY_PROMPT
    )
    for citation, url, note in READING:
        authoring.save_part(
            actor=author, module=module, kind="reading", citation=citation, url=url, note=note
        )
    from practica.library.models import GlossaryTerm

    term_ids = list(
        GlossaryTerm.objects.filter(community=community, term__in=GLOSSARY_TERMS).values_list(
            "pk", flat=True
        )
    )
    if term_ids:
        authoring.set_glossary_terms(actor=author, module=module, term_ids=term_ids)
    assessment = authoring.save_assessment(
        actor=author,
        module=module,
        slug=ASSESSMENT_SLUG,
        title="Communities of practice: assessment",
        questions_per_attempt=12,
        pass_mark=75,
        attempt_limit=3,
        cooldown_minutes=60,
    )
    for kind, text, answers, feedback in QUESTIONS:
        if kind == QuestionKind.SHORT:
            authoring.save_question(
                actor=author,
                assessment=assessment,
                kind=kind,
                text=text,
                feedback=feedback,
                accepted_answers=answers,
            )
        else:
            authoring.save_question(
                actor=author,
                assessment=assessment,
                kind=kind,
                text=text,
                feedback=feedback,
                options=answers,
            )
    authoring.publish_module(actor=author, module=module)
    module.owners.add(*User.objects.filter(email="full@example.com"))
    return module


def _answers(attempt: Attempt, *, right: int) -> dict[str, list[str]]:
    """Form data answering the first `right` drawn questions correctly, the rest wrongly."""
    questions = attempt.version.questions()
    data = {}
    for index, drawn in enumerate(attempt.draw):
        question = questions[drawn["question"]]
        correct = index < right
        if question["kind"] == QuestionKind.SHORT:
            data[f"q-{drawn['question']}"] = [question["accepted"][0] if correct else "not sure"]
        else:
            ids = [o["id"] for o in question["options"] if o["correct"] == correct]
            data[f"q-{drawn['question']}"] = [str(i) for i in (ids if correct else ids[:1])]
    return data


def _sit(user: User, module: Module, *, right: int, days_ago: int, rng: random.Random) -> Attempt:
    attempt = start_attempt(actor=user, module=module, rng=rng)
    submit_attempt(actor=user, attempt_id=attempt.pk, raw_answers=_answers(attempt, right=right))
    when = timezone.now() - timedelta(days=days_ago, hours=rng.randint(1, 8))
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=when - timedelta(minutes=14), submitted_at=when
    )
    return attempt


def _read(user: User, module: Module, count: int) -> None:
    for section in module.current_version.snapshot["sections"][:count]:
        mark_section_read(actor=user, module=module, section_id=section["id"])


def _complete(user: User, module: Module, reflection: str, *, days_ago: int, rng) -> None:
    _read(user, module, len(SECTIONS))
    activity_id = module.current_version.snapshot["activities"][0]["id"]
    save_reflection(actor=user, module=module, activity_id=activity_id, text=reflection)
    if rng.random() < 0.4:
        _sit(user, module, right=7, days_ago=days_ago + 3, rng=rng)
    _sit(user, module, right=rng.choice([10, 11, 12]), days_ago=days_ago, rng=rng)
    ModuleProgress.objects.filter(user=user, module=module).update(
        completed_at=timezone.now() - timedelta(days=days_ago),
        updated_at=timezone.now() - timedelta(days=days_ago),
    )
    Reflection.objects.filter(progress__user=user).update(
        created_at=timezone.now() - timedelta(days=days_ago + 1),
        updated_at=timezone.now() - timedelta(days=days_ago + 1),
    )


def _progress(module: Module, community: Community) -> int:
    rng = random.Random(20261121)
    people = {u.email: u for u in User.objects.filter(email__endswith="@example.com")}
    # participant@example.com has started but not sat the assessment: theirs to do in the demo.
    _read(people["participant@example.com"], module, 2)
    _read(people["learner@example.com"], module, 1)
    # Tom has drafted the activity and shared it with his mentor Daniel (full@example.com),
    # who reads it on the activity page; nobody else can.
    tom = people["learner@example.com"]
    activity_id = module.current_version.snapshot["activities"][0]["id"]
    save_reflection(actor=tom, module=module, activity_id=activity_id, text=TOM_REFLECTION)
    share_reflection_with_mentors(actor=tom, module=module, activity_id=activity_id)
    _complete(people["full@example.com"], module, REFLECTIONS[0], days_ago=40, rng=rng)
    colleagues = list(
        Membership.objects.filter(community=community, suspended=False)
        .exclude(user__email__endswith="@example.com")
        .select_related("user")
        .order_by("user__username")
    )
    full = [m.user for m in colleagues if m.stage >= Stage.FULL][:4]
    participants = [m.user for m in colleagues if m.stage == Stage.PARTICIPANT][:3]
    learners = [m.user for m in colleagues if m.stage == Stage.PERIPHERAL][:3]
    for n, user in enumerate(full):
        _complete(user, module, REFLECTIONS[n % len(REFLECTIONS)], days_ago=20 + 15 * n, rng=rng)
    for n, user in enumerate(participants):
        _read(user, module, 3 + n)
        if n == 0:
            _sit(user, module, right=6, days_ago=2, rng=rng)
    for n, user in enumerate(learners):
        _read(user, module, 1 + n)
    return 1 + len(full)


def seed() -> str:
    community = Community.objects.get(slug="ward-care")
    criterion = _ensure_criterion(community)
    if Module.objects.filter(slug=MODULE_SLUG).exists():
        return f"module already there, {criterion}"
    author = User.objects.get(email="steward@example.com")
    with transaction.atomic():
        module = _build_module(community, author)
        passed = _progress(module, community)
        for text, who in zip(
            FEEDBACK, ["learner@example.com", "participant@example.com"], strict=True
        ):
            Feedback.objects.create(
                module=module,
                author=User.objects.get(email=who),
                text=text,
                created_at=timezone.now() - timedelta(days=len(text) % 9 + 1),
            )
        Feedback.objects.filter(module=module, author__email="participant@example.com").update(
            handled_at=timezone.now() - timedelta(days=1), handled_by=author
        )
    return (
        f"module “{module.title}” with {len(SECTIONS)} sections and {len(QUESTIONS)} questions "
        f"(12 drawn per attempt), {passed} members passed, {criterion}"
    )
