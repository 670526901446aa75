"""Learning modules, and the caller's own progress and completions (what a learning
management system reads). Reads only: the same access rules and querysets as the
learning pages."""

from __future__ import annotations

import datetime

from django.http import Http404
from ninja import Field, Query, Router, Schema

from practica.api import pagination
from practica.api.auth import require_member, require_token_community, token_community_id
from practica.learning import querysets
from practica.learning.access import check_live, require_read
from practica.learning.models import Module
from practica.site import absolute_url

router = Router(tags=["learning"])
# The member's own progress and record, under /me/.
me_router = Router(tags=["learning"])


class ModuleOut(Schema):
    slug: str
    title: str
    community: str | None = Field(description="None for an organisation-wide module")
    estimated_minutes: int
    version: int | None
    url: str


class ModuleList(Schema):
    results: list[ModuleOut]
    next: str | None


class StepOut(Schema):
    id: int
    title: str
    done: bool


class ProgressOut(Schema):
    status: str = Field(description="not_started, in_progress or completed")
    steps: int
    done: int
    percent: int
    passed_assessment: bool
    version: int | None
    started_at: datetime.datetime | None
    completed_at: datetime.datetime | None


class ModuleDetail(ModuleOut):
    overview: str
    outcomes: list[str]
    sections: list[StepOut]
    activities: list[StepOut]
    has_assessment: bool
    can_take: bool
    my_progress: ProgressOut | None


class EntryOut(Schema):
    module: ModuleOut
    progress: ProgressOut


class EntryList(Schema):
    results: list[EntryOut]


class CompletionOut(Schema):
    module: ModuleOut
    version: int
    started_at: datetime.datetime
    completed_at: datetime.datetime
    best_percent: int | None = Field(description="The best passing assessment result")


class CompletionList(Schema):
    results: list[CompletionOut]


def _module_out(module, *, version_number: int | None = None) -> dict:
    return {
        "slug": module.slug,
        "title": module.title,
        "community": module.community.slug if module.community_id else None,
        "estimated_minutes": module.estimated_minutes,
        "version": version_number,
        "url": absolute_url(module.get_absolute_url()),
    }


def _status(progress) -> str:
    if progress is None:
        return "not_started"
    return "completed" if progress.completed_at else "in_progress"


def _modules(request):
    modules = querysets.modules_for(request.user).select_related("current_version")
    only = token_community_id(request)
    if only:
        modules = modules.filter(community_id=only)
    return modules


@router.get("/modules", response=ModuleList, url_name="module-list", summary="Modules I may take")
def module_list(
    request,
    cursor: str | None = None,
    limit: int = Query(pagination.DEFAULT_LIMIT, ge=1, le=pagination.MAX_LIMIT),
):
    """Published modules: organisation-wide ones and those of the caller's communities
    (as on My learning). Empty for an anonymous visitor."""
    return pagination.page(
        request,
        _modules(request).defer("current_version__snapshot"),
        order=("title", "pk"),
        cursor=cursor,
        limit=limit,
        serialize=lambda rows: [
            _module_out(m, version_number=m.current_version.number) for m in rows
        ],
    )


@router.get(
    "/modules/{module_slug}", response=ModuleDetail, url_name="module-detail", summary="A module"
)
def module_detail(request, module_slug: str):
    module = (
        Module.objects.select_related("community", "current_version")
        .filter(slug=module_slug)
        .first()
    )
    if module is None:
        raise Http404("No such module.")
    require_read(request.user, module)
    if module.community is not None:
        require_token_community(request, module.community)
    check_live(request.user, module)
    page = querysets.module_page(request.user, module)
    version = page["version"]
    progress = page["progress"]
    return {
        **_module_out(module, version_number=version.number if version else None),
        "overview": module.overview,
        "outcomes": module.outcome_list,
        "sections": [
            {"id": s["id"], "title": s["title"], "done": s["read"]} for s in page["sections"]
        ],
        "activities": [
            {"id": a["id"], "title": a["title"], "done": a["done"]} for a in page["activities"]
        ],
        "has_assessment": page["assessment"] is not None,
        "can_take": page["can_take"],
        "my_progress": None
        if progress is None
        else {
            "status": _status(progress),
            "steps": page["steps"],
            "done": page["done"],
            "percent": page["percent"],
            "passed_assessment": page["passed"],
            "version": version.number if version else None,
            "started_at": progress.started_at,
            "completed_at": progress.completed_at,
        },
    }


@me_router.get("/learning", response=EntryList, url_name="my-learning", summary="My progress")
def my_learning(request):
    """Each module I may take with how far I got (My learning's list)."""
    user = require_member(request)
    entries = querysets.entries_for(user, _modules(request).defer("current_version__snapshot"))
    return {
        "results": [
            {
                "module": _module_out(
                    e.module,
                    version_number=e.progress.version.number
                    if e.progress
                    else e.module.current_version.number,
                ),
                "progress": {
                    "status": _status(e.progress),
                    "steps": e.steps,
                    "done": e.done,
                    "percent": e.percent,
                    "passed_assessment": e.passed,
                    "version": e.progress.version.number if e.progress else None,
                    "started_at": e.progress.started_at if e.progress else None,
                    "completed_at": e.progress.completed_at if e.progress else None,
                },
            }
            for e in entries
        ]
    }


@me_router.get(
    "/completions", response=CompletionList, url_name="my-completions", summary="My completions"
)
def my_completions(request):
    """My learning record: completed modules, oldest first, with the best passing result."""
    user = require_member(request)
    only = token_community_id(request)
    rows = querysets.completed_record(user)
    if only:
        rows = [r for r in rows if r["module"].community_id == only]
    return {
        "results": [
            {
                "module": _module_out(r["module"], version_number=r["progress"].version.number),
                "version": r["progress"].version.number,
                "started_at": r["progress"].started_at,
                "completed_at": r["progress"].completed_at,
                "best_percent": r["attempt"].percent if r["attempt"] else None,
            }
            for r in rows
        ]
    }
