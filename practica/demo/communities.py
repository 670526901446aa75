"""Demo communities: `ward-care` with all ~44 demo people across the stages, an
organisation-only community with a pending join request, and a private, invitation-only
one with an outstanding invitation. Running it again adds nothing."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from practica.communities.models import (
    Community,
    Invitation,
    JoinPolicy,
    JoinRequest,
    Membership,
    StageChange,
    Topic,
    Visibility,
)
from practica.communities.services.membership import INVITATION_DAYS
from practica.communities.stages import Stage
from practica.demo.people import colleagues
from practica.people.models import Organisation, Profession, User

CHARTER = """\
**Interprofessional ward care** is a community of practice for everyone who looks after
adult inpatients on general medical and surgical wards: nurses, doctors, pharmacists,
physiotherapists and occupational therapists, health care assistants, ward clerks, and the
students and new graduates learning alongside them.

### Our domain
Safe, kind, well-coordinated care on the ward — the things no single profession can get
right on its own.

### The issues we care about
- Clinical handover between shifts and between teams (ISBAR and beyond)
- Medication reconciliation at admission, transfer and discharge
- Falls prevention and early mobilisation
- Recognising the deteriorating patient
- Supervising and supporting learners on placement

### Who it is for
Anyone working or learning on an adult ward in the Riverside Health Network and its partner
sites. Learners are welcome from their first day: ask anything, and watch how the experienced
members work.
"""

TOPICS = [
    ("Clinical handover", "clinical-handover", "Shift-to-shift and team-to-team handover, ISBAR."),
    ("Medication reconciliation", "medication-reconciliation", "Getting the medicines list right at every transition."),
    ("Falls prevention", "falls-prevention", "Multifactorial risk assessment and prevention."),
    ("Deteriorating patient", "deteriorating-patient", "Early warning scores and escalation."),
    ("Placement supervision", "placement-supervision", "Supporting students and new graduates."),
    ("Discharge planning", "discharge-planning", "Safe, timely discharge and transfers of care."),
    ("Infection prevention", "infection-prevention", "Hand hygiene, isolation, device care."),
    ("Pressure injury prevention", "pressure-injury-prevention", "Skin checks, repositioning, equipment."),
]  # fmt: skip

DEMO_STAGES = {
    "steward@example.com": Stage.STEWARD,
    "full@example.com": Stage.FULL,
    "participant@example.com": Stage.PARTICIPANT,
    "learner@example.com": Stage.PERIPHERAL,
}
# Days ago each demo account joined ward-care: the steward founded it 18 months ago.
DEMO_JOINED_DAYS_AGO = {
    "steward@example.com": 545,
    "full@example.com": 430,
    "participant@example.com": 150,
    "learner@example.com": 10,
}
# How many colleagues join ward-care at each stage besides the demo accounts (the rest
# are learners): 3 stewards, ~10 full members, ~12 participants in all.
COLLEAGUE_STAGES = [(Stage.STEWARD, 2), (Stage.FULL, 9), (Stage.PARTICIPANT, 11)]
# Oldest and newest joining dates, in days ago, by stage: seniority takes time.
JOINED_SPANS = {
    Stage.STEWARD: (420, 540),
    Stage.FULL: (240, 520),
    Stage.PARTICIPANT: (60, 300),
    Stage.PERIPHERAL: (3, 200),
}

AMS_CHARTER = """\
**Antimicrobial stewardship** brings together the pharmacists, infection specialists,
microbiologists, prescribers and nurses of the Riverside Health Network who want every
antibiotic to be the right one, at the right dose, for the right time.

### Our domain
Prescribing, reviewing and stopping antimicrobials well, in hospital and at discharge.

### The issues we care about
- Empirical prescribing guidelines and how they are used on the wards
- The 48–72 hour antibiotic review ("start smart, then focus")
- IV-to-oral switch and outpatient parenteral therapy
- Penicillin allergy de-labelling
- Surveillance data and feedback to prescribers

