"""The library: articles and their revisions, the glossary, resources (metadata and download).

Reads show what the library pages show to the same person (drafts only to their drafter
and to those who may publish them); every write is the library service the pages call,
so the same capability gate, patient-data guard and submission keys apply.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from practica.api import pagination
from practica.api.auth import require_member
from practica.api.common import Input, LanyardOut, community_for, lanyard_out, submission_key
from practica.api.problems import Problem
from practica.communities.capabilities import Capability, can
from practica.communities.lanyards import attach_lanyards
from practica.library import querysets
from practica.library.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    GlossaryTerm,
    Resource,
    ResourceVersion,
    Revision,
)
from practica.library.services import articles as article_services
from practica.library.services import glossary as glossary_services
from practica.library.services.articles import EditConflict, may_edit, may_read
from practica.site import absolute_url

router = Router(tags=["library"])

TITLE_MAX = Article._meta.get_field("title").max_length
SUMMARY_MAX = Article._meta.get_field("summary").max_length
BODY_MAX = Article._meta.get_field("body").max_length


class ArticleOut(Schema):
    slug: str
    title: str
    summary: str
    kind: str
    status: str
    topics: list[str]
    revision_id: int | None = Field(description="The current revision: send it as base_revision")
    review_due: datetime.date | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    url: str


class ArticleList(Schema):
    results: list[ArticleOut]
    next: str | None


class ArticlePermissions(Schema):
    edit: bool = Field(description="Save a new revision directly")
    propose_edit: bool
    comment: bool


class ArticleDetail(ArticleOut):
    body: str
    body_html: str
    source_url: str
    source_title: str
    last_reviewed_at: datetime.datetime | None
    permissions: ArticlePermissions


class RevisionOut(Schema):
    id: int
    number: int
    title: str
    author: LanyardOut | None
    edit_summary: str
    created_at: datetime.datetime
    is_current: bool
    url: str


class RevisionList(Schema):
    results: list[RevisionOut]
    next: str | None


class RevisionDetail(RevisionOut):
    summary: str
    body: str


class ArticleIn(Input):
    title: str = Field(..., min_length=1, max_length=TITLE_MAX)
    summary: str = Field("", max_length=SUMMARY_MAX)
    body: str = Field("", max_length=BODY_MAX)
    kind: Literal[tuple(ArticleKind.values)] = ArticleKind.GUIDE  # type: ignore[valid-type]
    topics: list[str] = Field(default_factory=list, max_length=20, description="Topic slugs")
    publish: bool = Field(False, description="Publish at once (those who may edit articles)")
    edit_summary: str = Field("", max_length=300)
    confirm_patient_data: bool = False


class RevisionIn(Input):
    base_revision: int = Field(..., description="The revision_id the edit was made from")
    title: str = Field(..., min_length=1, max_length=TITLE_MAX)
    summary: str = Field("", max_length=SUMMARY_MAX)
    body: str = Field("", max_length=BODY_MAX)
    edit_summary: str = Field("", max_length=300)
    confirm_patient_data: bool = False


class TermOut(Schema):
    slug: str
    term: str
    definition: str
    definition_html: str
    synonyms: list[str]
    updated_at: datetime.datetime
    url: str


class TermList(Schema):
    results: list[TermOut]
    next: str | None


class TermIn(Input):
    term: str = Field(..., min_length=1, max_length=100)
    definition: str = Field(..., min_length=1, max_length=3000)
    synonyms: list[str] = Field(default_factory=list, max_length=30)
    confirm_patient_data: bool = False


class VersionOut(Schema):
    number: int
    original_name: str
    file_type: str
    content_type: str
    size: int
    note: str
    uploaded_by: LanyardOut | None
    created_at: datetime.datetime
    download_url: str


class ResourceOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    link: str | None = Field(description="For a link resource: where it points")
    topics: list[str]
    added_by: LanyardOut | None
    current_version: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    url: str


class ResourceList(Schema):
    results: list[ResourceOut]
    next: str | None


class ResourceDetail(ResourceOut):
    versions: list[VersionOut]


# --- articles ------------------------------------------------------------------------------------


def _topics(community, slugs: list[str]):
    found = {t.slug: t for t in community.topics.filter(slug__in=slugs)}
    unknown = [s for s in slugs if s not in found]
    if unknown:
        raise Problem(
            "validation",
            f"These are not topics of {community.name}: {', '.join(unknown)}.",
            errors=[{"field": "body.topics", "detail": "Unknown topic: " + ", ".join(unknown)}],
        )
    return [found[s] for s in slugs]


def _article_url(community, article) -> str:
    return absolute_url(f"/c/{community.slug}/library/articles/{article.slug}/")


def _article_out(community, article) -> dict:
    return {
        "slug": article.slug,
        "title": article.title,
        "summary": article.summary,
        "kind": article.kind,
        "status": article.status,
        "topics": [t.slug for t in article.topics.all()],
        "revision_id": article.current_revision_id,
        "review_due": article.review_due,
        "created_at": article.created_at,
        "updated_at": article.updated_at,
        "url": _article_url(community, article),
    }


def _article(request, community, article_slug: str) -> Article:
    """The article if the caller may read it; a draft they may not see is a 404, as on the page."""
    article = querysets.article_for_page(community, article_slug)
    if article is None:
        raise Http404("No such article.")
    article.community = community
    if not may_read(request.user, article):
        raise Http404("No such article.")
    return article


def _article_detail(request, community, article) -> dict:
    user = request.user
    return {
        **_article_out(community, article),
        "body": article.body,
        "body_html": article.body_html,
        "source_url": article.source_url,
        "source_title": article.source_title,
        "last_reviewed_at": article.last_reviewed_at,
        "permissions": {
            "edit": bool(user.is_authenticated and may_edit(user, article)),
            "propose_edit": article.status != ArticleStatus.DRAFT
            and can(user, Capability.PROPOSE_EDIT, community=community),
            "comment": can(user, Capability.COMMENT_ARTICLE, community=community),
        },
    }


@router.get("/{slug}/articles", response=ArticleList, url_name="article-list", summary="Articles")
def article_list(
    request,
    slug: str,
    topic: str | None = Query(None, description="A topic slug"),
    type: Literal[tuple(ArticleKind.values)] | None = Query(None),  # type: ignore[valid-type]  # noqa: A002
    status: Literal["published", "archived", "draft"] = Query(
        "published", description="Drafts: one's own, or all for those who may publish them"
    ),
    sort: Literal["recent", "title"] = "recent",
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    """The library page's list, with its filters."""
    community = community_for(request, slug)
    if status == "draft":
        articles = querysets.drafts_for(request.user, community)
        if topic:
            articles = articles.filter(topics__slug=topic)
        if type:
            articles = articles.filter(kind=type)
    else:
        filters = querysets.LibraryFilters(
            topic=community.topics.filter(slug=topic).first() if topic else None,
            kind=type or "",
            status=ArticleStatus.ARCHIVED if status == "archived" else ArticleStatus.PUBLISHED,
        )
        if topic and filters.topic is None:
            return {"results": [], "next": None}
        articles = querysets.library_articles(request.user, community, filters)
    return pagination.page(
        request,
        articles,
        order=tuple(querysets.SORTS[sort]),
        cursor=cursor,
        limit=limit,
        serialize=lambda rows: [_article_out(community, a) for a in rows],
    )


