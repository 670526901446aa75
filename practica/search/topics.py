"""Topic searches: a saved search for every topic of every community, with a stable URL."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from practica.search import facets
from practica.search.engine import COUNT_CAP, count_each
from practica.search.facets import FacetQuery


@dataclass(frozen=True)
class TopicSearch:
    community: object
    topic: object
    count: int  # at most COUNT_CAP
    capped: bool = False  # more than COUNT_CAP: shown as "1000+"

    @property
    def url(self) -> str:
        return reverse(
            "search:topic",
            kwargs={"community_slug": self.community.slug, "topic_slug": self.topic.slug},
        )


def _counts(user, topics: list) -> dict[int, int]:
    """Readable entries of each topic (by topic id), at most COUNT_CAP + 1 each, in one
    query answered by the full-text index's facet tokens alone."""
    any_of, none_of = facets.scope_tokens(user)
    scope = FacetQuery([any_of], none_of)
    return count_each(
        {
            topic.pk: scope.where(facets.community(topic.community_id)).where(
                facets.topic(topic.slug)
            )
            for topic in topics
        }
    )


def topic_searches(user, *, community=None, topics=None) -> list[TopicSearch]:
    """Every topic search `user` may open (of one community, or of some topics), with counts."""
    from practica.communities.capabilities import readable_communities_q
    from practica.communities.models import Topic

    chosen = Topic.objects.filter(readable_communities_q(user, "community__")).select_related(
        "community"
    )
    if community is not None:
        chosen = chosen.filter(community=community)
    if topics is not None:
        chosen = chosen.filter(pk__in=[t.pk for t in topics])
    chosen = list(chosen.order_by("community__name", "name"))
    counts = _counts(user, chosen)
    return [
        TopicSearch(
            t.community, t, min(counts.get(t.pk, 0), COUNT_CAP), counts.get(t.pk, 0) > COUNT_CAP
        )
        for t in chosen
    ]


def related_topic_searches(user, topics) -> list[TopicSearch]:
    """For a page's "Related topic searches (N)": the searches of these topics, with counts."""
    topics = list(topics)
    if not topics:
        return []
    return topic_searches(user, topics=topics)
