"""Value-creation stories, the value-creation matrix and the sponsor's report (page and PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from practica.communities.capabilities import Capability, can_map, require
from practica.communities.views.browse import community_for
from practica.evidence.pdf import render_pdf
from practica.insights import services
from practica.insights.forms import StoryForm, about_link, quarter_form
from practica.insights.models import Cycle, ValueStory
from practica.insights.value import Matrix
from practica.insights.views import period_form
from practica.privacy.forms import apply_service_error


def story_or_404(community, story_id: int) -> ValueStory:
    story = (
        ValueStory.objects.filter(community=community, pk=story_id)
        .select_related("author")
        .prefetch_related("threads", "articles", "events", "decisions__proposal")
        .first()
    )
    if story is None:
        raise Http404("No such story.")
    return story


def story_list(request, community_slug):
    """Members read their community's stories; nobody outside it does (see the report)."""
    community = community_for(request, community_slug)
    require(request.user, Capability.TELL_STORY, community=community)
    cycle = request.GET.get("cycle", "")
    stories = ValueStory.objects.filter(community=community).select_related("author")
    if cycle in Cycle.values:
        stories = (
            stories.filter(cycles__contains=cycle)
            if _json_contains()
            else [s for s in stories if cycle in s.cycles]
        )
    page = Paginator(stories, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "insights/story_list.html",
        {
            "community": community,
            "page_obj": page,
            "stories": page.object_list,
            "cycle": cycle,
            "cycles": Cycle.choices,
            "query": f"cycle={cycle}" if cycle else "",
            **can_map(request.user, community, [Capability.VIEW_ANALYTICS, Capability.TELL_STORY]),
        },
    )


def _json_contains() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


@login_required
def story_new(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.TELL_STORY, community=community)
    initial = {}
    link = about_link(community, request.GET.get("about", ""))
    if link:
        initial["links"] = link
    form = StoryForm(request.POST or None, community=community, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                story = services.tell_story(
                    actor=request.user,
                    community=community,
                    title=data["title"],
                    took_part_in=data["took_part_in"],
                    what_it_gave=data["what_it_gave"],
                    did_differently=data["did_differently"],
                    difference=data["difference"],
                    cycles=data["cycles"],
                    links=data["links"],
                    consent_to_publish=data["consent_to_publish"],
                    confirm_guard=form.guard_confirmed,
                    submission_key=data["submission_key"],
                )
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                messages.success(request, "Thank you: your story is kept with the community's.")
                return redirect(story)
        status = 400
    return render(
        request, "insights/story_form.html", {"community": community, "form": form}, status=status
    )


def story_detail(request, community_slug, story_id):
    community = community_for(request, community_slug)
    require(request.user, Capability.TELL_STORY, community=community)
    story = story_or_404(community, story_id)
    return render(
        request,
        "insights/story_detail.html",
        {
            "community": community,
            "story": story,
            "is_author": request.user.pk == story.author_id,
            **can_map(request.user, community, [Capability.VIEW_ANALYTICS]),
        },
    )


@login_required
@require_POST
def story_consent(request, community_slug, story_id):
    community = community_for(request, community_slug)
    story = story_or_404(community, story_id)
    consent = request.POST.get("consent") == "1"
    services.set_story_consent(actor=request.user, story=story, consent=consent)
    messages.success(
        request,
        "You consented to publication." if consent else "Your story stays inside the community.",
    )
    return redirect(story)


@login_required
@require_POST
def story_choose(request, community_slug, story_id):
    community = community_for(request, community_slug)
    story = story_or_404(community, story_id)
    chosen = request.POST.get("chosen") == "1"
    services.choose_story(actor=request.user, story=story, chosen=chosen)
    if chosen and not story.consent_to_publish:
        messages.warning(
            request, "Chosen for the report; it appears there once its author consents."
        )
    else:
        messages.success(
            request, "Chosen for the sponsor's report." if chosen else "Taken out of the report."
        )
    return redirect(story)


def matrix(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.VIEW_ANALYTICS, community=community)
    form = period_form(request)
    value = Matrix(community, form.period_or_default())
    return render(
        request,
        "insights/matrix.html",
        {"community": community, "form": form, "matrix": value, "period": value.period, "query": form.query(),
         "can_view_analytics": True},
        status=200 if form.is_valid() or not form.is_bound else 400,
    )  # fmt: skip


def _report_context(request, community):
    """The report's period: the one asked for, else the last full calendar quarter."""
    require(request.user, Capability.VIEW_ANALYTICS, community=community)
    form = period_form(request) if request.GET else quarter_form()
    value = Matrix(community, form.period_or_default())
    return form, {
        "community": community,
        "form": form,
        "matrix": value,
        "period": value.period,
        "query": form.query(),
    }


def report(request, community_slug):
    community = community_for(request, community_slug)
    form, context = _report_context(request, community)
    context["can_view_analytics"] = True
    return render(
        request,
        "insights/report.html",
        context,
        status=200 if form.is_valid() or not form.is_bound else 400,
    )


def report_pdf(request, community_slug):
    community = community_for(request, community_slug)
    _form, context = _report_context(request, community)
    period = context["period"]
    return render_pdf(
        "insights/report_pdf.html",
        context,
        filename=f"{community.slug}-report-{period.start:%Y%m%d}-{period.end:%Y%m%d}.pdf",
    )
