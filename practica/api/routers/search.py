"""Search (the search page's engine and filters) and similar questions (the ask form's)."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.http import urlencode
from ninja import Query, Router, Schema

from practica.api.auth import token_community_id
from practica.api.common import community_for
from practica.api.problems import Problem
from practica.communities.models import Community
from practica.search import services
from practica.search.similar import MAX_LIMIT as SIMILAR_MAX
from practica.search.similar import similar_questions
from practica.site import absolute_url

router = Router(tags=["search"])


class AuthorOut(Schema):
    name: str
    username: str
    profession: str
    stage: str


class HitOut(Schema):
    kind: str
    kind_label: str
    id: int
    title: str
    context: str
    url: str
    snippet: str
    community: str | None
    topics: list[str]
    author: AuthorOut | None
    created_at: str
    score: float


class SearchOut(Schema):
    query: str
    message: str
    total: int
    counts: dict[str, int]
    results: list[HitOut]
    next: str | None


class SimilarOut(Schema):
    id: int
    external_id: str | None
    title: str
    url: str
    score: float


class SimilarList(Schema):
    results: list[SimilarOut]


@router.get("/search", response=SearchOut, url_name="search", summary="Search")
def search(
    request,
    q: str = Query("", max_length=500, description="Words; quotes for a phrase, -word to omit"),
    type: str | None = Query(None, description="thread, post, article, glossary, …"),
    community: str | None = Query(None, description="A community slug"),
    topic: str | None = None,
    author: str | None = Query(None, description="A username"),
    profession: str | None = None,
    date_from: str | None = Query(None, description="YYYY-MM-DD"),
    date_to: str | None = Query(None, description="YYYY-MM-DD"),
    page: int = Query(1, ge=1, le=1000),
):
    """The same results as the search page, for what the caller may read."""
    only = token_community_id(request)
    if only:
        community = Community.objects.filter(pk=only).values_list("slug", flat=True).first()
    data = QueryDict(mutable=True)
    for name, value in {
        "q": q,
        "type": type,
        "community": community,
        "topic": topic,
        "author": author,
        "profession": profession,
        "date_from": date_from,
        "date_to": date_to,
    }.items():
        if value:
            data[name] = value
    outcome = services.run_search(request.user, data, page=page)
    if outcome.form.errors:
        raise Problem(
            "validation",
            outcome.message,
            errors=[
                {"field": f"query.{name}", "detail": " ".join(messages)}
                for name, messages in outcome.form.errors.items()
            ],
        )
    results = outcome.results
    next_url = None
    if results and results.page < results.num_pages:
        query = {**data.dict(), "page": results.page + 1}
        next_url = absolute_url(f"{request.path}?{urlencode(query)}")
    return {
        "query": q,
        "message": outcome.message,
        "total": results.total if results else 0,
        "counts": results.counts if results else {},
        "results": [services.hit_as_dict(hit) for hit in results.hits] if results else [],
        "next": next_url,
    }


@router.get(
    "/communities/{slug}/questions/similar",
    response=SimilarList,
    summary="Questions like this one",
)
def similar(
    request,
    slug: str,
    title: str = Query(..., max_length=300),
    body: str = Query("", max_length=5000),
    limit: int = Query(5, ge=1, le=SIMILAR_MAX),
):
    """What the ask form suggests while a question is typed, best first."""
    found = community_for(request, slug)
    results = similar_questions(community=found, title=title, body=body, limit=limit)
    return {"results": [r.as_dict() for r in results]}