@router.get(
    "/{slug}/articles/{article_slug}",
    response=ArticleDetail,
    url_name="article-detail",
    summary="An article",
)
def article_detail(request, slug: str, article_slug: str):
    community = community_for(request, slug)
    return _article_detail(request, community, _article(request, community, article_slug))


@router.post(
    "/{slug}/articles",
    response={201: ArticleDetail},
    url_name="article-create",
    summary="Write an article (a draft for review unless you may publish)",
)
def article_create(request, slug: str, payload: ArticleIn):
    actor = require_member(request)
    community = community_for(request, slug)
    article = article_services.create_article(
        actor=actor,
        community=community,
        title=payload.title,
        summary=payload.summary,
        body=payload.body,
        kind=payload.kind,
        topics=_topics(community, payload.topics),
        publish=payload.publish,
        edit_summary=payload.edit_summary,
        confirm_guard=payload.confirm_patient_data,
        submission_key=submission_key(request),
    )
    article = _article(request, community, article.slug)
    return Status(201, _article_detail(request, community, article))


@router.post(
    "/{slug}/articles/{article_slug}/revisions",
    response={201: RevisionDetail, 200: ArticleDetail},
    url_name="revision-create",
    summary="Save an edit as a new revision",
)
def revision_create(request, slug: str, article_slug: str, payload: RevisionIn):
    """The editor's save: made from `base_revision`. If someone saved since, nothing is
    written and the answer is 409 with their revision's id. An unchanged text answers 200
    with the article and makes no revision."""
    actor = require_member(request)
    community = community_for(request, slug)
    article = _article(request, community, article_slug)
    try:
        revision = article_services.save_revision(
            actor=actor,
            article=article,
            base_revision_id=payload.base_revision,
            title=payload.title,
            summary=payload.summary,
            body=payload.body,
            edit_summary=payload.edit_summary,
            confirm_guard=payload.confirm_patient_data,
            submission_key=submission_key(request),
        )
    except EditConflict as conflict:
        raise Problem(
            "edit-conflict",
            f"Revision {conflict.theirs.number} was saved since revision "
            f"{payload.base_revision} that this edit started from. Nothing was saved: "
            "merge your text into the current one and send it with the new base_revision.",
            errors=[{"field": "body.base_revision", "detail": "Not the current revision."}],
            current_revision=conflict.theirs.pk,
        ) from None
    if revision is None:
        return Status(200, _article_detail(request, community, article))
    revision = Revision.objects.select_related("author").get(pk=revision.pk)
    attach_lanyards(community, [revision])
    return Status(201, _revision_detail(community, article, revision))


