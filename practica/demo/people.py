"""Demo people: the organisation, the four demo accounts and ~40 colleagues."""

from __future__ import annotations

import random

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from practica.people.models import ExpertiseArea, Organisation, Profession, User

PASSWORD = "practica-demo"

ORGANISATION = {
    "name": "Riverside Health Network",
    "slug": "riverside-health",
    "email_domain": "riverside-health.example",
}

# email, username, display name, profession, location, time zone, expertise, bio
DEMO_ACCOUNTS = [
    ("steward@example.com", "mira.okafor", "Mira Okafor", Profession.NURSE, "Leeds, UK",
     "Europe/London", ["clinical handover", "practice development", "ward leadership"],
     "Nurse consultant for acute medicine. I steward the ward-care community and care most "
     "about **safe handover** and helping new staff find their feet."),
    ("full@example.com", "daniel.reyes", "Daniel Reyes", Profession.PHARMACIST, "Toronto, Canada",
     "America/Toronto", ["medication reconciliation", "antimicrobial stewardship", "deprescribing"],
     "Clinical pharmacist on the medical admissions unit. Happy to talk through anything "
     "about medicines at the interfaces of care."),
    ("participant@example.com", "aisha.rahman", "Aisha Rahman", Profession.ALLIED_HEALTH,
     "Sydney, Australia", "Australia/Sydney", ["falls prevention", "early mobilisation"],
     "Physiotherapist in older persons’ care, two years qualified."),
    ("learner@example.com", "tom.fletcher", "Tom Fletcher", Profession.LEARNER, "Manchester, UK",
     "Europe/London", ["patient experience"],
     "Third-year nursing student on placement on Ward 7. Learning a lot, asking a lot."),
]  # fmt: skip

# The instance administrator: staff, belongs to no community, creates communities and
# decides on proposed ones (communities/capabilities.py, InstanceCapability).
ADMIN_ACCOUNT = (
    "admin@example.com", "sam.whitaker", "Sam Whitaker", Profession.ADMINISTRATIVE,
    "Leeds, UK", "Europe/London", ["knowledge management"],
    "Runs Practica for Riverside Health: sets up communities and their first stewards.",
)  # fmt: skip

FIRST = [
    "Amelia", "Priya", "Kwame", "Sofia", "Liam", "Hannah", "Mateo", "Grace", "Oluwaseun",
    "Chloe", "Ethan", "Mei", "Noah", "Fatima", "Lucas", "Isla", "Ravi", "Zara", "Callum",
    "Leilani", "Jack", "Nadia", "Samuel", "Ingrid", "Tariq", "Ella", "Hiroshi", "Ruth",
    "Declan", "Ananya", "Ben", "Marta", "Kofi", "Sienna", "Owen", "Yasmin", "Harvey",
    "Lucia", "Arjun", "Bethany",
]  # fmt: skip
LAST = [
    "Nguyen", "Patel", "Mensah", "García", "O'Brien", "Walker", "Rossi", "Campbell", "Adeyemi",
    "Martin", "Wilson", "Chen", "Thompson", "Hussain", "Silva", "MacDonald", "Sharma", "Ali",
    "Fraser", "Kahale", "Murphy", "Haddad", "Taylor", "Larsen", "Qureshi", "Evans", "Tanaka",
    "Cohen", "Byrne", "Iyer", "Roberts", "Kowalski", "Owusu", "Brown", "Jones", "Karimi",
    "Hughes", "Moreno", "Menon", "Clarke",
]  # fmt: skip
PLACES = [
    ("Leeds, UK", "Europe/London"), ("Bradford, UK", "Europe/London"),
    ("Glasgow, UK", "Europe/London"), ("Cardiff, UK", "Europe/London"),
    ("Dublin, Ireland", "Europe/Dublin"), ("Toronto, Canada", "America/Toronto"),
    ("Vancouver, Canada", "America/Vancouver"), ("Halifax, Canada", "America/Halifax"),
    ("Sydney, Australia", "Australia/Sydney"), ("Melbourne, Australia", "Australia/Melbourne"),
    ("Perth, Australia", "Australia/Perth"), ("Brisbane, Australia", "Australia/Brisbane"),
    ("Auckland, New Zealand", "Pacific/Auckland"),
]  # fmt: skip
ROLES = {
    Profession.DOCTOR: ("Consultant physician", ["sepsis recognition", "delirium", "clinical handover", "deprescribing"]),
    Profession.NURSE: ("Ward nurse", ["pressure injury prevention", "clinical handover", "falls prevention", "wound care", "patient experience"]),
    Profession.MIDWIFE: ("Midwife", ["postnatal care", "perinatal mental health"]),
    Profession.PHARMACIST: ("Clinical pharmacist", ["medication reconciliation", "anticoagulation", "antimicrobial stewardship"]),
    Profession.ALLIED_HEALTH: ("Occupational therapist", ["discharge planning", "falls prevention", "early mobilisation"]),
    Profession.ADMINISTRATIVE: ("Ward administrator", ["bed management", "rostering"]),
    Profession.LEARNER: ("Student on placement", ["placement supervision", "reflective practice"]),
    Profession.OTHER: ("Health care assistant", ["nutrition and hydration", "patient experience"]),
}  # fmt: skip
PROFESSION_MIX = (
    [Profession.NURSE] * 12 + [Profession.DOCTOR] * 7 + [Profession.PHARMACIST] * 4
    + [Profession.ALLIED_HEALTH] * 6 + [Profession.MIDWIFE] * 2 + [Profession.ADMINISTRATIVE] * 3
    + [Profession.LEARNER] * 4 + [Profession.OTHER] * 2
)  # fmt: skip


