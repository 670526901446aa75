"""Demo bulletin: the Riverside Primary Health Care Research Bulletin, Volumes 9–11.

Eighteen published issues of about thirty articles, a drafted next issue ready for the
steward to publish from the editor, subscribers, and the send log of the latest issue.
Idempotent: a second run finds the bulletin and adds nothing.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from practica.bulletin.models import (
    Bulletin,
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
    SubscriberStatus,
)
from practica.bulletin.services import publication
from practica.people.models import User

SLUG = "phc-research"
NAME = "Riverside Primary Health Care Research Bulletin"
DESCRIPTION = (
    "News, findings and resources from primary health care research across the Riverside "
    "Health Network: for clinicians, researchers, managers and students."
)
UNIT = "Riverside PHC Research Unit"

# (volume, number, year, month, theme, editorial)
ISSUES = [
    (
        9,
        1,
        2024,
        4,
        "",
        "Welcome to the first issue of Volume 9. This year the bulletin moves to a quarterly rhythm while we rebuild our contributor network.",
    ),
    (
        9,
        2,
        2024,
        7,
        "Working across boundaries",
        "This issue looks at the seams of care: the handovers, referrals and discharge letters where information is most easily lost.",
    ),
    (
        9,
        3,
        2024,
        10,
        "",
        "As winter pressures build, our contributors turn to what general practices can learn from each other about demand and access.",
    ),
    (
        10,
        1,
        2025,
        2,
        "",
        "Volume 10 sees the bulletin go bi-monthly again, thanks to the many readers who sent us news of their work.",
    ),
    (
        10,
        2,
        2025,
        4,
        "Evidence into practice",
        "How does research become routine care? Three contributors describe what helped, and what got in the way.",
    ),
    (
        10,
        3,
        2025,
        6,
        "",
        "Our mid-year issue reports on the practice-based research network's first full year.",
    ),
    (
        10,
        4,
        2025,
        8,
        "",
        "Summer brings student placements to many practices; this issue is for the people who teach them.",
    ),
    (
        10,
        5,
        2025,
        10,
        "Prevention",
        "Prevention is everyone's business, but whose time does it take? This issue counts the cost.",
    ),
    (
        10,
        6,
        2025,
        12,
        "",
        "The last issue of Volume 10 rounds up the year's grants, theses and conference papers.",
    ),
    (
        11,
        1,
        2026,
        2,
        "",
        "Volume 11 begins with a change of format: the bulletin is now monthly, shorter, and online first.",
    ),
    (
        11,
        2,
        2026,
        3,
        "",
        "This month: data, and what practices can do with the data they already hold.",
    ),
    (11, 3, 2026, 4, "", "April's issue gathers work on mental health in primary care."),
    (
        11,
        4,
        2026,
        5,
        "",
        "May brings news from the research capacity building programme and a call for mentors.",
    ),
    (
        11,
        5,
        2026,
        6,
        "Focus on learning together",
        "This issue introduces our new FOCUS series, beginning with communities of practice: why they matter for primary health care, and how to start one.",
    ),
    (
        11,
        6,
        2026,
        7,
        "",
        "Mid-winter in the southern hemisphere, mid-summer in the north: our readers span both, and so does this issue.",
    ),
    (
        11,
        7,
        2026,
        8,
        "",
        "August looks at medicines: reconciliation, deprescribing and the pharmacist in the practice team.",
    ),
    (
        11,
        8,
        2026,
        9,
        "",
        "September reports from the annual Primary Health Care Research Conference.",
    ),
    (
        11,
        9,
        2026,
        10,
        "",
        "October's issue looks ahead to winter and at the evidence on vaccination uptake.",
    ),
]

# The next issue, drafted and waiting for the steward to publish it.
NEXT_ISSUE = (
    11,
    10,
    2026,
    11,
    "",
    "November's issue brings the results of our reader survey, and a thank-you to everyone who answered.",
)

AUTHORS = [
    ("Eleanor Jackson", "Research Associate, " + UNIT),
    ("Dr Samuel Okonkwo", "Senior Lecturer in General Practice, Riverside University"),
    ("Priya Raman", "Practice Nurse Educator, Eastbank Medical Centre"),
    ("Dr Hannah Lewis", "Research Fellow, " + UNIT),
    ("Tomás Reyes", "Knowledge Broker, Riverside Health Network"),
    ("Grace Whitfield", "Research Officer, " + UNIT),
    ("Dr Ahmed Karimi", "General Practitioner and PhD candidate"),
    ("Ruth Campbell", "Manager, Practice-Based Research Network"),
]

COPS_BODY = """Our new publication, *FOCUS on… Communities of practice*, gathers what the research says about a way of learning that many of our readers already take part in without naming it.

