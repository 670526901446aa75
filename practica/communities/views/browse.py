"""Community list, creation, home page and member directory."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse

from practica.communities import querysets
from practica.communities.capabilities import (
    Capability,
    InstanceCapability,
    can_map,
    can_on_instance,
    join_refusal,
    require,
    standing,
)
from practica.communities.forms import CommunityCreateForm, MemberFilterForm
from practica.communities.lanyards import attach_lanyards
from practica.communities.models import Community, JoinPolicy, JoinRequest
from practica.communities.services.membership import (
    create_community,
    is_last_steward,
    require_can_create_community,
)
from practica.communities.stages import Stage
from practica.forms import form_status
from practica.people.visibility import profiles_readable_by


def community_for(request, community_slug: str) -> Community:
    """The community named in the URL, if the requester may read it.

    One that doesn't exist and one the requester may not read both answer 404, so a
    private community's name never reaches outsiders (the 404 page tells a visitor who
    was invited to log in first).
    """
    community = get_object_or_404(
        Community.objects.select_related("organisation"), slug=community_slug
    )
    require(request.user, Capability.READ, community=community)
    return community


def community_list(request):
    context = querysets.communities_for_home(request.user)
    context["can_create_community"] = can_on_instance(
        request.user, InstanceCapability.CREATE_COMMUNITY
    )
    context["can_propose_community"] = can_on_instance(
        request.user, InstanceCapability.PROPOSE_COMMUNITY
    )
    return render(request, "communities/community_list.html", context)


@login_required
def community_create(request):
    require_can_create_community(request.user)
    form = CommunityCreateForm(
        request.POST or None,
        initial={
            "organisation": request.user.organisation_id,
            "visibility": "public",
            "join_policy": "open",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            community = create_community(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            named = [u for u in form.cleaned_data["stewards"] if u != request.user]
            if named:
                messages.success(
                    request,
                    f"{community.name} is ready. Its first stewards, "
                    f"{', '.join(u.name for u in named)}, have been told.",
                )
                return redirect(community.get_absolute_url())
            messages.success(request, f"{community.name} is ready. You are its steward.")
            return redirect("communities:settings", community_slug=community.slug)
    return render(
        request, "communities/community_create.html", {"form": form}, status=form_status(form)
    )


def membership_context(request, community: Community) -> dict:
    """What the join / request / member / leave area of a page needs, decided here."""
    user = request.user
    where = standing(user, community)
    pending_request = None
    if user.is_authenticated and not where.membership:
        pending_request = JoinRequest.objects.filter(
            community=community, user=user, status=JoinRequest.Status.PENDING
        ).first()
    refusal = join_refusal(user, community) if not where.membership else ""
    last_steward = where.is_member and is_last_steward(where.membership)
    return {
        "membership": where.membership,
        "is_member": where.is_member,
        "is_suspended": where.suspended,
        "my_stage_label": community.stage_label(where.stage) if where.is_member else "",
        "pending_request": pending_request,
        "can_join": not refusal and community.join_policy == JoinPolicy.OPEN,
        "can_request": not refusal
        and community.join_policy == JoinPolicy.REQUEST
        and pending_request is None,
        "join_refusal": refusal if user.is_authenticated else "",
        "can_leave": where.is_member and not last_steward,
        "is_last_steward": last_steward,
        "newcomer_label": community.stage_label(Stage.PERIPHERAL),
    }


def community_home(request, community_slug):
    community = community_for(request, community_slug)
    context = {
        "community": community,
        "topics": community.topics.all(),
        "stages": querysets.members_by_stage(community),
        **membership_context(request, community),
        **can_map(
            request.user,
            community,
            [
                Capability.CONFIGURE,
                Capability.MANAGE_MEMBERS,
                Capability.INVITE_MEMBERS,
                Capability.VIEW_ANALYTICS,
            ],
        ),
    }
    if context["can_manage_members"]:
        context.update(querysets.pending_for_stewards(community))
    context.update(recent_activity(request.user, community))
    return render(request, "communities/community_home.html", context)


ACTIVITY_ITEMS = 5


def recent_activity(user, community) -> dict:
    """What is happening in the community, from each capability's own reads."""
    from practica.conversations.querysets import public_threads
    from practica.events.querysets import events_page
    from practica.library.querysets import LibraryFilters, library_articles

    threads = attach_lanyards(
        community,
        public_threads(community)
        .select_related("author", "community")
        .order_by("-last_activity_at", "-pk")[:ACTIVITY_ITEMS],
    )
    articles = list(library_articles(user, community, LibraryFilters())[:ACTIVITY_ITEMS])
    upcoming = events_page(community, user)["upcoming"][:3]
    return {"recent_threads": threads, "recent_articles": articles, "upcoming_events": upcoming}


def members(request, community_slug):
    community = community_for(request, community_slug)
    if not profiles_readable_by(request.user):
        return redirect_to_login(request.get_full_path())
    abilities = can_map(
        request.user, community, [Capability.MANAGE_MEMBERS, Capability.ENDORSE_MEMBER]
    )
    form = MemberFilterForm(request.GET or None, community=community)
    people = querysets.members_for_directory(
        community, include_suspended=abilities["can_manage_members"], **form.filters()
    )
    page = Paginator(people, settings.PRACTICA_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = attach_lanyards(community, page.object_list, user_attr="user")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "communities/members.html",
        {
            "community": community,
            "form": form,
            "page_obj": page,
            "members": page.object_list,
            "query": query.urlencode(),
            "filtered": any(form.filters().values()),
            "invite_url": reverse("communities:invite", kwargs={"community_slug": community.slug}),
            **abilities,
        },
    )


urlpatterns = [
    path("", community_list, name="list"),
    # Before the home page's pattern, which would otherwise take "new" for a slug.
    path("new/", community_create, name="create"),
    path("<slug:community_slug>/", community_home, name="home"),
    path("<slug:community_slug>/members/", members, name="members"),
]