def colleagues() -> list[dict]:
    """Forty colleagues, the same forty every run."""
    rng = random.Random(20261121)
    # Separate, so the choices of what to show leave everyone else's details as they were.
    sharing = random.Random(20261203)
    professions = PROFESSION_MIX[:]
    rng.shuffle(professions)
    people = []
    for i, (first, last) in enumerate(zip(FIRST, LAST, strict=True)):
        profession = professions[i % len(professions)]
        role, areas = ROLES[profession]
        location, zone = PLACES[rng.randrange(len(PLACES))]
        chosen = rng.sample(areas, k=min(len(areas), rng.randint(1, 3)))
        years = rng.randint(1, 25)
        username = f"{first}.{last}".lower().replace("'", "").replace("í", "i")
        bio = (
            f"{role} in {location.split(',')[0]}"
            + (f" with {years} years in practice." if profession != Profession.LEARNER else ".")
            + f" Interested in {', '.join(chosen)}."
        )
        people.append(
            {
                "email": f"{username}@riverside-health.example",
                "username": username,
                "display_name": f"{first} {last}",
                "profession": profession,
                "location": location,
                "timezone": zone,
                "expertise": chosen,
                "bio": bio,
                **_choices_of_what_to_show(sharing),
            }
        )
    return people


def _choices_of_what_to_show(rng: random.Random) -> dict:
    """Most show their organisation; about half their place, zone and clock."""
    timezone = rng.random() < 0.5
    return {
        "share_organisation": rng.random() < 0.9,
        "share_location": rng.random() < 0.6,
        "share_timezone": timezone,
        "share_local_time": timezone and rng.random() < 0.8,
    }


# The demo accounts show everything, so each page shows what a profile can hold.
SHOW_EVERYTHING = {
    "share_organisation": True,
    "share_location": True,
    "share_timezone": True,
    "share_local_time": True,
}


def _ensure_person(organisation, data: dict, password_hash: str) -> bool:
    user, created = User.objects.get_or_create(
        email=data["email"],
        defaults={
            "username": data["username"],
            "display_name": data["display_name"],
            "profession": data["profession"],
            "location": data["location"],
            "timezone": data["timezone"],
            "organisation": organisation,
            "password": password_hash,
            **{key: value for key, value in data.items() if key.startswith("share_")},
        },
    )
    if created:
        user.set_bio(data["bio"])
        user.save(update_fields=["bio", "bio_html"])
        user.expertise.set(ExpertiseArea.for_names(data["expertise"]))
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    return created


def seed() -> str:
    organisation, _ = Organisation.objects.get_or_create(
        slug=ORGANISATION["slug"], defaults=ORGANISATION
    )
    password_hash = make_password(PASSWORD)
    made = 0
    for email, username, name, profession, location, zone, areas, bio in DEMO_ACCOUNTS:
        made += _ensure_person(
            organisation,
            {
                "email": email, "username": username, "display_name": name,
                "profession": profession, "location": location, "timezone": zone,
                "expertise": areas, "bio": bio, **SHOW_EVERYTHING,
            },
            password_hash,
        )  # fmt: skip
    email, username, name, profession, location, zone, areas, bio = ADMIN_ACCOUNT
    admin = {
        "email": email, "username": username, "display_name": name, "profession": profession,
        "location": location, "timezone": zone, "expertise": areas, "bio": bio,
    }  # fmt: skip
    if _ensure_person(organisation, admin, password_hash):
        made += 1
        User.objects.filter(email=email).update(is_staff=True, show_in_directory=False)
    for data in colleagues():
        made += _ensure_person(organisation, data, password_hash)
    return f"{made} people created, {User.objects.count()} in all"