Communities of practice are groups of people who share a concern, a set of problems or a passion about a topic, and who deepen their knowledge and expertise by interacting with each other on an ongoing basis.[^1]

The idea grew out of Lave and Wenger's work on learning as a social process.[^2] Rather than learning mainly by taking in written or presented information, people learn by working alongside others in real settings, with all their complexity and contradictions, and by building up a body of knowledge together. Newcomers begin at the edge of the group, doing real but limited work, and move towards its centre as their skill and standing grow.

A network passes information along, lobbies or collaborates on an issue; a community of practice is more concerned with learning and innovating. Every community of practice has the same basic structure: a **domain** of knowledge that defines the issues it cares about, a **community** of people who care about that domain, and the shared **practice** they develop to be effective in it.[^3]

Organisations increasingly support these communities. In a complex, fast-changing environment an organisation has to learn and innovate quickly, and groups of committed people can achieve a great deal. Communities of practice are also good at sharing know-how and getting things done "between the cracks", where formal structures are not sensitive enough to context, or not well enough coordinated, to make things happen.

Seeing a community as a shared store of knowledge and organisational memory has led to knowledge-management applications. There are also examples of communities of practice helping evidence move into practice and policy through group learning, and of communities supported online so that geographically distributed members can take part.

The full *FOCUS on… Communities of practice* has more information, examples from primary health care, and resources for anyone thinking of starting one.

