"""Two years of ward-care history for the health dashboard, six value stories and the rollups.

The community began two years ago with a few early members, some of whom have since moved
on (kept as departures); questions grew month by month, with a quiet summer each year; a
monthly journal club began with a handful of people and grew. Threads are bulk-inserted
with their opening posts and replies (dates in the past, lanyards stamped), so seeding stays
fast; the rollups for every day are then computed in one pass.

Idempotent: the history is keyed by thread external ids ("history-…"), the journal club by
its title, stories by their titles; rollups are recomputed (they are idempotent).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from practica.communities.models import Community, Membership, Topic
from practica.communities.stages import Stage
from practica.conversations.models import Post, Thread, ThreadKind, ThreadStatus
from practica.events.models import RSVP, Attendance, Event, EventType, Repeat
from practica.evidence.models import Decision
from practica.insights.forms import last_quarter
from practica.insights.models import Departure, ValueStory
from practica.insights.rollups import rollup
from practica.markdown import render_markdown

HISTORY_DAYS = 730
HISTORY_JOURNAL_CLUB = "Evidence café: the research behind our ward routines"

# (topic slug, title, opening text)
QUESTIONS = [
    ("clinical-handover", "Do you hand over at the bedside on night shifts?", "We tried bedside handover on days and it worked; nights worry people about waking patients. What do you do?"),
    ("clinical-handover", "What goes on the handover sheet and what stays out?", "Our sheet has grown to three pages. What do others keep on it, and what did you drop?"),
    ("clinical-handover", "How long should a ward handover take?", "Ours runs over 45 minutes for 28 beds. Is there a realistic target?"),
    ("clinical-handover", "ISBAR for phone calls to the on-call doctor?", "Has anyone made ISBAR stick for phone escalation out of hours?"),
    ("medication-reconciliation", "Who reconciles medicines for weekend admissions?", "Pharmacy is not on the ward at weekends. Who does the first reconciliation where you work?"),
    ("medication-reconciliation", "Patients' own drugs: lockers or central storage?", "We keep losing patients' own medicines between wards. How do you store them?"),
    ("medication-reconciliation", "Best source for the medicines list on admission?", "GP record, the patient, the family, the community pharmacy: which do you trust first?"),
    ("medication-reconciliation", "Recording withheld medicines so they get restarted", "How do you make sure a medicine held on admission is reviewed and restarted?"),
    ("falls-prevention", "Lying and standing blood pressure: who does it?", "It is on our falls bundle but rarely done. How have you made it routine?"),
    ("falls-prevention", "Bed rails: when do you use them?", "We have conflicting advice on bed rails for confused patients. What is your practice?"),
    ("falls-prevention", "Falls huddle after every fall?", "Do you hold a short huddle after each fall, and what do you cover?"),
    ("falls-prevention", "Footwear for patients admitted in slippers", "Many of our patients arrive in slippers. Any tips for getting safe footwear?"),
    ("deteriorating-patient", "When do you repeat observations after an early warning score of 3?", "Our policy says 'increase frequency'. What interval do you actually use?"),
    ("deteriorating-patient", "Escalating when the doctor says 'keep observing'", "What do you do when you are still worried after escalating once?"),
    ("deteriorating-patient", "Sepsis screening on the ward: paper or electronic?", "We are moving to electronic screening. What went wrong when you switched?"),
    ("deteriorating-patient", "Family concern as a trigger for review", "Has anyone built 'the family is worried' into escalation?"),
    ("placement-supervision", "Giving feedback to a student on a busy shift", "What works when there is no time to sit down at the end of the shift?"),
    ("placement-supervision", "Students and controlled drug checks", "What are students allowed to do in controlled drug checks on your ward?"),
    ("placement-supervision", "Supporting a struggling learner early", "What signs make you act early, and who do you involve first?"),
    ("placement-supervision", "Preceptorship for newly qualified staff", "How long is your preceptorship and what does it include?"),
    ("discharge-planning", "Setting an expected date of discharge on day one", "Do you set it on admission, and who owns it?"),
    ("discharge-planning", "Discharge letters that GPs actually read", "What did you change in your discharge summaries that GPs noticed?"),
    ("discharge-planning", "Morning discharges: how do you get them before 11?", "Our discharges cluster after 4 pm. What moved yours earlier?"),
    ("discharge-planning", "Equipment at home before discharge", "Delays for equipment keep patients in. How do you order it early enough?"),
    ("infection-prevention", "Cannula checks as part of routine observations", "How do you make VIP scoring part of every set of observations?"),
    ("infection-prevention", "Side rooms: who gets priority?", "With few side rooms, how do you decide between infection and end-of-life care?"),
    ("infection-prevention", "Hand hygiene audits that change behaviour", "Our audits score 98% but we don't believe them. What do you do instead?"),
    ("infection-prevention", "Catheter removal: nurse-led trial without catheter?", "Do your nurses remove catheters without waiting for a medical review?"),
    ("pressure-injury-prevention", "Skin checks on admission in the emergency department", "Skin checks are missed in the ED. Do you check again on arrival to the ward?"),
    ("pressure-injury-prevention", "Repositioning charts that people fill in", "Our charts are filled in at the end of the shift. How do you make them real-time?"),
    ("pressure-injury-prevention", "Heel protection for patients with diabetes", "What do you use for heels, and who decides?"),
    ("pressure-injury-prevention", "Photographs of pressure injuries", "Do you photograph pressure injuries, and how do you store the images?"),
]  # fmt: skip

REPLIES = [
    "We trialled it for a month on one bay first, then spread it: the trial answered most of the objections.",
    "Our practice educator made a one-page guide and we went through it at every safety huddle for two weeks.",
    "We made it part of the admission checklist, so it happens without anyone having to remember.",
    "Pharmacy technicians do it for us now, with the pharmacist checking anything complicated.",
    "The key for us was agreeing who owns it on each shift: the nurse in charge checks at the 2 pm huddle.",
    "Our local policy has a flowchart for this. The short answer: escalate again, and document who you spoke to.",
    "We audit ten patients a month and share the results at the ward meeting; it keeps it on the agenda.",
    "Ask the family early: they often know the medicines and the home set-up better than any record.",
    "We found the problem was the form, not the people. A shorter form doubled completion.",
    "There is a good summary of the evidence in the library; the journal club discussed it last year.",
    "On nights we hand over at the bedside for the sickest patients only and at the station for the rest.",
    "We use the early warning score as a floor, not a ceiling: if you are worried, escalate anyway.",
    "Students shadow the check and sign as a witness only after their assessor has signed them off.",
    "Weekly feedback, five minutes, standing up at the end of the shift, with one thing to keep and one to change.",
    "We set the expected date on day one and review it at every board round; patients like knowing it.",
    "Moving the discharge decision to the evening before made the biggest difference for us.",
    "Physio and OT order the equipment at the first assessment now, instead of at the discharge meeting.",
    "We have a 'worried' box on the observation chart; ticking it means a review within 30 minutes.",
]

STORIES = [
    ("Bedside handover made our nights calmer", ["immediate", "applied"], True, True,
     "The handover threads and the journal club on ISBAR.",
     "Examples of how other wards do bedside handover at night without waking everyone.",
     "We now hand over the sickest patients at the bedside and the rest at the station.",
     "Handover finishes fifteen minutes earlier and the night team starts with the same picture."),
    ("Weekend medicines reconciliation with our technicians", ["potential", "applied", "realised"], True, True,
     "The medication reconciliation questions and the practice-change proposal.",
     "A workflow another trust shared, and the contact of the pharmacist who set it up.",
     "Our pharmacy technicians reconcile weekend admissions from Saturday morning.",
     "Fewer omitted doses on Monday audits: from about one patient in six to one in fifteen."),
    ("Falls huddles: from blame to learning", ["reframing", "applied"], True, False,
     "The falls prevention thread and the monthly case discussion.",
     "A different way to talk about falls: what the system made likely, not who was at fault.",
     "We hold a five-minute huddle after every fall, with the patient's nurse leading.",
     "Staff report falls sooner and suggest changes themselves."),
    ("A student's first escalation", ["immediate", "potential"], True, False,
     "A question I asked in the staging area and the replies from two senior nurses.",
     "The words to use on the phone, and permission to escalate again when still worried.",
     "I used ISBAR on my next placement and the registrar came within ten minutes.",
     ""),
    ("Journal club gave me a reason to read", ["immediate", "potential"], False, False,
     "Eight evidence cafés over the year.",
     "A habit of reading one paper a month and people to discuss it with.",
     "", ""),
    ("Discharge letters GPs read", ["applied", "realised"], True, True,
     "The discharge planning thread and the article on discharge summaries.",
     "A template with the three things GPs told us they look for first.",
     "Our ward uses the template for every discharge.",
     "The GP practice stopped phoning the ward for missing information after discharge."),
]  # fmt: skip


def monthly_weight(months_ago: int, month: int) -> float:
    """Questions a month: growing over the two years, quieter in July and August."""
    growth = 3 + 9 * (HISTORY_DAYS / 30 - months_ago) / (HISTORY_DAYS / 30)
    return growth * (0.35 if month in (7, 8) else 1.0)


def _departures(community, rng, now) -> int:
    """Early members who have moved on (placements ended, jobs changed)."""
    if Departure.objects.filter(community=community).exists():
        return 0
    rows = []
    for index in range(18):
        joined = now - timedelta(days=rng.randint(380, HISTORY_DAYS - 5), hours=rng.randint(0, 23))
        left = joined + timedelta(days=rng.randint(60, 320))
        rows.append(
            Departure(
                community=community,
                stage=10 if index % 3 else 20,
                joined_at=joined,
                left_at=min(left, now - timedelta(days=2)),
            )
        )
    Departure.objects.bulk_create(rows)
    return len(rows)


def _history(community, rng, now) -> int:
    if Thread.objects.filter(community=community, external_id__startswith="history-").exists():
        return 0
    # Past questions and answers come from members past the learner stage: a learner's
    # posts would meet their criteria and the worker would promote a dozen of them on the
    # demo's first evaluation, a cliff at the end of every chart.
    members = list(
        Membership.objects.filter(
            community=community, suspended=False, stage__gte=Stage.PARTICIPANT
        )
        .exclude(user__email__endswith="@example.com")
        .select_related("user")
    )
    topics = {t.slug: t for t in Topic.objects.filter(community=community)}
    plans = []
    for months_ago in range(HISTORY_DAYS // 30, 0, -1):
        month_start = now - timedelta(days=30 * months_ago)
        for _ in range(round(monthly_weight(months_ago, month_start.month))):
            plans.append(month_start + timedelta(days=rng.uniform(0, 29), hours=rng.uniform(0, 10)))
    threads, questions = [], []
    for number, created in enumerate(plans):
        topic, title, body = QUESTIONS[number % len(QUESTIONS)]
        present = [m for m in members if m.joined_at < created]
        author = rng.choice(present) if present else None
        answerers = [m for m in present if m is not author]
        replies = []
        when = created + timedelta(hours=rng.uniform(1, 70))
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3]) if answerers else 0):
            replies.append((rng.choice(answerers), when, rng.choice(REPLIES)))
            when += timedelta(hours=rng.uniform(2, 40))
        thread = Thread(
            community=community, kind=ThreadKind.QUESTION, title=title, external_id=f"history-{number}",
            author=author.user if author else None, status=ThreadStatus.PUBLISHED, created_at=created,
            published_at=created, last_activity_at=replies[-1][1] if replies else created, reply_count=len(replies),
        )  # fmt: skip
        threads.append(thread)
        questions.append((thread, topics.get(topic), author, body, replies))
    Thread.objects.bulk_create(threads, batch_size=500)
    posts = []
    for thread, _topic, author, body, replies in questions:
        posts.append(_post(thread, author, body, thread.created_at, opening=True))
        for member, when, text in replies:
            posts.append(_post(thread, member, text, when))
    Post.objects.bulk_create(posts, batch_size=500)
    # Accept the first reply of most answered questions, a day or so after it came.
    accepted = []
    by_thread: dict[int, list[Post]] = {}
    for post in posts:
        if not post.is_opening:
            by_thread.setdefault(post.thread_id, []).append(post)
    for thread, *_ in questions:
        answers = by_thread.get(thread.pk)
        if answers and rng.random() < 0.6 and thread.author_id:
            thread.accepted_post = answers[0]
            thread.accepted_by_id = thread.author_id
            thread.accepted_at = answers[0].created_at + timedelta(hours=rng.uniform(3, 60))
            accepted.append(thread)
    Thread.objects.bulk_update(
        accepted, ["accepted_post", "accepted_by", "accepted_at"], batch_size=500
    )
    through = Thread.topics.through
    through.objects.bulk_create(
        [
            through(thread_id=t.pk, topic_id=topic.pk)
            for t, topic, *_ in questions
            if topic is not None
        ],
        batch_size=500,
    )
    return len(threads)


def _post(thread, member, text, when, *, opening=False) -> Post:
    return Post(
        thread=thread, author=member.user if member else None, is_opening=opening, body=text,
        body_html=render_markdown(text), created_at=when,
        written_stage=member.stage if member else None,
        written_profession=member.user.profession if member else "",
    )  # fmt: skip


def _journal_club(community, rng, now) -> int:
    """A monthly evidence café that began with four people and grew to a full room."""
    if Event.objects.filter(community=community, title=HISTORY_JOURNAL_CLUB).exists():
        return 0
    first = datetime.combine(
        (now - timedelta(days=HISTORY_DAYS - 20)).date(), time(12, 30), tzinfo=UTC
    )
    months = 22
    event = Event.objects.create(
        community=community, title=HISTORY_JOURNAL_CLUB, kind=EventType.JOURNAL_CLUB,
        description="One paper a month that explains something we do on the ward, read together over lunch.",
        description_html=render_markdown("One paper a month that explains something we do on the ward, read together over lunch."),
        starts_at=first, ends_at=first + timedelta(hours=1), timezone="Europe/London", repeat=Repeat.MONTHLY,
        repeat_until=(first + timedelta(days=30.5 * (months - 1))).date(), location="Seminar room 2, and online",
        last_ends_at=first + timedelta(days=30.5 * (months - 1), hours=1), created_at=first - timedelta(days=14),
    )  # fmt: skip
    from practica.events import recurrence

    members = list(
        Membership.objects.filter(community=community).select_related("user").order_by("joined_at")
    )
    going = [m for m in members if not m.user.email.endswith("@example.com")][:16]
    RSVP.objects.bulk_create(
        [RSVP(event=event, user=m.user, status=RSVP.Status.GOING) for m in going]
    )
    rows = []
    for index, occurrence in enumerate(o for o in recurrence.occurrences(event) if o.start < now):
        present = [m for m in going if m.joined_at < occurrence.start]
        size = min(len(present), 3 + index * 13 // months)
        for member in rng.sample(present, size):
            rows.append(
                Attendance(
                    event=event,
                    user=member.user,
                    occurrence_start=occurrence.start,
                    recorded_at=occurrence.start + timedelta(hours=2),
                )
            )
    Attendance.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _stories(community, rng, now) -> int:
    existing = set(ValueStory.objects.filter(community=community).values_list("title", flat=True))
    steward = Membership.objects.get(community=community, user__email="steward@example.com").user
    authors = list(
        Membership.objects.filter(community=community, stage__gte=20)
        .exclude(user__email__endswith="@example.com")
        .select_related("user")
        .order_by("user__username")
    )
    participant = Membership.objects.get(
        community=community, user__email="participant@example.com"
    ).user
    threads = list(
        Thread.objects.filter(community=community, external_id__startswith="history-").order_by(
            "-created_at"
        )[:6]
    )
    event = Event.objects.filter(community=community, title=HISTORY_JOURNAL_CLUB).first()
    decision = Decision.objects.filter(community=community, outcome="adopted").first()
    quarter = last_quarter(now.astimezone(UTC).date())
    made = 0
    for index, (title, cycles, consent, chosen, took, gave, did, difference) in enumerate(STORIES):
        if title in existing:
            continue
        author = participant if index == 3 else authors[index % len(authors)].user
        # Told during the last full quarter, so the sponsor's report for it has them.
        created = datetime.combine(quarter.start, time(10), tzinfo=UTC) + timedelta(
            days=8 + index * 14
        )
        story = ValueStory.objects.create(
            community=community, author=author, title=title, took_part_in=took, what_it_gave=gave,
            did_differently=did, difference=difference, cycles=cycles, consent_to_publish=consent,
            chosen_at=created + timedelta(days=2) if chosen else None, chosen_by=steward if chosen else None,
            created_at=created, updated_at=created,
        )  # fmt: skip
        if threads:
            story.threads.add(threads[index % len(threads)])
        if event is not None and index in (0, 4):
            story.events.add(event)
        if decision and "realised" in cycles:
            story.decisions.add(decision)
        made += 1
    return made


def seed() -> str:
    community = Community.objects.get(slug="ward-care")
    rng = random.Random(20261203)
    now = timezone.now()
    left = _departures(community, rng, now)
    threads = _history(community, rng, now)
    attended = _journal_club(community, rng, now)
    stories = _stories(community, rng, now)
    days = rollup(progress=None)
    return (
        f"{threads} past questions, {left} former members, {attended} journal-club attendances, "
        f"{stories} value stories; {days} community-days rolled up"
    )
