"""Demo data for the library: ward-care's articles with their revisions, a learner's
pending proposed edit, the glossary, resources, references and a starter-kit collection.

Idempotent: each part is added only when it is missing.
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from practica.communities.models import Community, Membership, Topic
from practica.communities.stages import Stage
from practica.conversations.models import Thread
from practica.library.models import (
    Article,
    Collection,
    GlossaryTerm,
    ProposedEdit,
    Reference,
    Resource,
    Revision,
)
from practica.library.services.articles import add_comment, create_article, save_revision
from practica.library.services.collections import add_item, create_collection
from practica.library.services.glossary import save_term
from practica.library.services.proposals import propose_edit
from practica.library.services.references import import_references
from practica.library.services.resources import add_resource
from practica.library.services.sources import distil_thread
from practica.people.models import User


def _people(community) -> dict:
    by_email = {u.email: u for u in User.objects.filter(email__endswith="@example.com")}
    full_members = [
        m.user
        for m in Membership.objects.filter(community=community, stage=Stage.FULL, suspended=False)
        .exclude(user__email__endswith="@example.com")
        .select_related("user")
        .order_by("joined_at", "pk")[:6]
    ]
    return {
        "steward": by_email["steward@example.com"],
        "full": by_email["full@example.com"],
        "participant": by_email["participant@example.com"],
        "learner": by_email["learner@example.com"],
        "colleagues": full_members,
    }


def _backdate(article: Article, start_days_ago: int) -> None:
    """Spread the article's revisions over past weeks, so history reads like real use."""
    now = timezone.now()
    revisions = list(article.revisions.order_by("number"))
    step = max(1, start_days_ago // max(1, len(revisions)))
    times = [
        now - datetime.timedelta(days=start_days_ago - i * step, hours=3 * i + 1)
        for i in range(len(revisions))
    ]
    for revision, when in zip(revisions, times, strict=True):
        Revision.objects.filter(pk=revision.pk).update(created_at=when)
    Article.objects.filter(pk=article.pk).update(created_at=times[0], updated_at=times[-1])


def _seed_articles(community, people) -> int:
    topics = {t.slug: t for t in Topic.objects.filter(community=community)}
    writers = [people["steward"], people["full"], *people["colleagues"]]
    made = 0
    for index, spec in enumerate(ARTICLES):
        if Article.objects.filter(community=community, title=spec["title"]).exists():
            continue
        first_author = writers[index % len(writers)]
        article = create_article(
            actor=first_author,
            community=community,
            title=spec["title"],
            summary=spec["summary"],
            body="\n\n".join(spec["sections"][:-1]),
            kind=spec["kind"],
            topics=[topics[s] for s in spec["topics"] if s in topics],
            publish=True,
            edit_summary="First version",
            owners=[first_author, people["steward"]]
            if first_author != people["steward"]
            else [first_author],
        )
        second_author = writers[(index + 1) % len(writers)]
        save_revision(
            actor=second_author,
            article=article,
            base_revision_id=article.current_revision_id,
            title=article.title,
            summary=article.summary,
            body="\n\n".join(spec["sections"]),
            edit_summary=spec.get("second_summary", "Added a section"),
        )
        old, new, why = spec["third"]
        third_author = writers[(index + 2) % len(writers)]
        save_revision(
            actor=third_author,
            article=article,
            base_revision_id=article.current_revision_id,
            title=article.title,
            summary=article.summary,
            body=article.body.replace(old, new, 1),
            edit_summary=why,
            review_due=datetime.date.today()
            + datetime.timedelta(days=(-20 if index % 5 == 3 else 120 + 15 * index)),
            source_title=spec.get("source_title", ""),
            source_url=spec.get("source_url", ""),
        )
        _backdate(article, 160 - 9 * index)
        made += 1
    return made


def _seed_proposal(community, people) -> bool:
    article = Article.objects.filter(community=community, slug="isbar-handover-guide").first()
    learner = people["learner"]
    if article is None or ProposedEdit.objects.filter(article=article, proposer=learner).exists():
        return False
    propose_edit(
        actor=learner,
        article=article,
        base_revision_id=article.current_revision_id,
        title=article.title,
        summary=article.summary,
        body=article.body.replace(
            "Hand over at the bedside where you can.",
            "Hand over at the bedside where you can, and introduce yourself to the patient: "
            "on my placement, patients said it helped them know who was looking after them.",
            1,
        ),
        edit_summary="Add introducing yourself to the patient at bedside handover",
    )
    add_comment(
        actor=learner,
        article=article,
        body="Should we also use ISBAR when handing over to the night coordinator by phone?",
    )
    add_comment(
        actor=people["full"],
        article=article,
        body="Yes — the **R** matters most on the phone: say exactly what you need and by when.",
    )
    return True


def _seed_glossary(community, people) -> int:
    made = 0
    existing = set(GlossaryTerm.objects.filter(community=community).values_list("term", flat=True))
    for term, definition, synonyms in GLOSSARY:
        if term in existing:
            continue
        save_term(
            actor=people["steward"],
            community=community,
            term=term,
            definition=definition,
            synonyms=synonyms,
        )
        made += 1
    return made


def _seed_resources(community, people) -> int:
    topics = {t.slug: t for t in Topic.objects.filter(community=community)}
    made = 0
    for spec in RESOURCES:
        if Resource.objects.filter(community=community, title=spec["title"]).exists():
            continue
        uploaded = None
        if "content" in spec:
            uploaded = SimpleUploadedFile(spec["filename"], spec["content"].encode("utf-8"))
        add_resource(
            actor=people[spec["by"]],
            community=community,
            title=spec["title"],
            description=spec["description"],
            topics=[topics[s] for s in spec["topics"] if s in topics],
            uploaded=uploaded,
            url=spec.get("url", ""),
        )
        made += 1
    return made


def _seed_references(community, people) -> int:
    made = 0
    for slug, texts in REFERENCES.items():
        article = Article.objects.filter(community=community, slug=slug).first()
        if article is None or Reference.objects.filter(article=article).exists():
            continue
        for text in texts:
            made += len(import_references(actor=people["steward"], article=article, text=text))
    return made


def _seed_collection(community, people) -> bool:
    if Collection.objects.filter(
        community=community, slug="starter-kit-for-new-nurses-on-the-ward"
    ).exists():
        return False
    steward = people["steward"]
    kit = create_collection(
        actor=steward,
        community=community,
        title="Starter kit for new nurses on the ward",
        description="Start here in your first week: the things everyone on the ward relies on you "
        "to know, in the order you will need them.",
    )
    for slug, note in STARTER_KIT:
        article = Article.objects.filter(community=community, slug=slug).first()
        if article is not None:
            add_item(actor=steward, collection=kit, article=article, note=note)
    sheet = Resource.objects.filter(community=community, title="ISBAR handover prompt card").first()
    if sheet is not None:
        add_item(actor=steward, collection=kit, resource=sheet, note="Print it for your pocket.")
    return True


def _seed_collection_threads(community, people) -> int:
    """Solved ward-care questions from the conversations seeder (which runs first) as the
    starter kit's last steps; each is added once, so seeding again adds nothing."""
    kit = Collection.objects.filter(
        community=community, slug="starter-kit-for-new-nurses-on-the-ward"
    ).first()
    if kit is None:
        return 0
    kit.community = community
    added = 0
    for external_id, note in STARTER_KIT_THREADS:
        thread = Thread.objects.filter(
            community=community, external_id=external_id, accepted_post__isnull=False
        ).first()
        if thread is None or kit.items.filter(thread=thread).exists():
            continue
        add_item(actor=people["steward"], collection=kit, thread=thread, note=note)
        added += 1
    return added


# A solved question from the conversations seeder (which runs first), distilled by a full
# member; other solved threads are left for visitors to try the Distil button on.
DISTILLED_THREAD = "demo-handover-03"


def _seed_distilled(community, people) -> bool:
    thread = Thread.objects.filter(
        community=community, external_id=DISTILLED_THREAD, accepted_post__isnull=False
    ).first()
    if thread is None or Article.objects.filter(source_thread=thread).exists():
        return False
    thread.community = community
    distil_thread(actor=people["full"], thread=thread)
    return True


def seed() -> str:
    community = Community.objects.filter(slug="ward-care").first()
    if community is None:
        return "no ward-care community"
    people = _people(community)
    articles = _seed_articles(community, people)
    proposal = _seed_proposal(community, people)
    terms = _seed_glossary(community, people)
    resources = _seed_resources(community, people)
    references = _seed_references(community, people)
    kit = _seed_collection(community, people)
    kit_threads = _seed_collection_threads(community, people)
    distilled = _seed_distilled(community, people)
    return (
        f"{articles} articles, {terms} glossary terms, {resources} resources, "
        f"{references} references{', a starter-kit collection' if kit else ''}"
        f"{f', {kit_threads} conversations in the starter kit' if kit_threads else ''}"
        f"{', a pending proposed edit' if proposal else ''}"
        f"{', an article distilled from a thread' if distilled else ''}"
    )


# --- content -------------------------------------------------------------------------------------
# Each article: its first revision is every section but the last, the second adds the last
# section, the third makes the small change in "third" (old text, new text, edit summary).

ARTICLES = [
    {
        "title": "ISBAR handover guide",
        "kind": "guide",
        "topics": ["clinical-handover"],
        "summary": "How we hand over patients between shifts and teams on the ward, using ISBAR.",
        "sections": [
            "## Why a structure\nHandover is where information gets lost. A shared structure means "
            "the person taking over knows what they will hear, and can notice what is missing.",
            "## ISBAR, step by step\n- **Identify** yourself, the patient (name, date of birth, "
            "bed) and who you are handing over to.\n- **Situation**: why the patient is here and "
            "what is happening now.\n- **Background**: relevant history, allergies, medicines "
            "changed today.\n- **Assessment**: your latest observations, NEWS2 and what you think "
            "is going on.\n- **Recommendation**: what needs doing, by whom and by when.",
            "## Where and when\nHand over at the bedside where you can. Keep the conversation "
            "about confidential matters quiet, and use the written handover sheet for anything "
            "the patient should not overhear.",
            "## Common pitfalls\n- Reading the notes aloud instead of summarising.\n- Leaving the "
            'recommendation vague ("keep an eye on her").\n- Skipping the handover of pending '
            "results: say what you are waiting for.",
        ],
        "third": (
            "Skipping the handover of pending results: say what you are waiting for.",
            "Skipping the handover of pending results: say what you are waiting for and who "
            "will chase it.",
            "Pending results need an owner",
        ),
        "source_title": "Thread: how do you hand over pending bloods?",
    },
    {
        "title": "Medication reconciliation at admission",
        "kind": "how_to",
        "topics": ["medication-reconciliation"],
        "summary": "Getting an accurate list of what the patient actually takes, within 24 hours of admission.",
        "sections": [
            "## Aim\nWithin 24 hours of admission, every patient has a best possible medication "
            "history compared with what is prescribed on the ward, and every difference is "
            "explained or resolved.",
            "## Steps\n1. Use at least two sources: the patient or carer, the GP record, the "
            "community pharmacy, the patient's own medicines.\n2. Record name, dose, frequency "
            "and when it was last taken.\n3. Compare with the inpatient chart.\n4. Document each "
            "discrepancy as intended or unintended, and tell the prescriber about the unintended "
            "ones the same day.",
            "## Tips from the pharmacy team\n- Ask about eye drops, inhalers, patches, "
            "injections and over-the-counter or herbal medicines: they are often forgotten.\n- "
            "Ask how the patient really takes it, not just what the label says.",
        ],
        "third": (
            "Use at least two sources",
            "Use at least two independent sources",
            "Sources must be independent of each other",
        ),
    },
    {
        "title": "Falls risk assessment",
        "kind": "how_to",
        "topics": ["falls-prevention"],
        "summary": "A multifactorial falls risk assessment for adult inpatients aged 65 and over, or 50 and over with a condition that raises risk.",
        "sections": [
            "## Who to assess\nEvery inpatient aged 65 or over, and those aged 50 to 64 whom the "
            "clinical team judge to be at higher risk because of an underlying condition.",
            "## What to look at\n- Cognitive impairment and delirium\n- Continence problems\n- "
            "Falls history, including causes and consequences\n- Footwear\n- Health problems "
            "that may increase risk\n- Medicines, especially sedatives and antihypertensives\n- "
            "Postural instability, mobility and balance\n- Syncope\n- Visual impairment",
            "## Turning it into a plan\nFor each risk found, record one action: a lying and "
            "standing blood pressure, a medication review with the pharmacist, a walking aid "
            "within reach, a bed in sight of the nurses' station. Review the plan after any "
            "fall and at least weekly.",
        ],
        "third": (
            "at least weekly",
            "at least weekly, and whenever the patient's condition changes",
            "Review on change of condition too",
        ),
    },
    {
        "title": "NEWS2 escalation on the ward",
        "kind": "policy",
        "topics": ["deteriorating-patient"],
        "summary": "What to do at each NEWS2 score, and who to call.",
        "sections": [
            "## Scores and responses\n| NEWS2 | Frequency of observations | Response |\n|---|---|---|\n"
            "| 0 | At least 12-hourly | Routine |\n| 1–4 | At least 4–6-hourly | Registered nurse "
            "decides whether to increase frequency or escalate |\n| 3 in one parameter | At least "
            "hourly | Inform the medical team |\n| 5–6 | At least hourly | Urgent review by a "
            "clinician competent in assessing acute illness |\n| 7 or more | Continuous monitoring | "
            "Emergency response: call the critical care outreach team |",
            "## Trust your judgement\nA score is a prompt, not a ceiling. If you are worried about "
            'a patient whose score is low, escalate and say why: "I am concerned because…".',
            "## Documenting escalation\nRecord who you called, when, what you said and the plan "
            "you agreed. If the plan is not carried out within the agreed time, escalate again.",
        ],
        "third": (
            "escalate and say why",
            "escalate and say why, using ISBAR",
            "Link escalation to ISBAR",
        ),
    },
    {
        "title": "Supporting students on placement",
        "kind": "guide",
        "topics": ["placement-supervision"],
        "summary": "How the ward welcomes, supervises and assesses students and new graduates.",
        "sections": [
            "## Before the first day\nSend the welcome pack, name a practice supervisor for each "
            "shift and put the student's name on the ward board.",
            "## The first week\nStudents start at the edge and move in: they shadow handover, "
            "then take part in it, then lead it with their supervisor listening. This is "
            "legitimate peripheral participation: real work, with support, from day one.",
            "## Feedback and assessment\nGive feedback the same day, about something specific. "
            "Agree learning goals in the first week, review them at the midpoint and record "
            "progress in the practice assessment document.",
            "## When things are not going well\nRaise concerns early with the practice assessor "
            "and the university link lecturer. An action plan agreed at the midpoint is fairer "
            "than a surprise at the end.",
        ],
        "third": (
            "Give feedback the same day",
            "Give feedback the same day, in private",
            "Feedback in private",
        ),
    },
    {
        "title": "Pressure injury prevention",
        "kind": "guide",
        "topics": ["pressure-injury-prevention"],
        "summary": "Skin checks, repositioning and equipment: the SSKIN bundle on our ward.",
        "sections": [
            "## Assess within six hours\nAssess every patient's pressure injury risk within six "
            "hours of admission using the ward's risk tool, and inspect the skin, especially "
            "heels, sacrum, hips and under devices.",
            "## SSKIN\n- **Surface**: the right mattress and cushion for the risk.\n- **Skin "
            "inspection**: at every repositioning.\n- **Keep moving**: repositioning schedule "
            "written on the care plan.\n- **Incontinence and moisture**: clean, dry, barrier "
            "products.\n- **Nutrition and hydration**: screen and refer to the dietitian.",
            "## Devices\nOxygen tubing, catheters and stockings cause injuries too. Check under "
            "every device at least twice a day.",
        ],
        "third": (
            "at least twice a day",
            "at least twice a day and move it where you can",
            "Move devices as well as checking under them",
        ),
    },
    {
        "title": "Discharge checklist",
        "kind": "how_to",
        "topics": ["discharge-planning"],
        "summary": "Everything that should be done before a patient leaves the ward.",
        "sections": [
            "## The day before\n- Discharge date agreed with the patient and family\n- "
            "Transport booked if needed\n- Medicines to take home ordered from pharmacy",
            "## On the day\n- Discharge summary completed and sent to the GP\n- Medicines "
            "explained, with any changes and why\n- Follow-up appointments and referrals made\n- "
            "Cannulas removed, belongings and valuables returned",
            "## After discharge\nThe patient knows who to call with questions, and the number is "
            "written on their discharge letter.",
        ],
        "third": (
            "Medicines explained, with any changes and why",
            "Medicines explained using the medicines reconciliation record, with any changes "
            "and why",
            "Use the reconciliation record at discharge",
        ),
    },
    {
        "title": "Hand hygiene: the five moments",
        "kind": "guide",
        "topics": ["infection-prevention"],
        "summary": "When to clean your hands, and how.",
        "sections": [
            "## The five moments\n1. Before touching a patient\n2. Before a clean or aseptic "
            "procedure\n3. After body fluid exposure risk\n4. After touching a patient\n5. After "
            "touching a patient's surroundings",
            "## Soap or alcohol rub\nAlcohol hand rub for most moments. Soap and water when hands "
            "are visibly dirty and when caring for patients with diarrhoea or vomiting.",
            "## Bare below the elbows\nShort sleeves, no wrist watches or jewellery apart from a "
            "plain band, nails short and free of varnish.",
        ],
        "third": (
            "when caring for patients with diarrhoea or vomiting",
            "when caring for patients with diarrhoea or vomiting, where alcohol rub does not "
            "work against spores",
            "Explain why soap for diarrhoea",
        ),
    },
    {
        "title": "Recognising and managing delirium",
        "kind": "guide",
        "topics": ["deteriorating-patient"],
        "summary": "Screen, look for causes, and care for the person: delirium on a general ward.",
        "sections": [
            "## Screen\nScreen everyone aged 65 or over on admission and whenever behaviour "
            'changes, with the 4AT. Ask the family: "Is this how they usually are?"',
            "## Look for causes\nInfection, dehydration, pain, constipation, urinary retention, "
            "new medicines and withdrawal are the common ones. Often there is more than one.",
            "## Care for the person\nGlasses and hearing aids in, a clock and calendar in view, "
            "a familiar voice, sleep at night. Avoid moving beds and avoid sedation where you can.",
        ],
        "third": (
            "Avoid moving beds",
            "Avoid moving beds or wards",
            "Ward moves too",
        ),
    },
    {
        "title": "Frequently asked questions from new nurses",
        "kind": "faq",
        "topics": ["placement-supervision", "clinical-handover"],
        "summary": "Questions new nurses on the ward ask most, answered by the people who work here.",
        "sections": [
            "## Who do I call at night?\nThe night coordinator first, on the number on the ward "
            "board. For a NEWS2 of 7 or more, call the outreach team directly.",
            "## Where are the policies?\nOn the intranet, and the ones we use most are summarised "
            "in this library. If a summary and a policy disagree, the policy wins: tell us so we "
            "can fix the summary.",
            "## How do I hand over if I am running late?\nHand over the sickest patients first, "
            "face to face, and the rest from the written sheet. Never leave without handing over.",
        ],
        "third": (
            "Never leave without handing over.",
            "Never leave without handing over to a named nurse.",
            "Name the nurse",
        ),
    },
    {
        "title": "Deprescribing in older inpatients",
        "kind": "guide",
        "topics": ["medication-reconciliation"],
        "summary": "Admission is a chance to stop medicines that no longer help.",
        "sections": [
            "## When to think about it\nAt admission, after a fall, when a patient has ten or more "
            "regular medicines, and near the end of life.",
            "## How\nReview each medicine: why was it started, is it still working, what harm "
            "could it do, what does the patient want? Stop one thing at a time where you can, and "
            "write the plan in the discharge summary so the GP can continue it.",
            "## Usual suspects\nSedatives and hypnotics, anticholinergic medicines, proton pump "
            "inhibitors without an ongoing reason, and antihypertensives in patients who fall.",
        ],
        "third": (
            "what does the patient want?",
            "what matters to the patient?",
            "Ask what matters, not just what they want",
        ),
    },
    {
        "title": "Early mobilisation after surgery",
        "kind": "how_to",
        "topics": ["falls-prevention"],
        "summary": "Getting patients up safely on the day of or the day after surgery.",
        "sections": [
            "## Why\nEarly mobilisation lowers the risk of chest infection, clots and "
            "deconditioning, and shortens stays.",
            "## Safely\nCheck pain, nausea, blood pressure lying and standing, drains and lines. "
            "Sit out first; walk with a walking aid and a second person if needed.",
            "## Record\nWrite what the patient did (sat out 30 minutes, walked to the bathroom) "
            "so the next shift can build on it.",
        ],
        "third": (
            "Sit out first",
            "Sit on the edge of the bed, then sit out",
            "Edge of bed first",
        ),
    },
    {
        "title": "Case summary: a missed deterioration at handover",
        "kind": "case_summary",
        "topics": ["deteriorating-patient", "clinical-handover"],
        "summary": "What we learned when a rising NEWS2 was not handed over between shifts.",
        "sections": [
            "## What happened\nA patient's NEWS2 rose from 2 to 5 in the last hours of a late "
            'shift. The night team were told the patient was "settled". The score was noticed '
            "four hours later at the next observations.",
            "## What we learned\nThe handover sheet showed the admission score, not the latest "
            "one. The late shift was short-staffed and handover was rushed.",
            "## What we changed\nThe sheet now pulls the latest NEWS2 and its trend. Any score of "
            "5 or more is handed over face to face, with the plan.",
        ],
        "third": (
            "with the plan.",
            "with the plan and who is responsible for it.",
            "Name who owns the plan",
        ),
    },
    {
        "title": "Anticoagulation at transfer of care",
        "kind": "policy",
        "topics": ["medication-reconciliation", "discharge-planning"],
        "summary": "Making sure anticoagulants are continued, held or stopped on purpose when patients move.",
        "sections": [
            "## At every transfer\nState the anticoagulant, dose, indication, intended duration and "
            "the date of the last dose in the handover and the transfer letter.",
            "## Held doses\nIf a dose is held for a procedure, write when it should restart and "
            "who decides.",
            "## At discharge\nThe patient goes home with counselling, a patient-held record and "
            "a monitoring plan where needed.",
        ],
        "third": (
            "who decides.",
            "who decides, on the chart as well as in the notes.",
            "Restart plan on the chart",
        ),
    },
    {
        "title": "Nutrition and hydration rounds",
        "kind": "how_to",
        "topics": ["pressure-injury-prevention"],
        "summary": "Protected mealtimes and fluid rounds on the ward.",
        "sections": [
            "## Protected mealtimes\nNo non-urgent tasks during meals. Patients are sat up, hands "
            "cleaned, and help is ready for those who need it.",
            "## Red trays and jugs\nA red tray or jug lid means the patient needs help or "
            "monitoring. Record what they ate and drank, not just what was served.",
            "## Screening\nScreen with MUST on admission and weekly; refer to the dietitian at a "
            "score of 2 or more.",
        ],
        "third": (
            "refer to the dietitian at a score of 2 or more.",
            "refer to the dietitian at a score of 2 or more, and start a food chart.",
            "Start a food chart on referral",
        ),
    },
]

GLOSSARY = [
    ("handover", "Passing responsibility for a patient's care, and the information needed for it, from one clinician or team to another.", ["handoff", "hand-off"]),
    ("ISBAR", "A structure for handover and escalation: Identify, Situation, Background, Assessment, Recommendation.", ["SBAR"]),
    ("medication reconciliation", "Comparing what a patient actually takes with what is prescribed, at every transfer of care, and resolving each difference.", ["medicines reconciliation"]),
    ("best possible medication history", "A list of the medicines a patient takes, made from at least two independent sources.", ["BPMH"]),
    ("legitimate peripheral participation", "How newcomers learn a practice: by taking part in real work at its edge, with a defined status, and moving toward full participation (Lave and Wenger, 1991).", ["LPP"]),
    ("community of practice", "A group of people who share a concern or a passion for something they do and learn how to do it better as they interact regularly (Wenger).", ["communities of practice"]),
    ("NEWS2", "National Early Warning Score 2: a score from routine observations that prompts escalation of a deteriorating patient.", ["early warning score"]),
    ("deprescribing", "Stopping or reducing medicines whose harms now outweigh their benefits, planned with the patient.", []),
    ("delirium", "An acute, fluctuating disturbance of attention and awareness, usually caused by physical illness.", []),
    ("4AT", "A short screening test for delirium: alertness, abbreviated mental test, attention, acute change.", []),
    ("falls risk assessment", "A multifactorial assessment of why a patient might fall, with an action for each risk found.", []),
    ("pressure injury", "Damage to skin and underlying tissue from pressure or shear, usually over a bony prominence.", ["pressure ulcer", "pressure sore"]),
    ("SSKIN", "A pressure injury prevention bundle: Surface, Skin inspection, Keep moving, Incontinence and moisture, Nutrition.", []),
    ("outreach team", "The critical care outreach team, who support ward staff caring for deteriorating patients.", ["critical care outreach"]),
    ("escalation", "Asking for a more senior or specialist review because a patient's condition or the plan for it needs one.", []),
    ("practice supervisor", "A registered professional who supports and supervises a student's learning in practice on a shift.", []),
    ("practice assessor", "A registered professional who assesses a student's practice and confirms their achievement.", []),
    ("steward", "A member who cultivates the community: welcomes and promotes members, moderates and keeps the library healthy.", []),
    ("lanyard", "The label beside a member's name showing their stage in the community and their profession.", []),
    ("trajectory", "A member's path from the periphery toward full participation in the community.", []),
    ("discharge summary", "The letter sent to the GP when a patient leaves hospital: diagnosis, treatment, medicine changes and follow-up.", ["discharge letter"]),
    ("transfer of care", "Any move of a patient between teams, wards or services, when responsibility changes hands.", []),
    ("protected mealtimes", "Times when non-urgent ward activity stops so patients can eat with the help they need.", []),
    ("MUST", "The Malnutrition Universal Screening Tool, used on admission and weekly.", []),
    ("early mobilisation", "Getting patients out of bed and moving as soon as it is safe, often on the day of surgery.", []),
    ("aseptic technique", "Practices that prevent microorganisms reaching a susceptible site during a procedure.", ["ANTT"]),
    ("five moments", "The WHO's five moments for hand hygiene.", []),
    ("bare below the elbows", "Short sleeves, no watch or jewellery apart from a plain band, so hands and wrists can be cleaned properly.", []),
    ("anticoagulant", "A medicine that reduces blood clotting, such as warfarin, apixaban or low molecular weight heparin.", ["anticoagulants"]),
    ("polypharmacy", "The use of many medicines at once, commonly ten or more regular medicines, with its risk of harm.", []),
]  # fmt: skip

RESOURCES = [
    {
        "title": "ISBAR handover prompt card",
        "filename": "isbar-prompt-card.txt",
        "by": "steward",
        "topics": ["clinical-handover"],
        "description": "A pocket-sized prompt for handover and phone escalation. Print, fold, keep.",
        "content": (
            "ISBAR handover prompt card - Ward 7\n\n"
            "I  Identify: yourself, your role, the patient (name, date of birth, bed)\n"
            "S  Situation: why I am calling / what is happening now\n"
            "B  Background: admission reason, history, allergies, medicines changed today\n"
            "A  Assessment: latest observations, NEWS2 and trend, what I think is going on\n"
            "R  Recommendation: what I need, from whom, by when\n\n"
            "Before you hang up: read back the plan and agree when you will call again.\n"
        ),
    },
    {
        "title": "Falls audit template",
        "filename": "falls-audit-template.csv",
        "by": "participant",
        "topics": ["falls-prevention"],
        "description": "One row per patient aged 65 or over: was each part of the falls risk "
        "assessment done within 24 hours? Open in a spreadsheet.",
        "content": (
            "bed,age,cognition,continence,falls_history,footwear,medication_review,"
            "lying_standing_bp,vision,walking_aid_in_reach\n"
            "1,82,yes,yes,yes,no,yes,no,yes,yes\n"
            "4,77,yes,no,yes,yes,no,no,yes,yes\n"
            "9,69,yes,yes,no,yes,yes,yes,no,no\n"
        ),
    },
    {
        "title": "Royal College of Physicians: National Early Warning Score (NEWS) 2",
        "url": "https://www.rcp.ac.uk/improving-care/resources/national-early-warning-score-news-2/",
        "by": "full",
        "topics": ["deteriorating-patient"],
        "description": "The national guidance and chart that our NEWS2 escalation policy follows.",
    },
    {
        "title": "WHO: Your 5 moments for hand hygiene",
        "url": "https://www.who.int/campaigns/world-hand-hygiene-day",
        "by": "steward",
        "topics": ["infection-prevention"],
        "description": "Posters and teaching material from the World Health Organization.",
    },
]

_WENGER_2002 = """@book{wenger2002,
  author = {Wenger, Etienne and McDermott, Richard and Snyder, William M.},
  title = {Cultivating communities of practice: a guide to managing knowledge},
  publisher = {Harvard Business School Press},
  address = {Boston},
  year = {2002}
}
"""
_LAVE_WENGER_1991 = """TY  - BOOK
AU  - Lave, Jean
AU  - Wenger, Etienne
TI  - Situated learning: legitimate peripheral participation
PB  - Cambridge University Press
CY  - Cambridge
PY  - 1991
ER  -
"""
_WENGER_1998 = """@book{wenger1998,
  author = {Wenger, Etienne},
  title = {Communities of practice: learning, meaning, and identity},
  publisher = {Cambridge University Press},
  address = {Cambridge},
  year = {1998}
}
"""
REFERENCES = {
    "supporting-students-on-placement": [_LAVE_WENGER_1991, _WENGER_1998],
    "frequently-asked-questions-from-new-nurses": [_WENGER_2002],
    "isbar-handover-guide": [
        """@article{muller2018,
  author = {Müller, Martin and Jürgens, Jana and Redaèlli, Marcus and Klingberg, Karsten and Hautz, Wolf E. and Stock, Stephanie},
  title = {Impact of the communication and patient hand-off tool SBAR on patient safety: a systematic review},
  journal = {BMJ Open},
  volume = {8},
  number = {8},
  pages = {e022202},
  year = {2018},
  doi = {10.1136/bmjopen-2018-022202}
}
"""
    ],
}

STARTER_KIT = [
    (
        "frequently-asked-questions-from-new-nurses",
        "The questions everyone asks in their first week.",
    ),
    ("isbar-handover-guide", "You will hand over on your first shift: read this first."),
    ("news2-escalation-on-the-ward", "Know when, and whom, to call."),
    ("falls-risk-assessment", "Most of our patients are at risk of falling."),
    ("hand-hygiene-the-five-moments", "Every patient, every time."),
    ("discharge-checklist", "For when your patients go home."),
]

STARTER_KIT_THREADS = [
    ("demo-deter-01", "What colleagues here do when the score says escalate."),
    ("demo-placement-04", "It is fine to say you have not been taught something yet."),
]
