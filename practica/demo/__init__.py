"""The demo: an organisation, the `ward-care` community and its people.

Each seeder is idempotent and returns a short summary of what it created. Seeders run in
order; later capabilities append their own.
"""

from practica.demo import (
    badges,
    bulletin,
    communities,
    conversations,
    events,
    evidence,
    insights,
    lanyards,
    learning,
    library,
    people,
    reviews,
    topics,
    trajectory,
)
from practica.search import demo as search

DEMO_PASSWORD = "practica-demo"
DEMO_ACCOUNTS = [
    ("steward@example.com", "Steward"),
    ("full@example.com", "Full member"),
    ("participant@example.com", "Participant"),
    ("learner@example.com", "Learner"),
    ("admin@example.com", "Staff"),
]

SEEDERS = [
    ("people", people.seed),
    ("communities", communities.seed),
    ("trajectory", trajectory.seed),
    ("conversations", conversations.seed),
    ("library", library.seed),
    ("learning", learning.seed),
    ("badges", badges.seed),
    ("events", events.seed),
    ("evidence", evidence.seed),
    ("bulletin", bulletin.seed),
    ("lanyards", lanyards.seed),
    ("reviews", reviews.seed),
    ("topics", topics.seed),
    # Two years of history, stories and the rollups, once everything above exists.
    ("insights", insights.seed),
    # Last: index everything the seeders above wrote, so the demo is searchable at once.
    ("search", search.seed),
]
