"""Writes of the insights app: departures now; value-creation stories below."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from practica.communities.capabilities import Capability, CapabilityDenied, require
from practica.communities.models import Membership
from practica.insights.models import Cycle, Departure, ValueStory
from practica.privacy.guard import screen
from practica.reliability.idempotency import once_per_key


def record_departure(membership: Membership) -> Departure:
    """Keep the leaver for the figures before their membership row is deleted."""
    return Departure.objects.create(
        community_id=membership.community_id,
        user_id=membership.user_id,
        stage=membership.stage,
        joined_at=membership.joined_at,
        left_at=timezone.now(),
    )


# --- value-creation stories ----------------------------------------------------------------------

STORY_TEXTS = ("title", "took_part_in", "what_it_gave", "did_differently", "difference")


@dataclass(frozen=True)
class StoryLinks:
    threads: list = field(default_factory=list)
    articles: list = field(default_factory=list)
    events: list = field(default_factory=list)
    decisions: list = field(default_factory=list)


def _check_cycles(cycles: list[str]) -> list[str]:
    chosen = [c for c in Cycle.values if c in set(cycles)]
    if not chosen or len(chosen) != len(set(cycles)):
        raise ValidationError({"cycles": "Choose at least one cycle of value the story reaches."})
    return chosen


def _check_links(community, links: StoryLinks) -> None:
    for name in ("threads", "articles", "events", "decisions"):
        for obj in getattr(links, name):
            if obj.community_id != community.pk:
                raise ValidationError({"links": f"Link only to what is part of {community.name}."})


@once_per_key("insights.tell_story")
def tell_story(
    *,
    actor,
    community,
    title: str,
    took_part_in: str,
    what_it_gave: str,
    did_differently: str = "",
    difference: str = "",
    cycles: list[str],
    links: StoryLinks | None = None,
    consent_to_publish: bool = False,
    confirm_guard: bool = False,
) -> ValueStory:
    """Record a member's value-creation story. Raises PatientDataFound (privacy.guard) for
    text that looks like it identifies a patient."""
    require(actor, Capability.TELL_STORY, community=community)
    links = links or StoryLinks()
    cycles = _check_cycles(cycles)
    _check_links(community, links)
    texts = {
        "title": title,
        "took_part_in": took_part_in,
        "what_it_gave": what_it_gave,
        "did_differently": did_differently,
        "difference": difference,
    }
    screening = screen(
        actor=actor,
        community=community,
        where="value-creation story",
        texts=texts,
        confirmed=confirm_guard,
    )
    with transaction.atomic():
        story = ValueStory(
            community=community,
            author=actor,
            cycles=cycles,
            consent_to_publish=consent_to_publish,
            **texts,
        )
        story.full_clean()
        story.save()
        story.threads.set(links.threads)
        story.articles.set(links.articles)
        story.events.set(links.events)
        story.decisions.set(links.decisions)
        screening.record(story)
    return story


def set_story_consent(*, actor, story: ValueStory, consent: bool) -> ValueStory:
    """Only the author gives or withdraws consent to publication outside the community."""
    if story.author_id != actor.pk:
        raise CapabilityDenied("Only the person who told a story can consent to publishing it.")
    story.consent_to_publish = consent
    story.updated_at = timezone.now()
    story.save(update_fields=["consent_to_publish", "updated_at"])
    return story


def choose_story(*, actor, story: ValueStory, chosen: bool) -> ValueStory:
    """A steward chooses a story for the sponsor's report (shown there only with consent)."""
    require(actor, Capability.VIEW_ANALYTICS, community=story.community)
    story.chosen_at = timezone.now() if chosen else None
    story.chosen_by = actor if chosen else None
    story.save(update_fields=["chosen_at", "chosen_by"])
    return story
