"""Topics on the demo's events, module, glossary entries and evidence summaries, so each
topic page of ward-care gathers more than threads and articles. Through the services of
each app; idempotent (an item that has topics already is left alone)."""

from __future__ import annotations

from practica.communities.models import Community, Topic
from practica.events import services as events
from practica.events.models import Event
from practica.evidence.models import EvidenceSummary
from practica.evidence.services.summaries import tag_summary
from practica.learning.models import Module
from practica.learning.services.authoring import update_module
from practica.library.models import GlossaryTerm
from practica.library.services.glossary import save_term
from practica.people.models import User

# Words in a title (or a term and its definition) and the topic they point to.
KEYWORDS = [
    (("handover", "isbar", "sbar", "journal club"), "clinical-handover"),
    (("deteriorat", "news2", "early warning", "sepsis", "escalat"), "deteriorating-patient"),
    (("discharge", "transfer of care"), "discharge-planning"),
    (("fall",), "falls-prevention"),
    (("infection", "hand hygiene", "antimicrobial", "aseptic"), "infection-prevention"),
    (
        ("medication", "medicines", "pharmacist", "anticoag", "warfarin"),
        "medication-reconciliation",
    ),
    (("placement", "learner", "supervis", "communit", "legitimate"), "placement-supervision"),
    (("pressure", "heel", "skin"), "pressure-injury-prevention"),
]


def _topics_for(text: str, topics: dict[str, Topic]) -> list[Topic]:
    text = text.casefold()
    return [
        topics[slug] for words, slug in KEYWORDS if slug in topics and any(w in text for w in words)
    ]


def seed() -> str:
    community = Community.objects.get(slug="ward-care")
    steward = User.objects.get(email="steward@example.com")
    topics = {t.slug: t for t in Topic.objects.filter(community=community)}
    tagged = {"events": 0, "modules": 0, "glossary entries": 0, "evidence summaries": 0}
    for event in Event.objects.filter(community=community).prefetch_related("topics"):
        found = _topics_for(f"{event.title} {event.description}", topics)
        organiser = event.organisers.first() or event.created_by
        if found and not event.topics.all() and organiser and not event.is_cancelled:
            events.update_event(actor=organiser, event=event, topics=found)
            tagged["events"] += 1
    for module in Module.objects.filter(community=community).prefetch_related("topics", "owners"):
        found = _topics_for(f"{module.title} {module.overview}", topics)
        owner = module.owners.first()
        if found and not module.topics.all() and owner:
            update_module(
                actor=owner,
                module=module,
                title=module.title,
                overview=module.overview,
                outcomes=module.outcomes,
                estimated_minutes=module.estimated_minutes,
                topics=found,
            )
            tagged["modules"] += 1
    for term in GlossaryTerm.objects.filter(community=community):
        found = _topics_for(f"{term.term} {term.definition}", topics)
        if found and not term.topics.exists():
            save_term(
                actor=steward,
                community=community,
                term=term.term,
                definition=term.definition,
                synonyms=term.synonyms,
                existing=term,
                confirm_guard=True,
                topics=found,
            )
            tagged["glossary entries"] += 1
    for summary in EvidenceSummary.objects.filter(community=community):
        found = _topics_for(f"{summary.title} {summary.question}", topics)
        if found and not summary.topics.exists():
            tag_summary(actor=steward, summary=summary, topics=found)
            tagged["evidence summaries"] += 1
    return "tagged " + ", ".join(f"{n} {what}" for what, n in tagged.items())