[^1]: Wenger, E., McDermott, R. & Snyder, W. M. (2002) *Cultivating Communities of Practice: A Guide to Managing Knowledge*. Boston: Harvard Business School Press, p. 4.
[^2]: Lave, J. & Wenger, E. (1991) *Situated Learning: Legitimate Peripheral Participation*. Cambridge: Cambridge University Press.
[^3]: Wenger, McDermott & Snyder (2002), p. 27; see also Wenger, E. (1998) *Communities of Practice: Learning, Meaning, and Identity*. Cambridge: Cambridge University Press.
"""

# title, summary, topics, author index, paragraphs (the last may carry references)
ARTICLES: list[tuple[str, str, list[str], int, list[str]]] = [
    (
        "Mapping referral pathways for older patients with falls",
        "A study across six practices traces what happens after a fall is recorded, and where patients are lost.",
        ["falls prevention", "older people", "referral pathways"],
        3,
        [
            "Over twelve months, the team followed every adult over 70 whose record noted a fall in one of six general practices. Two in five were referred on to a falls service; fewer than half of those attended an assessment.",
            "The main barriers were practical rather than clinical: transport, letters sent to old addresses, and appointments offered during hospital follow-up. Practices that named one staff member to follow referrals up had the best attendance.",
            "The team is now testing a one-page referral checklist with practice nurses. Early feedback is encouraging, and the checklist is in the shared library for anyone who wants to adapt it.",
        ],
    ),
    (
        "New grants for practice-based research",
        "Three practice teams receive seed funding for questions that came from their own consulting rooms.",
        ["research funding", "practice-based research"],
        7,
        [
            "The Practice-Based Research Network's small grants round drew twenty-one applications this year, more than double last year's. Three were funded, each for up to eighteen months.",
            "Funded projects look at telephone triage in rural practices, the experience of carers at annual health checks for people with learning disabilities, and whether pharmacist-led reviews reduce repeat prescribing of opioids.",
            "The next round opens in the new year. The panel especially welcomes applications led by nurses, allied health professionals and practice managers.",
        ],
    ),
    (
        "Handover at the practice–hospital boundary",
        "What general practitioners need from a discharge summary, in their own words.",
        ["clinical handover", "care transitions"],
        1,
        [
            "We asked 48 general practitioners which parts of a discharge summary they read first and which they act on. Medicines changes, with the reason for each change, came top by a wide margin.",
            "Summaries that listed medicines without saying what had changed, or why, created work: phone calls to wards, repeated tests, and in a few cases a stopped medicine restarted in error.",
            "A short template co-designed with two hospital teams is being piloted this year; early audits show the reason for a change now appears in four summaries out of five.",
        ],
    ),
    (
        "Who answers the phone? Access and demand in general practice",
        "A time-and-motion study of the first hour of the working day in four practices.",
        ["access", "practice organisation"],
        5,
        [
            "Between 8 and 9 in the morning, the four practices in this study received on average one call every 20 seconds. Reception staff made more clinical-adjacent decisions in that hour than at any other time of the day.",
            "Practices that offered online requests saw calls fall, but not the overall demand, which moved to later in the morning. Staff valued clear protocols and a named clinician to ask.",
            "The full report, with the data collection tool, is available from the research unit.",
        ],
    ),
    (
        "Building research capacity one question at a time",
        "A year of the research mentoring scheme: what mentors and mentees learned.",
        ["research capacity building", "mentoring"],
        0,
        [
            "Twelve clinicians from general practice, community nursing and pharmacy took part in the first year of the mentoring scheme, each paired with an experienced researcher.",
            "Most began with a question from their daily work rather than a literature gap. Mentees said the most valuable thing was permission to spend time on that question, and someone to tell them it was worth asking.",
            "Five have since presented their work at a conference, and two are writing up for publication. The scheme is recruiting mentors for next year.",
        ],
    ),
    (
        "Practice nurses and chronic disease care",
        "Nurse-led clinics for diabetes and COPD are now the norm; what does the evidence say about their outcomes?",
        ["practice nursing", "chronic disease management"],
        2,
        [
            "Practice nurses now run most routine reviews for diabetes, asthma and chronic obstructive pulmonary disease in our network. A review of recent trials suggests outcomes are at least as good as doctor-led care, with higher patient satisfaction.[^1]",
            "What matters is less who leads the clinic than protected time, access to prescribing advice, and ongoing training. Nurses in our survey asked most often for peer review of difficult cases.",
            "[^1]: Laurant, M. et al. (2018) Nurses as substitutes for doctors in primary care. *Cochrane Database of Systematic Reviews*, 7, CD001271.",
        ],
    ),
    (
        "From evidence to everyday practice: what helped",
        "Three practices describe how they adopted a new guideline, and what they would do differently.",
        ["evidence into practice", "guidelines"],
        4,
        [
            "Guidelines arrive by the hundred; very few change what happens in the consulting room. We asked three practices that did change their management of heart failure how they went about it.",
            "Each had a local champion, but none relied on one alone. They met regularly as a small group across professions, shared cases, and adapted the guideline to their population before adopting it. The group learning, they said, mattered more than the guideline itself.",
            "Practices that want to try the same approach can find the meeting outline in the library.",
        ],
    ),
    (
        "The practice-based research network turns one",
        "Forty-one practices, nine projects and a lot of learning in the network's first year.",
        ["practice-based research", "research networks"],
        7,
        [
            "The network now includes forty-one practices across urban, regional and rural areas, serving around 380,000 people.",
            "Nine projects have used the network this year, most of them small and fast: audits, surveys and feasibility studies. The network's data-sharing agreement, which took eight months to finalise, is now a template other networks have asked to use.",
            "The most frequent request from member practices is feedback: they want to hear what became of the data they contributed. From this issue on, each project will report back here.",
        ],
    ),
    (
        "Teaching in general practice: supporting students on placement",
        "What students and their practice supervisors say makes a good placement.",
        ["clinical teaching", "placements"],
        2,
        [
            "More students than ever spend part of their training in general practice. We surveyed 120 students and 35 supervisors about what made placements work.",
            "Students valued being given real, bounded tasks from the first week, and being introduced to the whole team, not only the doctors. Supervisors asked for shorter paperwork and a single contact at the university.",
            "A placement guide drawing on these findings is being written with both groups.",
        ],
    ),
    (
        "Prevention in the ten-minute consultation",
        "How much preventive care can fit in a standard appointment, and who else could deliver it.",
        ["prevention", "consultation length"],
        6,
        [
            "If a general practitioner delivered every preventive activity recommended for their patients, it would take more hours than there are in the working year. This is not a new finding, but it is rarely acted on.",
            "Practices in our network that share preventive care across the team—nurses, health care assistants, pharmacists and reception staff using recall systems—reach more eligible patients without longer consultations.",
            "We are looking for practices willing to share their recall protocols for a comparison study.",
        ],
    ),
    (
        "Smoking cessation: brief advice still works",
        "A refresher on the evidence for very brief advice, and a free training module.",
        ["prevention", "smoking cessation"],
        5,
        [
            "Thirty seconds of advice, given in the right way, increases quit attempts. The evidence for very brief advice has been consistent for two decades.[^1]",
            "The difficulty is remembering to give it. Practices that added a prompt to their clinical system doubled the proportion of smokers offered support within a year.",
            "[^1]: Aveyard, P. et al. (2012) Brief opportunistic smoking cessation interventions. *Addiction*, 107(6), 1066–1073.",
        ],
    ),
    (
        "Theses completed this year",
        "Congratulations to five research degree graduates from primary health care.",
        ["research capacity building"],
        0,
        [
            "Five members of our network completed research degrees this year, on topics from telehealth in remote communities to the experience of practice managers during organisational change.",
            "Summaries of each thesis are available from the research unit, and several authors have offered to talk to practices about their findings.",
        ],
    ),
    (
        "Online first: the bulletin's new format",
        "Why the bulletin is now monthly, shorter, and read mostly on phones.",
        ["about the bulletin"],
        5,
        [
            "Our reader survey was clear: most of you read the bulletin on a phone, between other things, and prefer shorter articles more often. From this volume the bulletin appears monthly.",
            "Every article is still available as a PDF for printing and for the staff-room noticeboard, and the full archive back to Volume 9 is online and searchable.",
        ],
    ),
    (
        "Using the data you already hold",
        "Practice records can answer many quality questions without a new study. A practical guide.",
        ["data and quality", "audit"],
        6,
        [
            "Most practices hold ten or more years of coded data. Well-chosen queries can answer questions about variation, follow-up and equity that would once have needed a research project.",
            "The guide in our library walks through five common questions, from who misses their annual review to how long referrals take, with worked examples and the pitfalls of coding.",
            "A virtual workshop on the guide runs next month; practice managers and nurses are especially welcome.",
        ],
    ),
    (
        "Mental health in primary care: the stepped-care model in practice",
        "Eighteen months after the introduction of stepped care, what has changed for patients?",
        ["mental health", "stepped care"],
        3,
        [
            "Stepped care matches the intensity of support to a person's needs and steps it up or down as those needs change. Our network's practices adopted the model eighteen months ago.",
            "Waits for low-intensity support have fallen, but people with moderate needs still wait too long, and general practitioners report uncertainty about when to step up. Shared case review between practices and the mental health team helped most.",
            "The evaluation continues for another year; interim findings are in the library.",
        ],
    ),
    (
        "Perinatal mental health: asking the question",
        "A short study of how midwives and practice nurses ask about mood during and after pregnancy.",
        ["mental health", "perinatal care"],
        2,
        [
            "Almost every woman in our study was asked about her mood at least once in pregnancy. Fewer than half were asked again after the birth, when the risk is highest.",
            "Midwives and practice nurses said they asked more readily when they knew where to refer. A single local referral sheet has since been agreed.",
        ],
    ),
    (
        "Call for research mentors",
        "Experienced researchers: share an hour a month with a clinician starting out.",
        ["mentoring", "research capacity building"],
        0,
        [
            "The mentoring scheme needs twelve new mentors for next year. Mentors meet their mentee for about an hour a month, usually online, for a year.",
            "Last year's mentors said the scheme taught them as much as it taught their mentees, about the questions that matter in everyday practice. Expressions of interest are welcome from any profession.",
        ],
    ),
    (
        "FOCUS on… Communities of practice",
        "Our new FOCUS series begins with communities of practice: what they are, why organisations support them, and how they help evidence move into practice.",
        ["communities of practice", "knowledge management", "evidence into practice"],
        0,
        [COPS_BODY],
    ),
    (
        "Starting a community of practice in your region",
        "Practical first steps from three communities that began in our network.",
        ["communities of practice", "networks"],
        4,
        [
            "The three communities we spoke to—on wound care, on child development, and on practice management—all began with a handful of people and a regular meeting, not with a plan.",
            "Each found that a clear domain, agreed early, kept the group together, and that newcomers stayed when they were given something real to contribute from the start. Online spaces helped members in distant practices take part between meetings.",
            "The coordinators are happy to talk to anyone thinking of starting a community; contact details are below.",
        ],
    ),
    (
        "Telehealth in rural practices: a two-year follow-up",
        "Video consultations settled at one in eight appointments. Who uses them, and for what?",
        ["telehealth", "rural health", "access"],
        6,
        [
            "Two years after the rapid move to video and telephone consultations, our rural practices settled at about one video consultation in eight.",
            "Video was most used for follow-ups, mental health reviews and results; least used for new problems in older patients. Patients who lived more than an hour from the practice were most positive.",
            "The practices are now testing video consultations with a nurse present in outlying clinics.",
        ],
    ),
    (
        "Winter planning with the whole team",
        "What practices that coped well with last winter did differently.",
        ["practice organisation", "access"],
        7,
        [
            "We interviewed staff in eight practices that kept waiting times stable last winter. None had a single solution; all had planned early, with the whole team in the room.",
            "Common elements were flexible clinics that could switch between routine and same-day work, a shared daily huddle, and clear messages to patients about where to go.",
        ],
    ),
    (
        "Medication reconciliation after discharge",
        "Pharmacists in practice teams find and fix one discrepancy in every two discharges.",
        ["medicines", "care transitions", "pharmacy"],
        1,
        [
            "Practice-based pharmacists in our network now reconcile medicines for most patients discharged from hospital. In a three-month audit they found at least one unexplained discrepancy in half of all discharges.",
            "Most were minor, but one in twenty could have caused harm. The commonest were doses changed without explanation and medicines stopped in hospital and restarted by repeat prescription.",
            "The audit tool is in the library; practices without a pharmacist can adapt it for nurse-led reviews.",
        ],
    ),
    (
        "Deprescribing in older people: starting the conversation",
        "How general practitioners and pharmacists talk with patients about stopping medicines.",
        ["medicines", "older people", "deprescribing"],
        3,
        [
            "Stopping a medicine can be harder than starting it. In recorded consultations, patients were most open to deprescribing when it was framed around their own goals rather than around risks.",
            "Pharmacists and general practitioners who planned the conversation together, and followed up by phone, had the most success.",
        ],
    ),
    (
        "Conference report: Primary Health Care Research Conference",
        "Highlights from three days of research, with links to the presentations by our network's members.",
        ["conferences", "practice-based research"],
        5,
        [
            "Eleven presentations at this year's conference came from our network, more than ever before. Themes included access, workforce, and learning across professions.",
            "The session that drew most discussion compared how communities of practice and formal quality improvement collaboratives support change. Both work, presenters suggested, but for different problems.",
            "Slides and posters from our members are linked below.",
        ],
    ),
    (
        "Prize for best poster goes to a practice nurse team",
        "Congratulations to the Eastbank team for their work on leg ulcer care.",
        ["practice nursing", "wound care", "conferences"],
        2,
        [
            "The poster, on a nurse-led leg ulcer clinic shared between three practices, showed healing times falling by a third over a year.",
            "The team credits a monthly case review with the district nursing service, and has offered to share its protocol.",
        ],
    ),
    (
        "Vaccination uptake: what the numbers hide",
        "Practice-level rates mask large differences between neighbourhoods.",
        ["prevention", "immunisation", "equity"],
        6,
        [
            "Across our network, influenza vaccination uptake among people over 65 looks healthy. Broken down by neighbourhood, it ranges from under half to over four in five.",
            "Practices that mapped their own data and contacted people in the lowest-uptake areas directly, by phone and in community languages, narrowed the gap within a season.",
        ],
    ),
    (
        "Equity audits: a starter kit",
        "Five questions any practice can ask of its own data about who is missing out.",
        ["equity", "data and quality", "audit"],
        4,
        [
            "Equity audits ask whether care reaches everyone who needs it, not only the average patient. Our starter kit sets out five questions and the data needed for each.",
            "Two practices have piloted the kit; both found at least one group they had not realised was missing out.",
        ],
    ),
    (
        "Learning from near misses together",
        "A cross-practice near-miss review group finds patterns no single practice could see.",
        ["patient safety", "communities of practice"],
        1,
        [
            "Six practices now bring anonymised near misses to a shared monthly review. Over a year, patterns emerged that no single practice could have seen: the same look-alike medicine names, the same gaps in results handling.",
            "Members describe the group as a community of practice in all but name: a shared concern, regular meetings, and a growing body of shared solutions.",
        ],
    ),
    (
        "Supporting carers at the annual health check",
        "Carers of people with learning disabilities tell us what helps.",
        ["carers", "learning disability", "annual health checks"],
        3,
        [
            "Carers told us that annual health checks for people with learning disabilities work best when they are sent the questions in advance and given a longer appointment.",
            "Practices that adopted both saw more health checks completed, and more follow-up actions recorded.",
        ],
    ),
    (
        "Reader survey: what you told us",
        "Three hundred readers answered; here is what will change.",
        ["about the bulletin"],
        5,
        [
            "Thank you to the 312 readers who answered our survey. You asked for more practical articles, more from nurses and allied health professionals, and a way to follow only the topics you care about.",
            "From this issue, you can subscribe to chosen topics instead of the whole bulletin, and every topic has its own RSS feed.",
        ],
    ),
    (
        "Workforce: the changing practice team",
        "Pharmacists, physiotherapists, paramedics and social prescribers: who now works in general practice?",
        ["workforce", "practice organisation"],
        7,
        [
            "In five years, the average practice in our network has added three new roles to its team. Staff and patients report broadly positive experiences, but the roles are unevenly spread.",
            "Practices that planned induction and supervision for new roles retained staff longer.",
        ],
    ),
    (
        "Social prescribing: early findings",
        "Link workers in four practices connect patients with community groups. Does it help?",
        ["social prescribing", "mental health"],
        4,
        [
            "Link workers in four practices saw over 600 people in their first year. Loneliness and low mood were the commonest reasons for referral.",
            "Patients reported feeling better supported; the effect on appointments is not yet clear. The evaluation continues.",
        ],
    ),
]

# Which issue (index in ISSUES) each article (index in ARTICLES) goes into.
PLACEMENT = {
    0: 0, 5: 0, 2: 1, 3: 2, 20: 2, 28: 3, 30: 3, 6: 4, 7: 5, 8: 6, 9: 7, 10: 7, 1: 8, 11: 8,
    12: 9, 13: 10, 14: 11, 15: 11, 4: 12, 16: 12, 17: 13, 18: 13, 19: 14, 27: 14, 21: 15,
    22: 15, 23: 16, 24: 16, 25: 17, 26: 17,
}  # fmt: skip
NEXT_ARTICLES = [29, 31]  # drafted in the next issue, for the steward to publish

CONTACTS = {
    0: "Eleanor Jackson, Research Associate, Riverside PHC Research Unit — research.unit@riverside-health.example",
    4: "Tomás Reyes, Knowledge Broker — knowledge@riverside-health.example",
    7: "Ruth Campbell, Network Manager — pbrn@riverside-health.example",
}
RELATED = {
    "communities of practice": [
        ("Ward care community charter", "/c/ward-care/"),
        ("Conversations in ward care", "/c/ward-care/conversations/"),
    ],
    "clinical handover": [("Handover resources in the library", "/c/ward-care/library/")],
    "medicines": [("Medicines conversations", "/c/ward-care/conversations/")],
}

SUBSCRIBER_NAMES = [
    "a.mensah", "b.kowalski", "c.tanaka", "d.obrien", "e.haddad", "f.silva", "g.iyer", "h.larsen",
    "i.owusu", "j.moreno", "k.fraser", "l.nguyen", "m.rossi", "n.hughes", "o.adeyemi", "p.karimi",
    "q.menon", "r.byrne", "s.cohen", "t.walker", "u.patel", "v.chen",
]  # fmt: skip


def _published_at(year: int, month: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, 3, 9, 0))


def _article_kwargs(index: int) -> dict:
    title, summary, topics, author, paragraphs = ARTICLES[index]
    authors = [AUTHORS[author]]
    if index % 7 == 4:
        authors.append(AUTHORS[(author + 3) % len(AUTHORS)])
    related = [item for topic in topics for item in RELATED.get(topic, [])]
    return {
        "title": title,
        "summary": summary,
        "body": "\n\n".join(paragraphs),
        "topics": [topic[:1].upper() + topic[1:] for topic in topics],
        "authors": authors,
        "contact": CONTACTS.get(author, ""),
        "related": related,
    }


def _make_issue(bulletin: Bulletin, spec) -> Issue:
    volume, number, year, month, title, editorial = spec
    return publication.create_issue(
        actor=None, bulletin=bulletin, volume=volume, number=number, year=year, month=month,
        title=title, editorial=editorial,
    )  # fmt: skip


def _subscribers(bulletin: Bulletin) -> list[Subscriber]:
    rng = random.Random(2026)
    topics = list(
        publication.topics_for_names(
            ["communities of practice", "mental health", "medicines"], bulletin=bulletin
        )
    )
    confirmed = []
    for i, name in enumerate(SUBSCRIBER_NAMES):
        status = SubscriberStatus.CONFIRMED
        if i in (5, 11, 17):
            status = SubscriberStatus.PENDING
        elif i in (8, 20):
            status = SubscriberStatus.UNSUBSCRIBED
        joined = timezone.now() - datetime.timedelta(days=rng.randint(40, 900))
        subscriber = Subscriber.objects.create(
            bulletin=bulletin, email=f"{name}@clinic.example", status=status,
            all_topics=i % 6 != 3, created_at=joined, confirmation_sent_at=joined,
            confirmed_at=joined + datetime.timedelta(hours=2) if status != SubscriberStatus.PENDING else None,
            unsubscribed_at=timezone.now() - datetime.timedelta(days=10) if status == SubscriberStatus.UNSUBSCRIBED else None,
        )  # fmt: skip
        if not subscriber.all_topics:
            subscriber.topics.set(rng.sample(topics, 2))
        if status == SubscriberStatus.CONFIRMED:
            confirmed.append(subscriber)
    return confirmed


def _send_log(issue: Issue, sent_at: datetime.datetime) -> int:
    """The latest issue's per-recipient log, as the worker left it."""
    queued = publication.queue_deliveries(issue=issue)
    deliveries = list(Delivery.objects.filter(issue=issue).select_related("subscriber"))
    for i, delivery in enumerate(deliveries):
        delivery.attempts = 1
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = sent_at + datetime.timedelta(seconds=2 * i)
        if i == 3:
            delivery.attempts = 2
            delivery.last_error = "SMTPServerDisconnected: Connection unexpectedly closed"
        if i == len(deliveries) - 1:
            delivery.status, delivery.sent_at = DeliveryStatus.FAILED, None
            delivery.attempts = 5
            delivery.last_error = "SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable"
    Delivery.objects.bulk_update(deliveries, ["attempts", "status", "sent_at", "last_error"])
    return queued


