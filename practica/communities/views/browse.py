"""Community list and home page."""

from django.shortcuts import get_object_or_404, render
from django.urls import path

from practica.communities.capabilities import Capability, require
from practica.communities.models import Community
from practica.communities.querysets import communities_for_home


def community_for(request, community_slug: str) -> Community:
    """The community named in the URL, if the requester may read it; 404 if it doesn't exist.

    A private community that exists answers 403 with the reason, so an invited person
    knows to log in rather than think the link is broken.
    """
    community = get_object_or_404(
        Community.objects.select_related("organisation"), slug=community_slug
    )
    require(request.user, Capability.READ, community=community)
    return community


def community_list(request):
    return render(request, "communities/community_list.html", communities_for_home(request.user))


def community_home(request, community_slug):
    community = community_for(request, community_slug)
    return render(
        request,
        "communities/community_home.html",
        {"community": community, "topics": community.topics.all()},
    )


urlpatterns = [
    path("", community_list, name="list"),
    path("<slug:community_slug>/", community_home, name="home"),
]
