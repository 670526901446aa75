"""Reads shaped for the bulletin's pages, each with a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from practica.bulletin.models import (
    Article,
    ArticleAuthor,
    Bulletin,
    Issue,
    IssueStatus,
    RelatedItem,
    Topic,
)
from practica.bulletin.permissions import can_read, readable_bulletins_q
from practica.site import absolute_url, site_url


def readable_bulletins(user) -> QuerySet[Bulletin]:
    return Bulletin.objects.filter(readable_bulletins_q(user)).select_related("community")


def instance_bulletin() -> Bulletin | None:
    return Bulletin.objects.filter(community__isnull=True).first()


def bulletin_for(user, bulletin_slug: str) -> Bulletin:
    """The bulletin named in a URL if `user` may read it; 404 otherwise (no hint either way)."""
    bulletin = (
        Bulletin.objects.select_related("community", "community__organisation")
        .filter(slug=bulletin_slug)
        .first()
    )
    if bulletin is None or not can_read(user, bulletin):
        raise Http404("No such bulletin.")
    return bulletin


def published_issues(bulletin: Bulletin) -> QuerySet[Issue]:
    return Issue.objects.filter(bulletin=bulletin, status=IssueStatus.PUBLISHED)


def published_articles() -> QuerySet[Article]:
    return Article.objects.filter(issue__status=IssueStatus.PUBLISHED)


def _article_parts() -> list:
    return [
        Prefetch("authors", queryset=ArticleAuthor.objects.order_by("position", "pk")),
        Prefetch("topics", queryset=Topic.objects.order_by("name")),
    ]


def articles_of(issue: Issue, *, with_body: bool = False) -> list[Article]:
    articles = Article.objects.filter(issue=issue).prefetch_related(*_article_parts())
    if with_body:
        articles = articles.prefetch_related("related_items")
    else:
        articles = articles.defer("body", "body_html", "contact", "contact_html")
    articles = list(articles.order_by("position", "pk"))
    for article in articles:
        article.issue = issue
    return articles


@dataclass
class YearOfIssues:
    year: int
    issues: list[Issue] = field(default_factory=list)


def archive(bulletin: Bulletin, *, year: int | None = None) -> list[YearOfIssues]:
    """Published issues by year (newest first), each with its article count: one query."""
    issues = (
        published_issues(bulletin)
        .annotate(article_count=Count("articles"))
        .order_by("-year", "-month")
    )
    if year is not None:
        issues = issues.filter(year=year)
    years: OrderedDict[int, YearOfIssues] = OrderedDict()
    for issue in issues:
        issue.bulletin = bulletin
        years.setdefault(issue.year, YearOfIssues(issue.year)).issues.append(issue)
    return list(years.values())


def latest_issue(bulletin: Bulletin) -> Issue | None:
    issue = published_issues(bulletin).order_by("-year", "-month").first()
    if issue is not None:
        issue.bulletin = bulletin
    return issue


def neighbours(issue: Issue) -> tuple[Issue | None, Issue | None]:
    """The published issues before and after `issue` (two small indexed queries)."""
    issues = published_issues(issue.bulletin).only("year", "month", "volume", "number")
    before = (
        issues.filter(Q(year__lt=issue.year) | Q(year=issue.year, month__lt=issue.month))
        .order_by("-year", "-month")
        .first()
    )
    after = (
        issues.filter(Q(year__gt=issue.year) | Q(year=issue.year, month__gt=issue.month))
        .order_by("year", "month")
        .first()
    )
    for neighbour in (before, after):
        if neighbour is not None:
            neighbour.bulletin = issue.bulletin
    return before, after


def issue_for(bulletin: Bulletin, year: int, month: int, *, editor: bool = False) -> Issue:
    """The issue of that month; unpublished issues only for the bulletin's editors."""
    issues = Issue.objects.filter(bulletin=bulletin, year=year, month=month)
    if not editor:
        issues = issues.filter(status=IssueStatus.PUBLISHED)
    issue = issues.first()
    if issue is None:
        raise Http404("No such issue.")
    issue.bulletin = bulletin
    return issue


