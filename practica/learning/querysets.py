"""Reads shaped for the learning pages, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from practica.communities.capabilities import Capability, can, memberships_of
from practica.communities.models import Community
from practica.learning.access import can_author, can_author_in, can_take
from practica.learning.models import Assessment, Attempt, Module, ModuleProgress, ModuleVersion
from practica.learning.services.assessment import standing_in


def communities_where(user, capability: str) -> list[Community]:
    """The communities where `user` may do `capability` (one query, plus overrides)."""
    active = [cid for cid, m in memberships_of(user).items() if not m.suspended]
    if not active:
        return []
    communities = Community.objects.filter(pk__in=active).select_related("organisation")
    return [c for c in communities if can(user, capability, community=c)]


def modules_for(user):
    """Published modules `user` may take: organisation-wide ones, and their communities'."""
    if not user.is_authenticated:
        return Module.objects.none()
    taking = [c.pk for c in communities_where(user, Capability.TAKE_MODULE)]
    return (
        Module.objects.filter(is_published=True, current_version__isnull=False)
        .filter(Q(community__isnull=True) | Q(community_id__in=taking))
        .select_related("community")
        .order_by("title")
    )


@dataclass
class ModuleEntry:
    """A module as a learner sees it in a list: how far they got and where to go next."""

    module: Module
    progress: ModuleProgress | None
    steps: int
    done: int
    passed: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.steps) if self.steps else 0

    @property
    def status(self) -> str:
        if self.progress is None:
            return "Not started"
        if self.progress.completed_at:
            return "Completed"
        return "In progress"


def entries_for(user, modules) -> list[ModuleEntry]:
    modules = list(modules)
    ids = [m.pk for m in modules]
    progress = {
        p.module_id: p
        for p in ModuleProgress.objects.filter(user=user, module_id__in=ids)
        .select_related("version")
        .defer("version__snapshot")
        .annotate(reflection_count=Count("reflections"))
    }
    passed = set(
        Attempt.objects.filter(user=user, passed=True, assessment__module_id__in=ids).values_list(
            "assessment__module_id", flat=True
        )
    )
    counts = {
        v.pk: v
        for v in ModuleVersion.objects.filter(pk__in=[m.current_version_id for m in modules]).defer(
            "snapshot"
        )
    }
    entries = []
    for module in modules:
        mine = progress.get(module.pk)
        version = mine.version if mine else counts.get(module.current_version_id)
        steps = version.steps if version else 0
        done = 0
        if mine is not None:
            done = (
                len(set(mine.read_section_ids))
                + min(mine.reflection_count, version.activity_count)
                + (1 if version.has_assessment and module.pk in passed else 0)
            )
        entries.append(ModuleEntry(module, mine, steps, min(done, steps), module.pk in passed))
    return entries


def my_learning(user) -> dict:
    entries = entries_for(user, modules_for(user))
    in_progress = [e for e in entries if e.status == "In progress"]
    in_progress.sort(key=lambda e: e.progress.updated_at, reverse=True)
    authoring_in = communities_where(user, Capability.AUTHOR_MODULE)
    authored = Module.objects.filter(community__in=authoring_in)
    if user.is_staff:
        authored = authored | Module.objects.filter(community__isnull=True)
    return {
        "entries": entries,
        "resume": in_progress[0] if in_progress else None,
        "authored": list(authored.select_related("community").order_by("title")),
        "author_communities": authoring_in,
        "can_author_organisation_wide": can_author_in(user, None),
    }


def completed_record(user) -> list[dict]:
    """The member's completed modules with their best passing result, for the record."""
    done = list(
        ModuleProgress.objects.filter(user=user, completed_at__isnull=False)
        .select_related("module__community", "version")
        .defer("version__snapshot")
        .order_by("completed_at")
    )
    best = {}
    for attempt in Attempt.objects.filter(
        user=user, passed=True, assessment__module_id__in=[p.module_id for p in done]
    ).select_related("assessment"):
        key = attempt.assessment.module_id
        if key not in best or attempt.percent > best[key].percent:
            best[key] = attempt
    return [{"progress": p, "module": p.module, "attempt": best.get(p.module_id)} for p in done]


def module_page(user, module: Module) -> dict:
    """Everything the module page shows about `module` for `user`."""
    progress = None
    if user.is_authenticated:
        progress = (
            ModuleProgress.objects.filter(user=user, module=module)
            .select_related("version")
            .first()
        )
    version = progress.version if progress else module.current_version
    reflected: set[int] = set()
    if progress is not None:
        reflected = set(progress.reflections.values_list("activity_id", flat=True))
    assessment = Assessment.objects.filter(module=module).first()
    standing = None
    attempts: list[Attempt] = []
    if assessment is not None and user.is_authenticated:
        attempts = list(Attempt.objects.filter(assessment=assessment, user=user).order_by("number"))
        standing = standing_in(assessment, user, attempts)
    read = set(progress.read_section_ids) if progress else set()
    sections = (
        [{**s, "read": s["id"] in read} for s in version.snapshot["sections"]] if version else []
    )
    activities = (
        [{**a, "done": a["id"] in reflected} for a in version.snapshot["activities"]]
        if version
        else []
    )
    passed = bool(standing and standing.passed_attempt)
    steps = version.steps if version else 0
    done = sum(s["read"] for s in sections) + sum(a["done"] for a in activities)
    done += 1 if passed and version and version.has_assessment else 0
    return {
        "module": module,
        "version": version,
        "snapshot": version.snapshot if version else None,
        "progress": progress,
        "sections": sections,
        "activities": activities,
        "assessment": assessment if version and version.has_assessment else None,
        "attempts": attempts,
        "standing": standing,
        "passed": passed,
        "steps": steps,
        "done": done,
        "percent": round(100 * done / steps) if steps else 0,
        "newer_version": bool(
            progress
            and module.current_version_id
            and progress.version_id != module.current_version_id
        ),
        "can_take": can_take(user, module),
        "can_author": can_author(user, module),
    }


def next_step_url(user, module: Module) -> str:
    """ "Continue where I left off": the next unread section, then activities, then the
    assessment, then the module page."""
    from django.urls import reverse

    page = module_page(user, module)
    slug = module.slug
    sections = page["sections"]
    if page["progress"] and page["progress"].last_section_id:
        ids = [s["id"] for s in sections]
        last = page["progress"].last_section_id
        after = sections[ids.index(last) + 1 :] if last in ids else sections
        following = next((s for s in after if not s["read"]), None)
        if following:
            return reverse(
                "learning:section", kwargs={"module_slug": slug, "section_id": following["id"]}
            )
    unread = next((s for s in sections if not s["read"]), None)
    if unread:
        return reverse("learning:section", kwargs={"module_slug": slug, "section_id": unread["id"]})
    undone = next((a for a in page["activities"] if not a["done"]), None)
    if undone:
        return reverse(
            "learning:activity", kwargs={"module_slug": slug, "activity_id": undone["id"]}
        )
    if page["assessment"] and not page["passed"]:
        return reverse("learning:assessment", kwargs={"module_slug": slug})
    return module.get_absolute_url()


@dataclass
class FeedbackList:
    open: list = field(default_factory=list)
    handled: list = field(default_factory=list)


def feedback_for(module: Module) -> FeedbackList:
    items = FeedbackList()
    for item in module.feedback.select_related("author", "handled_by").order_by("-created_at"):
        (items.handled if item.handled_at else items.open).append(item)
    return items