@transaction.atomic
def seed() -> str:
    if Bulletin.objects.filter(slug=SLUG).exists():
        return "bulletin already there"
    bulletin = Bulletin.objects.filter(community__isnull=True).first()
    if bulletin is not None:
        return f"an instance bulletin already exists ({bulletin.name}); nothing added"
    bulletin = publication.create_bulletin(
        actor=None, name=NAME, slug=SLUG, description=DESCRIPTION, issn="2207-4198"
    )
    steward = User.objects.filter(email="steward@example.com").first()
    if steward is not None:
        publication.add_editor(actor=None, bulletin=bulletin, user=steward)

    issues = [_make_issue(bulletin, spec) for spec in ISSUES]
    for article_index, issue_index in sorted(PLACEMENT.items(), key=lambda item: item[1]):
        publication.create_article(
            actor=None, issue=issues[issue_index], **_article_kwargs(article_index)
        )
    next_issue = _make_issue(bulletin, NEXT_ISSUE)
    for article_index in NEXT_ARTICLES:
        publication.create_article(actor=None, issue=next_issue, **_article_kwargs(article_index))

    subscribers = _subscribers(bulletin)
    for issue in issues:
        when = _published_at(issue.year, issue.month)
        Issue.objects.filter(pk=issue.pk).update(
            status=IssueStatus.PUBLISHED, published_at=when, published_by=steward, updated_at=when
        )
        issue.refresh_from_db()
    sent = _send_log(issues[-1], _published_at(issues[-1].year, issues[-1].month))
    articles = sum(issue.articles.count() for issue in [*issues, next_issue])
    return (
        f"{NAME}: {len(issues)} published issues and a drafted next one, {articles} articles, "
        f"{Subscriber.objects.filter(bulletin=bulletin).count()} subscribers "
        f"({len(subscribers)} confirmed), {sent} emails in the latest send log"
    )
