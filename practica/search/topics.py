"""Topic searches: a saved search for every topic of every community, with a stable URL."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.urls import reverse

from practica.search.engine import _run as run_sql
from practica.search.engine import readable_scope


@dataclass(frozen=True)
class TopicSearch:
    community: object
    topic: object
    count: int

    @property
    def url(self) -> str:
        return reverse(
            "search:topic",
            kwargs={"community_slug": self.community.slug, "topic_slug": self.topic.slug},
        )


def _counts(user, community_ids: list[int]) -> Counter:
    """Readable entries per (community id, topic slug), in one query."""
    if not community_ids:
        return Counter()
    scope, params = readable_scope(user)
    marks = ", ".join(["%s"] * len(community_ids))
    rows = run_sql(
        "SELECT e.community_id, e.topic_slugs, count(*) FROM search_searchentry e "  # noqa: S608
        f"WHERE {scope} AND e.topic_slugs <> '' AND e.community_id IN ({marks}) "
        "GROUP BY e.community_id, e.topic_slugs",
        [*params, *community_ids],
    )
    counts: Counter = Counter()
    for community_id, slugs, count in rows:
        for slug in slugs.split():
            counts[(community_id, slug)] += count
    return counts


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
    counts = _counts(user, sorted({t.community_id for t in chosen}))
    return [TopicSearch(t.community, t, counts.get((t.community_id, t.slug), 0)) for t in chosen]


def related_topic_searches(user, topics) -> list[TopicSearch]:
    """For a page's "Related topic searches (N)": the searches of these topics, with counts."""
    topics = list(topics)
    if not topics:
        return []
    return topic_searches(user, topics=topics)
