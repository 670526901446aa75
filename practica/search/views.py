"""Search pages: thin views over services.run_search, experts.who_knows and topics."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from practica.communities.capabilities import (
    InstanceCapability,
    can_on_instance,
    require_on_instance,
)
from practica.people.models import Profession
from practica.search import services
from practica.search.experts import who_knows
from practica.search.models import SearchEntry
from practica.search.query import MAX_QUERY_CHARS, cut_on_word
from practica.search.topics import topic_searches

KIND_LABELS = dict(SearchEntry.Kind.choices)


def _querystring(request: HttpRequest, **changes) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in changes.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return query.urlencode()


def _tabs(request: HttpRequest, outcome: services.Outcome) -> list[dict]:
    if outcome.results is None:
        return []
    counts = outcome.results.counts
    capped = outcome.results.capped
    current = outcome.form.cleaned_data.get("type", "")
    tabs = [
        {
            "label": "Everything",
            "count": sum(counts.values()),
            "capped": bool(capped),
            "query": _querystring(request, type=""),
            "current": not current,
        }
    ]
    for kind, label in SearchEntry.Kind.choices:
        if counts.get(kind) or kind == current:
            tabs.append(
                {
                    "label": label,
                    "count": counts.get(kind, 0),
                    "capped": kind in capped,
                    "query": _querystring(request, type=kind),
                    "current": kind == current,
                }
            )
    return tabs


def _render_search(request: HttpRequest, outcome, **context) -> HttpResponse:
    results = outcome.results
    return render(
        request,
        "search/search.html",
        {
            "form": outcome.form,
            "results": results,
            "hits": results.hits if results else [],
            "message": outcome.message,
            "tabs": _tabs(request, outcome),
            "query": _querystring(request),
            "kind_labels": KIND_LABELS,
            "max_query_chars": MAX_QUERY_CHARS,
            "notice": outcome.notice,
            "authors": services.author_suggestions(outcome.form.data.get("author", ""))
            if outcome.form.is_bound
            else [],
            "can_find_experts": can_on_instance(request.user, InstanceCapability.FIND_EXPERTS),
            **context,
        },
    )


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    outcome = services.run_search(request.user, request.GET, page=request.GET.get("page", 1))
    return _render_search(request, outcome)


@require_GET
def author_suggestions(request: HttpRequest) -> HttpResponse:
    """The author picker's options as the member types (htmx swaps them into the datalist)."""
    people = services.author_suggestions(request.GET.get("author", ""))
    return render(request, "search/search.html#author-options", {"authors": people})


@require_GET
def search_json(request: HttpRequest) -> JsonResponse:
    outcome = services.run_search(request.user, request.GET, page=request.GET.get("page", 1))
    results = outcome.results
    body = {
        "query": cut_on_word(request.GET.get("q", "")),
        "message": outcome.message,
        "errors": outcome.form.errors.get_json_data() if outcome.form.errors else {},
        "total": results.total if results else 0,
        "page": results.page if results else 1,
        "num_pages": results.num_pages if results else 1,
        "counts": results.counts if results else {},
        # Kinds with more matches than their count says (counts stop at COUNT_CAP).
        "counts_capped": sorted(results.capped) if results else [],
        "total_capped": results.total_capped if results else False,
        "results": [services.hit_as_dict(hit) for hit in results.hits] if results else [],
    }
    return JsonResponse(body, status=400 if outcome.form.errors else 200)


@require_GET
def topic_index(request: HttpRequest) -> HttpResponse:
    searches = topic_searches(request.user)
    groups: dict = {}
    for search in searches:
        groups.setdefault(search.community, []).append(search)
    return render(request, "search/topics.html", {"groups": groups})


@require_GET
def topic_search(request: HttpRequest, community_slug: str, topic_slug: str) -> HttpResponse:
    from practica.communities.capabilities import readable_communities_q
    from practica.communities.models import Topic

    topic = get_object_or_404(
        Topic.objects.filter(readable_communities_q(request.user, "community__")).select_related(
            "community"
        ),
        community__slug=community_slug,
        slug=topic_slug,
    )
    data = request.GET.copy()
    data["community"] = topic.community.slug
    data["topic"] = topic.slug
    outcome = services.run_search(request.user, data, page=request.GET.get("page", 1))
    if outcome.results is None and not outcome.message:
        raise Http404("No such topic search.")
    return _render_search(request, outcome, topic=topic)


@require_GET
def experts_page(request: HttpRequest) -> HttpResponse:
    require_on_instance(request.user, InstanceCapability.FIND_EXPERTS)
    q = cut_on_word(request.GET.get("q", "")).strip()
    profession = request.GET.get("profession", "")
    if profession not in Profession.values:
        profession = ""
    experts = who_knows(request.user, q=q, profession=profession) if q else []
    return render(
        request,
        "search/experts.html",
        {
            "q": q,
            "profession": profession,
            "professions": Profession.choices,
            "experts": experts,
        },
    )