def article_for(issue: Issue, article_slug: str) -> Article:
    article = (
        Article.objects.filter(issue=issue, slug=article_slug)
        .prefetch_related(
            *_article_parts(), Prefetch("related_items", queryset=RelatedItem.objects.all())
        )
        .first()
    )
    if article is None:
        raise Http404("No such article.")
    article.issue = issue
    return article


def topic_counts(topics: list[Topic], user) -> dict[int, int]:
    """How many published, readable articles carry each topic: one query."""
    if not topics:
        return {}
    rows = (
        published_articles()
        .filter(readable_bulletins_q(user, "issue__bulletin__"), topics__in=topics)
        .values("topics")
        .annotate(n=Count("pk", distinct=True))
    )
    return {row["topics"]: row["n"] for row in rows}


def topic_articles(topic: Topic, user) -> QuerySet[Article]:
    return (
        published_articles()
        .filter(readable_bulletins_q(user, "issue__bulletin__"), topics=topic)
        .select_related("issue", "issue__bulletin")
        .prefetch_related(*_article_parts())
        .defer("body", "body_html", "contact", "contact_html")
        .order_by("-issue__year", "-issue__month", "position")
    )


def topic_index(user) -> list[Topic]:
    readable = Q(articles__issue__status=IssueStatus.PUBLISHED) & readable_bulletins_q(
        user, "articles__issue__bulletin__"
    )
    return list(
        Topic.objects.annotate(n=Count("articles", filter=readable, distinct=True))
        .filter(n__gt=0)
        .order_by("name")
    )


def popular_topics(bulletin: Bulletin, limit: int = 30) -> list[Topic]:
    return list(
        Topic.objects.filter(
            articles__issue__bulletin=bulletin, articles__issue__status=IssueStatus.PUBLISHED
        )
        .annotate(n=Count("articles", distinct=True))
        .order_by("-n", "name")[:limit]
    )


def bulletin_topics(bulletin: Bulletin) -> QuerySet[Topic]:
    return Topic.objects.filter(articles__issue__bulletin=bulletin).distinct().order_by("name")


@dataclass
class SearchFilters:
    words: str = ""
    author: str = ""
    topic: Topic | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    volume: int | None = None
    number: int | None = None
    bulletin: Bulletin | None = None

    @property
    def any(self) -> bool:
        return any(
            v not in (None, "") for v in (
                self.words, self.author, self.topic, self.date_from, self.date_to,
                self.volume, self.number, self.bulletin,
            )
        )  # fmt: skip


def search(user, filters: SearchFilters) -> QuerySet[Article]:
    """Published articles matching every filter given.

    Words match title, summary and body with icontains; the shared search app's index
    should replace this when it covers the bulletin.
    """
    articles = (
        published_articles()
        .filter(readable_bulletins_q(user, "issue__bulletin__"))
        .select_related("issue", "issue__bulletin")
        .prefetch_related(*_article_parts())
        .defer("body_html", "contact", "contact_html")
        .order_by("-issue__year", "-issue__month", "position", "pk")
    )
    for word in filters.words.split()[:10]:
        articles = articles.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    if filters.author:
        articles = articles.filter(authors__name__icontains=filters.author.strip())
    if filters.topic is not None:
        articles = articles.filter(topics=filters.topic)
    if filters.bulletin is not None:
        articles = articles.filter(issue__bulletin=filters.bulletin)
    if filters.volume is not None:
        articles = articles.filter(issue__volume=filters.volume)
    if filters.number is not None:
        articles = articles.filter(issue__number=filters.number)
    if filters.date_from is not None:
        start = filters.date_from
        articles = articles.filter(
            Q(issue__year__gt=start.year) | Q(issue__year=start.year, issue__month__gte=start.month)
        )
    if filters.date_to is not None:
        end = filters.date_to
        articles = articles.filter(
            Q(issue__year__lt=end.year) | Q(issue__year=end.year, issue__month__lte=end.month)
        )
    return articles.distinct()


def issue_contents(issue: Issue) -> dict:
    """What an email of `issue` shows, loaded once per batch."""
    articles = articles_of(issue)
    for article in articles:
        article.full_url = absolute_url(article.get_absolute_url())
    return {
        "issue": issue,
        "bulletin": issue.bulletin,
        "articles": articles,
        "site_url": site_url(),
        "issue_url": absolute_url(issue.get_absolute_url()),
    }
