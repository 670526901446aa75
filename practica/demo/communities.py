"""Demo community: `ward-care`, its charter, topics and the four demo members' stages."""

from __future__ import annotations

from practica.communities.models import Community, JoinPolicy, Membership, Topic, Visibility
from practica.communities.stages import Stage
from practica.people.models import Organisation, User

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


def seed() -> str:
    organisation = Organisation.objects.get(slug="riverside-health")
    community, created = Community.objects.get_or_create(
        slug="ward-care",
        defaults={
            "name": "Interprofessional ward care",
            "organisation": organisation,
            "tagline": "Nurses, doctors, pharmacists, therapists and learners improving care on the ward, together.",
            "visibility": Visibility.PUBLIC,
            "join_policy": JoinPolicy.OPEN,
        },
    )
    if created:
        community.set_charter(CHARTER)
        community.save()
    for name, slug, description in TOPICS:
        Topic.objects.get_or_create(
            community=community, slug=slug, defaults={"name": name, "description": description}
        )
    for email, stage in DEMO_STAGES.items():
        user = User.objects.get(email=email)
        Membership.objects.get_or_create(user=user, community=community, defaults={"stage": stage})
    return f"ward-care {'created' if created else 'already there'}, {community.memberships.count()} members"
