"""RSS 2.0 and Atom feeds of published articles: per bulletin and per topic."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from practica.bulletin import querysets
from practica.bulletin.models import Article, Bulletin, Topic
from practica.bulletin.permissions import readable_bulletins_q
from practica.site import absolute_url

FEED_SIZE = 30


class _ArticleItems:
    """What every bulletin feed says about one article."""

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary or f"{item.issue.bulletin.name}, {item.issue.citation}"

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Article) -> str:
        return absolute_url(item.get_absolute_url())

    item_guid_is_permalink = True

    def item_pubdate(self, item: Article) -> datetime.datetime:
        return item.issue.published_at or timezone.now()

    def item_updateddate(self, item: Article) -> datetime.datetime:
        return max(item.updated_at, item.issue.published_at or item.updated_at)

    def item_author_name(self, item: Article) -> str | None:
        names = [a.name for a in item.authors.all()]
        return ", ".join(names) or None

    def item_categories(self, item: Article) -> list[str]:
        return [t.name for t in item.topics.all()]


def _published(queryset):
    return (
        queryset.select_related("issue", "issue__bulletin")
        .prefetch_related("authors", "topics")
        .defer("body", "body_html", "contact", "contact_html")
        .order_by("-issue__published_at", "-issue__year", "-issue__month", "position")[:FEED_SIZE]
    )


class BulletinRssFeed(_ArticleItems, Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, bulletin_slug: str | None = None) -> Bulletin:
        if bulletin_slug is None:
            bulletin = querysets.instance_bulletin()
            if bulletin is None:
                raise Http404("This site has no bulletin yet.")
            return bulletin
        return querysets.bulletin_for(request.user, bulletin_slug)

    def title(self, obj: Bulletin) -> str:
        return obj.name

    def link(self, obj: Bulletin) -> str:
        return obj.get_absolute_url()

    def description(self, obj: Bulletin) -> str:
        return obj.description or f"Articles from {obj.name}."

    def items(self, obj: Bulletin):
        return _published(querysets.published_articles().filter(issue__bulletin=obj))


class BulletinAtomFeed(BulletinRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Bulletin) -> str:
        return self.description(obj)


class TopicRssFeed(_ArticleItems, Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, topic_slug: str) -> Topic:
        return get_object_or_404(Topic, slug=topic_slug)

    def title(self, obj: Topic) -> str:
        return f"Bulletin articles on {obj.name}"

    def link(self, obj: Topic) -> str:
        return obj.get_absolute_url()

    def description(self, obj: Topic) -> str:
        return f"Every bulletin article on {obj.name}, newest first."

    def items(self, obj: Topic):
        # Feed readers fetch anonymously: topic feeds carry what anyone may read.
        return _published(
            querysets.published_articles().filter(
                readable_bulletins_q(None, "issue__bulletin__"), topics=obj
            )
        )


class TopicAtomFeed(TopicRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Topic) -> str:
        return self.description(obj)