### Who it is for
Staff of the Riverside Health Network. Ask to join and tell the stewards your role: we
welcome learners who are interested in infection and prescribing.
"""
AMS_TOPICS = [
    ("Empirical prescribing", "empirical-prescribing", "Local guidelines and first choices."),
    ("Antibiotic review", "antibiotic-review", "The 48–72 hour review and stopping well."),
    ("IV to oral switch", "iv-to-oral-switch", "When and how to switch."),
    ("Penicillin allergy", "penicillin-allergy", "Assessing and de-labelling allergy."),
    ("Surveillance", "surveillance", "Usage and resistance data, and feedback."),
]

TEACHING_CHARTER = """\
**Clinical teaching** is a small, private group for the people who supervise students and
new graduates on placement across the network: practice educators, clinical supervisors
and preceptors from every profession.

### Our domain
Teaching and assessing in the clinical workplace.

### The issues we care about
- Giving feedback that helps, on a busy shift
- Assessing competence fairly and documenting it
- Supporting a struggling learner early
- Looking after ourselves as supervisors

### Who it is for
Supervisors and educators, by invitation, so members can talk candidly about difficult
placements. Nothing here identifies a student.
"""
TEACHING_TOPICS = [
    ("Feedback", "feedback", "Giving and receiving feedback on placement."),
    ("Assessment", "assessment", "Workplace-based assessment and sign-off."),
    ("Struggling learners", "struggling-learners", "Early signs and support plans."),
    ("Supervisor wellbeing", "supervisor-wellbeing", "Looking after the people who teach."),
]


def _member(community, user, stage, joined_at, *, record_joined: bool = True) -> bool:
    """Ensure `user` is a member, with its JOINED stage change; True when newly made."""
    membership, created = Membership.objects.get_or_create(
        user=user,
        community=community,
        defaults={"stage": stage, "joined_at": joined_at, "stage_changed_at": joined_at},
    )
    if record_joined and not membership.stage_changes.exists():
        StageChange.objects.create(
            membership=membership,
            kind=StageChange.Kind.JOINED,
            from_stage=Stage.VISITOR,
            to_stage=Stage.PERIPHERAL,
            reason="Joined the community.",
            # A moment after joined_at, so the record orders after the membership it records.
            created_at=membership.joined_at + timedelta(seconds=1),
        )
    return created


def _community(slug, *, topics, charter, **fields) -> tuple[Community, bool]:
    community, created = Community.objects.get_or_create(slug=slug, defaults=fields)
    if created:
        community.set_charter(charter)
        community.save()
    for name, topic_slug, description in topics:
        Topic.objects.get_or_create(
            community=community,
            slug=topic_slug,
            defaults={"name": name, "description": description},
        )
    return community, created


def _ward_care(organisation, now) -> tuple[Community, bool, int]:
    community, created = _community(
        "ward-care",
        topics=TOPICS,
        charter=CHARTER,
        name="Interprofessional ward care",
        organisation=organisation,
        tagline="Nurses, doctors, pharmacists, therapists and learners improving care on the ward, together.",
        visibility=Visibility.PUBLIC,
        join_policy=JoinPolicy.OPEN,
    )
    # Members past the first stage get their whole history, JOINED row included, from
    # demo/trajectory.py, which writes it to fit their promotions; learners get it here.
    joined = 0
    for email, stage in DEMO_STAGES.items():
        user = User.objects.get(email=email)
        when = now - timedelta(days=DEMO_JOINED_DAYS_AGO[email], hours=2)
        joined += _member(community, user, stage, when, record_joined=stage == Stage.PERIPHERAL)
    # Colleagues: learners on placement stay learners; the others fill the senior stages
    # in a fixed order, so every run gives everyone the same stage.
    emails = [person["email"] for person in colleagues()]
    people = {u.email: u for u in User.objects.filter(email__in=emails)}
    seniors = [e for e in emails if people[e].profession != Profession.LEARNER]
    stage_of: dict[str, int] = {}
    position = 0
    for stage, count in COLLEAGUE_STAGES:
        for email in seniors[position : position + count]:
            stage_of[email] = stage
        position += count
    rng = random.Random(20261122)
    for email in emails:
        stage = stage_of.get(email, Stage.PERIPHERAL)
        low, high = JOINED_SPANS[stage]
        when = now - timedelta(days=rng.randint(low, high), hours=rng.randint(0, 23))
        joined += _member(
            community, people[email], stage, when, record_joined=stage == Stage.PERIPHERAL
        )
    return community, created, joined


def _antimicrobial(organisation, now) -> tuple[Community, bool]:
    community, created = _community(
        "antimicrobial-stewardship",
        topics=AMS_TOPICS,
        charter=AMS_CHARTER,
        name="Antimicrobial stewardship",
        organisation=organisation,
        tagline="Right drug, right dose, right duration: prescribers, pharmacists and infection teams.",
        visibility=Visibility.ORGANISATION,
        join_policy=JoinPolicy.REQUEST,
    )
    full = User.objects.get(email="full@example.com")
    _member(community, full, Stage.STEWARD, now - timedelta(days=300))
    members = User.objects.filter(
        email__endswith="@riverside-health.example",
        profession__in=[Profession.PHARMACIST, Profession.DOCTOR],
    ).order_by("username")[:6]
    for index, user in enumerate(members):
        stage = Stage.FULL if index < 2 else Stage.PARTICIPANT if index < 4 else Stage.PERIPHERAL
        _member(community, user, stage, now - timedelta(days=280 - index * 40))
    # The learner has asked to join and waits for Daniel (full@example.com, its steward).
    learner = User.objects.get(email="learner@example.com")
    if not Membership.objects.filter(community=community, user=learner).exists():
        JoinRequest.objects.get_or_create(
            community=community,
            user=learner,
            status=JoinRequest.Status.PENDING,
            defaults={
                "message": "I'm a third-year nursing student on Ward 7 and want to understand "
                "why we review antibiotics at 48 hours.",
                "created_at": now - timedelta(days=1, hours=4),
            },
        )
    return community, created


def _clinical_teaching(organisation, now) -> tuple[Community, bool]:
    community, created = _community(
        "clinical-teaching",
        topics=TEACHING_TOPICS,
        charter=TEACHING_CHARTER,
        name="Clinical teaching",
        organisation=organisation,
        tagline="A private space for placement supervisors and practice educators.",
        visibility=Visibility.PRIVATE,
        join_policy=JoinPolicy.INVITE,
    )
    # Its steward is a senior nurse educator; the demo steward account stays in ward-care only.
    nurses = list(
        User.objects.filter(
            email__endswith="@riverside-health.example", profession=Profession.NURSE
        ).order_by("username")[:4]
    )
    steward = nurses[0]
    _member(community, steward, Stage.STEWARD, now - timedelta(days=200))
    participant = User.objects.get(email="participant@example.com")
    _member(community, participant, Stage.PARTICIPANT, now - timedelta(days=90))
    for index, user in enumerate(nurses[1:]):
        stage = Stage.FULL if index == 0 else Stage.PERIPHERAL
        _member(community, user, stage, now - timedelta(days=150 - index * 30))
    # An invitation waits for a new practice educator who has no account yet.
    email = "new.educator@riverside-health.example"
    if not Invitation.objects.filter(community=community, email=email).exists():
        Invitation.objects.create(
            community=community,
            email=email,
            invited_by=steward,
            created_at=now - timedelta(days=2),
            expires_at=now - timedelta(days=2) + timedelta(days=INVITATION_DAYS),
        )
    return community, created


@transaction.atomic
def _proposal(now) -> None:
    """A proposal waiting in the staff's queue (admin@example.com decides on it)."""
    from practica.communities.models import CommunityProposal

    steward = User.objects.get(email="steward@example.com")
    CommunityProposal.objects.get_or_create(
        proposed_by=steward,
        slug="discharge-planning",
        defaults={
            "name": "Discharge planning",
            "tagline": "Getting people home safely, on time, with the right support.",
            "charter": "Nurses, therapists, pharmacists, social workers and ward clerks who "
            "plan discharges together: criteria-led discharge, medicines to take home, "
            "equipment and care packages, and what happens in the first week at home.",
            "reason": "Half the threads tagged discharge in ward-care are really about "
            "community services. The discharge coordinators across three hospitals asked "
            "for a place of their own, with the community teams invited.",
            "created_at": now - timedelta(days=2),
        },
    )


def seed() -> str:
    organisation = Organisation.objects.get(slug="riverside-health")
    now = timezone.now()
    ward_care, created, joined = _ward_care(organisation, now)
    _antimicrobial(organisation, now)
    _clinical_teaching(organisation, now)
    _proposal(now)
    made = "created" if created else "already there"
    return (
        f"ward-care {made}, {ward_care.memberships.count()} members ({joined} new); "
        "antimicrobial-stewardship and clinical-teaching ready"
    )