def _revision_out(community, article, revision) -> dict:
    return {
        "id": revision.pk,
        "number": revision.number,
        "title": revision.title,
        "author": lanyard_out(getattr(revision, "lanyard", None)),
        "edit_summary": revision.edit_summary,
        "created_at": revision.created_at,
        "is_current": revision.pk == article.current_revision_id,
        "url": absolute_url(
            f"/c/{community.slug}/library/articles/{article.slug}/revisions/{revision.number}/"
        ),
    }


def _revision_detail(community, article, revision) -> dict:
    return {
        **_revision_out(community, article, revision),
        "summary": revision.summary,
        "body": revision.body,
    }


@router.get(
    "/{slug}/articles/{article_slug}/revisions",
    response=RevisionList,
    url_name="revision-list",
    summary="An article's history, newest first",
)
def revision_list(
    request,
    slug: str,
    article_slug: str,
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    community = community_for(request, slug)
    article = _article(request, community, article_slug)

    def serialize(rows):
        attach_lanyards(community, rows)
        return [_revision_out(community, article, r) for r in rows]

    return pagination.page(
        request,
        querysets.revisions_for_history(article),
        order=("-number", "-pk"),
        cursor=cursor,
        limit=limit,
        serialize=serialize,
    )


@router.get(
    "/{slug}/articles/{article_slug}/revisions/{number}",
    response=RevisionDetail,
    url_name="revision-detail",
    summary="One revision's text",
)
def revision_detail(request, slug: str, article_slug: str, number: int):
    community = community_for(request, slug)
    article = _article(request, community, article_slug)
    revision = (
        Revision.objects.filter(article=article, number=number).select_related("author").first()
    )
    if revision is None:
        raise Http404("No such revision.")
    attach_lanyards(community, [revision])
    return _revision_detail(community, article, revision)


# --- glossary ------------------------------------------------------------------------------------


def _term_out(community, term) -> dict:
    return {
        "slug": term.slug,
        "term": term.term,
        "definition": term.definition,
        "definition_html": term.definition_html,
        "synonyms": list(term.synonyms),
        "updated_at": term.updated_at,
        "url": absolute_url(f"/c/{community.slug}/glossary/#{term.anchor}"),
    }


@router.get("/{slug}/glossary", response=TermList, url_name="glossary", summary="The glossary")
def glossary_list(
    request,
    slug: str,
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    """Terms by their slug (A–Z)."""
    community = community_for(request, slug)
    return pagination.page(
        request,
        GlossaryTerm.objects.filter(community=community),
        order=("slug", "pk"),
        cursor=cursor,
        limit=limit,
        serialize=lambda rows: [_term_out(community, t) for t in rows],
    )


@router.post(
    "/{slug}/glossary",
    response={201: TermOut},
    url_name="glossary-create",
    summary="Add a glossary term",
)
def glossary_create(request, slug: str, payload: TermIn):
    actor = require_member(request)
    community = community_for(request, slug)
    term = glossary_services.save_term(
        actor=actor,
        community=community,
        term=payload.term,
        definition=payload.definition,
        synonyms=glossary_services.parse_synonyms(",".join(payload.synonyms)),
        confirm_guard=payload.confirm_patient_data,
    )
    return Status(201, _term_out(community, term))


def _term(community, term_slug: str) -> GlossaryTerm:
    term = GlossaryTerm.objects.filter(community=community, slug=term_slug).first()
    if term is None:
        raise Http404("No such glossary term.")
    term.community = community
    return term


@router.put(
    "/{slug}/glossary/{term_slug}",
    response=TermOut,
    url_name="glossary-edit",
    summary="Change a glossary term",
)
def glossary_edit(request, slug: str, term_slug: str, payload: TermIn):
    actor = require_member(request)
    community = community_for(request, slug)
    term = glossary_services.save_term(
        actor=actor,
        community=community,
        term=payload.term,
        definition=payload.definition,
        synonyms=glossary_services.parse_synonyms(",".join(payload.synonyms)),
        existing=_term(community, term_slug),
        confirm_guard=payload.confirm_patient_data,
    )
    return _term_out(community, term)


@router.delete(
    "/{slug}/glossary/{term_slug}",
    response={204: None},
    url_name="glossary-delete",
    summary="Remove a glossary term",
)
def glossary_delete(request, slug: str, term_slug: str):
    actor = require_member(request)
    community = community_for(request, slug)
    glossary_services.delete_term(actor=actor, term=_term(community, term_slug))
    return Status(204, None)


# --- resources -----------------------------------------------------------------------------------


def _download_url(community, resource, number: int) -> str:
    return absolute_url(
        f"/api/v1/communities/{community.slug}/resources/{resource.pk}/versions/{number}/download"
    )


def _resource_out(community, resource) -> dict:
    return {
        "id": resource.pk,
        "kind": resource.kind,
        "title": resource.title,
        "description": resource.description,
        "link": resource.url or None,
        "topics": [t.slug for t in resource.topics.all()],
        "added_by": lanyard_out(getattr(resource, "lanyard", None)),
        "current_version": resource.current_version.number if resource.current_version else None,
        "created_at": resource.created_at,
        "updated_at": resource.updated_at,
        "url": absolute_url(f"/c/{community.slug}/library/resources/{resource.pk}/"),
    }


@router.get(
    "/{slug}/resources", response=ResourceList, url_name="resource-list", summary="Resources"
)
def resource_list(
    request,
    slug: str,
    topic: str | None = Query(None, description="A topic slug"),
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    """Files and links, newest first."""
    community = community_for(request, slug)
    resources = (
        Resource.objects.filter(community=community)
        .select_related("current_version", "added_by")
        .prefetch_related("topics")
    )
    if topic:
        resources = resources.filter(topics__slug=topic)

    def serialize(rows):
        attach_lanyards(community, rows, "added_by")
        return [_resource_out(community, r) for r in rows]

    return pagination.page(
        request,
        resources,
        order=("-created_at", "-pk"),
        cursor=cursor,
        limit=limit,
        serialize=serialize,
    )


def _resource(community, resource_id: int) -> Resource:
    resource = (
        Resource.objects.filter(community=community, pk=resource_id)
        .select_related("current_version", "added_by")
        .first()
    )
    if resource is None:
        raise Http404("No such resource.")
    resource.community = community
    return resource


@router.get(
    "/{slug}/resources/{resource_id}",
    response=ResourceDetail,
    url_name="resource-detail",
    summary="A resource with its versions",
)
def resource_detail(request, slug: str, resource_id: int):
    community = community_for(request, slug)
    resource = _resource(community, resource_id)
    versions = list(resource.versions.select_related("uploaded_by"))
    attach_lanyards(community, [resource], "added_by")
    attach_lanyards(community, versions, "uploaded_by")
    return {
        **_resource_out(community, resource),
        "versions": [
            {
                "number": v.number,
                "original_name": v.original_name,
                "file_type": v.file_type,
                "content_type": v.content_type,
                "size": v.size,
                "note": v.note,
                "uploaded_by": lanyard_out(getattr(v, "lanyard", None)),
                "created_at": v.created_at,
                "download_url": _download_url(community, resource, v.number),
            }
            for v in versions
        ],
    }


@router.get(
    "/{slug}/resources/{resource_id}/versions/{number}/download",
    url_name="resource-download",
    summary="Download one version of a file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as uploaded (its own content type).",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def resource_download(request, slug: str, resource_id: int, number: int):
    """The same answer as the page's download link: the page's headers (attachment unless
    the type is safe to show, nosniff, a sandboxing Content-Security-Policy)."""
    from practica.library.views.resources import download_response

    community = community_for(request, slug)
    resource = _resource(community, resource_id)
    version = ResourceVersion.objects.filter(resource=resource, number=number).first()
    if version is None:
        raise Http404("No such version.")
    return download_response(version)
