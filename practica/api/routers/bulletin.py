"""The bulletin: the bulletins the caller may read, their published issues and articles,
as the bulletin's public pages show them (reads)."""

from __future__ import annotations

import datetime

from django.http import Http404
from ninja import Query, Router, Schema

from practica.api import pagination
from practica.api.auth import require_token_community, token_community_id
from practica.bulletin import querysets
from practica.site import absolute_url

router = Router(tags=["bulletin"])


class BulletinOut(Schema):
    slug: str
    name: str
    description: str
    issn: str
    community: str | None
    url: str


class BulletinList(Schema):
    results: list[BulletinOut]
    next: str | None


class IssueOut(Schema):
    year: int
    month: int
    volume: int
    number: int
    title: str
    published_at: datetime.datetime | None
    article_count: int
    url: str


class IssueList(Schema):
    results: list[IssueOut]
    next: str | None


class AuthorOut(Schema):
    name: str
    role: str


class BulletinArticleOut(Schema):
    slug: str
    title: str
    summary: str
    authors: list[AuthorOut]
    topics: list[str]
    url: str


class IssueDetail(IssueOut):
    editorial: str
    editorial_html: str
    articles: list[BulletinArticleOut]


class BulletinArticleDetail(BulletinArticleOut):
    body: str
    body_html: str
    contact_html: str


def _bulletin_out(bulletin) -> dict:
    return {
        "slug": bulletin.slug,
        "name": bulletin.name,
        "description": bulletin.description,
        "issn": bulletin.issn,
        "community": bulletin.community.slug if bulletin.community_id else None,
        "url": absolute_url(bulletin.get_absolute_url()),
    }


def _issue_out(issue, *, article_count: int) -> dict:
    return {
        "year": issue.year,
        "month": issue.month,
        "volume": issue.volume,
        "number": issue.number,
        "title": issue.title,
        "published_at": issue.published_at,
        "article_count": article_count,
        "url": absolute_url(issue.get_absolute_url()),
    }


def _article_out(article) -> dict:
    return {
        "slug": article.slug,
        "title": article.title,
        "summary": article.summary,
        "authors": [{"name": a.name, "role": a.role} for a in article.authors.all()],
        "topics": [t.slug for t in article.topics.all()],
        "url": absolute_url(article.get_absolute_url()),
    }


def _bulletin(request, bulletin_slug: str):
    bulletin = querysets.bulletin_for(request.user, bulletin_slug)
    if bulletin.community is not None:
        require_token_community(request, bulletin.community)
    return bulletin


@router.get("", response=BulletinList, url_name="bulletin-list", summary="Bulletins")
def bulletin_list(
    request,
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    """The instance's bulletin and those of the communities the caller may read."""
    bulletins = querysets.readable_bulletins(request.user)
    only = token_community_id(request)
    if only:
        bulletins = bulletins.filter(community_id=only)
    return pagination.page(
        request,
        bulletins,
        order=("slug", "pk"),
        cursor=cursor,
        limit=limit,
        serialize=lambda rows: [_bulletin_out(b) for b in rows],
    )


@router.get(
    "/{bulletin_slug}/issues", response=IssueList, url_name="issue-list", summary="Published issues"
)
def issue_list(
    request,
    bulletin_slug: str,
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    """Newest first."""
    from django.db.models import Count

    bulletin = _bulletin(request, bulletin_slug)
    issues = querysets.published_issues(bulletin).annotate(article_count=Count("articles"))

    def serialize(rows):
        for issue in rows:
            issue.bulletin = bulletin
        return [_issue_out(i, article_count=i.article_count) for i in rows]

    return pagination.page(
        request,
        issues,
        order=("-year", "-month", "-pk"),
        cursor=cursor,
        limit=limit,
        serialize=serialize,
    )


@router.get(
    "/{bulletin_slug}/issues/{year}/{month}",
    response=IssueDetail,
    url_name="issue-detail",
    summary="An issue with its articles",
)
def issue_detail(request, bulletin_slug: str, year: int, month: int):
    bulletin = _bulletin(request, bulletin_slug)
    issue = querysets.issue_for(bulletin, year, month)
    articles = querysets.articles_of(issue)
    return {
        **_issue_out(issue, article_count=len(articles)),
        "editorial": issue.editorial,
        "editorial_html": issue.editorial_html,
        "articles": [_article_out(a) for a in articles],
    }


@router.get(
    "/{bulletin_slug}/issues/{year}/{month}/{article_slug}",
    response=BulletinArticleDetail,
    url_name="bulletin-article",
    summary="An article of an issue",
)
def bulletin_article(request, bulletin_slug: str, year: int, month: int, article_slug: str):
    bulletin = _bulletin(request, bulletin_slug)
    issue = querysets.issue_for(bulletin, year, month)
    article = querysets.article_for(issue, article_slug)
    if article is None:
        raise Http404("No such article.")
    return {
        **_article_out(article),
        "body": article.body,
        "body_html": article.body_html,
        "contact_html": article.contact_html,
    }
