"""Joining, leaving, invitations, join requests and community settings.

Each view fetches the community (`community_for` checks it may be read), hands the work to
a service (which checks the capability), and renders or redirects. A refusal a person can
act on comes back as a message on the page they were on; a forbidden action is a 403 whose
text says which stage unlocks it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from practica.communities.capabilities import Capability, can_map, require
from practica.communities.forms import (
    CapabilityGridForm,
    CommunityForm,
    InvitationForm,
    JoinRequestDecisionForm,
    JoinRequestForm,
    StageLabelsForm,
    TopicForm,
)
from practica.communities.models import Community, Invitation, JoinPolicy, JoinRequest, Topic
from practica.communities.services import membership as services
from practica.communities.stages import Stage
from practica.communities.views.browse import community_for, membership_context
from practica.forms import form_status


def _back_home(community):
    return redirect(community.get_absolute_url())


# --- joining and leaving --------------------------------------------------------------------


@login_required
def join(request, community_slug):
    """GET: the join (or request-to-join) page. POST: join, or send the request."""
    community = community_for(request, community_slug)
    context = {"community": community, **membership_context(request, community)}
    if context["membership"]:
        if context["is_suspended"]:
            messages.error(request, context["join_refusal"] or "Your membership is suspended.")
        else:
            messages.info(request, f"You are already a member of {community.name}.")
        return _back_home(community)
    if community.join_policy == JoinPolicy.REQUEST:
        return _request_to_join(request, community, context)
    if request.method == "POST":
        # The service refuses (403, with the reason) anything but an open community.
        services.join_community(actor=request.user, community=community)
        messages.success(
            request,
            f"Welcome to {community.name}. You join as a "
            f"{community.stage_label(Stage.PERIPHERAL)}: ask questions, reply, and learn how "
            "the community works.",
        )
        return _back_home(community)
    if context["join_refusal"]:
        raise PermissionDenied(context["join_refusal"])
    return render(request, "communities/join.html", context)


def _request_to_join(request, community, context):
    if context["join_refusal"]:
        raise PermissionDenied(context["join_refusal"])
    if context["pending_request"] is not None and request.method == "GET":
        messages.info(
            request, f"You have already asked to join {community.name}. A steward will decide."
        )
        return _back_home(community)
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_to_join(
                actor=request.user, community=community, message=form.cleaned_data["message"]
            )
        except services.MembershipRefused as refused:
            messages.error(request, refused.message)
            return _back_home(community)
        messages.success(
            request,
            "Your request is with the stewards. You will get a notification when they decide.",
        )
        return _back_home(community)
    return render(
        request, "communities/join.html", {**context, "form": form}, status=form_status(form)
    )


@login_required
def leave(request, community_slug):
    community = community_for(request, community_slug)
    if request.method == "POST":
        try:
            services.leave_community(actor=request.user, community=community)
        except services.MembershipRefused as refused:
            messages.error(request, refused.message)
            return _back_home(community)
        messages.success(request, f"You have left {community.name}.")
        return redirect("communities:list")
    return render(
        request,
        "communities/leave.html",
        {"community": community, **membership_context(request, community)},
    )


# --- invitations ----------------------------------------------------------------------------


def invitations(request, community_slug):
    """Stewards: invite people by email and see the invitations still open."""
    community = community_for(request, community_slug)
    require(request.user, Capability.INVITE_MEMBERS, community=community)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite(
                actor=request.user, community=community, email=form.cleaned_data["email"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        except services.MembershipRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("communities:invite", community_slug=community.slug)
    recent = (
        Invitation.objects.filter(community=community)
        .select_related("invited_by", "accepted_by")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "communities/invitations.html",
        {"community": community, "form": form, "invitations": recent, "now": timezone.now()},
        status=form_status(form),
    )


@require_POST
def invitation_revoke(request, community_slug, invitation_id):
    community = community_for(request, community_slug)
    invitation = get_object_or_404(Invitation, pk=invitation_id, community=community)
    try:
        services.revoke_invitation(actor=request.user, invitation=invitation)
    except services.MembershipRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return redirect("communities:invite", community_slug=community.slug)


def invitation_accept(request, community_slug, token):
    """The page an invitation email links to.

    It works before the reader can see the community (that is the point of an invitation
    to a private one), so it shows only the name and tagline until the invitation is
    accepted.
    """
    community = get_object_or_404(Community, slug=community_slug)
    try:
        invitation = services.invitation_from_token(token, community=community)
    except services.MembershipRefused as refused:
        return render(
            request,
            "communities/invitation_accept.html",
            {"community": community, "problem": refused.message},
            status=400,
        )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            services.accept_invitation(actor=request.user, community=community, token=token)
        except services.MembershipRefused as refused:
            messages.error(request, refused.message)
            return redirect(request.path)
        messages.success(
            request,
            f"Welcome to {community.name}. You join as a "
            f"{community.stage_label(Stage.PERIPHERAL)}.",
        )
        return _back_home(community)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    context = {"community": community, "invitation": invitation}
    if request.user.is_authenticated:
        context.update(membership_context(request, community))
    return render(request, "communities/invitation_accept.html", context)


# --- join requests --------------------------------------------------------------------------


def join_requests(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.MANAGE_MEMBERS, community=community)
    pending = list(
        JoinRequest.objects.filter(community=community, status=JoinRequest.Status.PENDING)
        .select_related("user")
        .order_by("created_at")
    )
    decided = (
        JoinRequest.objects.filter(community=community)
        .exclude(status=JoinRequest.Status.PENDING)
        .select_related("user", "decided_by")
        .order_by("-decided_at")[:20]
    )
    return render(
        request,
        "communities/join_requests.html",
        {"community": community, "pending": pending, "decided": decided},
    )


@require_POST
def join_request_decide(request, community_slug, request_id):
    community = community_for(request, community_slug)
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("user", "community"), pk=request_id, community=community
    )
    # Checked before the form, so a forged POST learns nothing from validation messages.
    require(request.user, Capability.MANAGE_MEMBERS, community=community)
    form = JoinRequestDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to approve or decline the request.")
        return redirect("communities:join-requests", community_slug=community.slug)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.decide_join_request(
            actor=request.user,
            join_request=join_request,
            approve=approve,
            note=form.cleaned_data["note"],
        )
    except services.MembershipRefused as refused:
        messages.error(request, refused.message)
    else:
        who = join_request.user.name
        messages.success(
            request,
            f"{who} is now a member." if approve else f"You declined {who}’s request.",
        )
    return redirect("communities:join-requests", community_slug=community.slug)


# --- settings -------------------------------------------------------------------------------


def _settings_forms(community, data=None, section=""):
    """Every form on the settings page; only the one submitted is bound to `data`."""

    def bound(name):
        return data if section == name else None

    return {
        "general_form": CommunityForm(
            bound("general"), initial=CommunityForm.initial_for(community)
        ),
        "labels_form": StageLabelsForm(bound("labels"), community=community),
        "topic_form": TopicForm(bound("topic-add")),
        "grid_form": CapabilityGridForm(bound("capabilities"), community=community),
    }


SAVED = {
    "general": "The community’s details are saved.",
    "labels": "The stage labels are saved.",
    "topic-add": "The topic is added.",
    "topic-rename": "The topic is renamed.",
    "topic-remove": "The topic is removed.",
    "capabilities": "Who may do what is saved.",
}


def _save_section(request, community, section, forms) -> bool:
    """Run the service for the submitted section. True when saved; errors go on the form."""
    actor, data = request.user, request.POST
    if section in ("topic-rename", "topic-remove"):
        topic = get_object_or_404(Topic, pk=data.get("topic_id") or 0, community=community)
        if section == "topic-remove":
            services.remove_topic(actor=actor, topic=topic)
            return True
        form = TopicForm(data)
        forms["rename_errors"] = {topic.pk: form}
        if form.is_valid():
            try:
                services.rename_topic(actor=actor, topic=topic, **form.cleaned_data)
                return True
            except ValidationError as error:
                form.add_error(None, error)
        return False
    form_name = {
        "general": "general_form",
        "labels": "labels_form",
        "topic-add": "topic_form",
        "capabilities": "grid_form",
    }[section]
    form = forms[form_name]
    if not form.is_valid():
        return False
    try:
        if section == "general":
            services.update_community(actor=actor, community=community, **form.cleaned_data)
        elif section == "labels":
            services.set_stage_labels(actor=actor, community=community, labels=form.labels())
        elif section == "topic-add":
            services.add_topic(actor=actor, community=community, **form.cleaned_data)
        else:
            services.set_capability_minimums(
                actor=actor, community=community, minimums=form.minimums()
            )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def community_settings(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.CONFIGURE, community=community)
    section = request.POST.get("section", "") if request.method == "POST" else ""
    if request.method == "POST" and section not in SAVED:
        messages.error(request, "That form is not one this page knows. Please try again.")
        return redirect("communities:settings", community_slug=community.slug)
    forms = _settings_forms(community, request.POST, section)
    if section and _save_section(request, community, section, forms):
        messages.success(request, SAVED[section])
        anchor = {"topic-add": "topics", "topic-rename": "topics", "topic-remove": "topics"}
        url = reverse("communities:settings", kwargs={"community_slug": community.slug})
        return redirect(f"{url}#{anchor.get(section, section)}")
    if section == "general":
        # The header shows the saved name, not the one that failed to save.
        community.refresh_from_db()
    status = 400 if section else 200
    rename_errors = forms.pop("rename_errors", {})
    topics = list(community.topics.all())
    for topic in topics:
        topic.rename_form = rename_errors.get(topic.pk)
    return render(
        request,
        "communities/settings.html",
        {
            "community": community,
            "topics": topics,
            "section": section,
            **forms,
            **can_map(
                request.user,
                community,
                [Capability.MANAGE_MEMBERS, Capability.EXPORT_COMMUNITY],
            ),
        },
        status=status,
    )


urlpatterns = [
    path("<slug:community_slug>/join/", join, name="join"),
    path("<slug:community_slug>/leave/", leave, name="leave"),
    path("<slug:community_slug>/settings/", community_settings, name="settings"),
    path("<slug:community_slug>/invitations/", invitations, name="invite"),
    path(
        "<slug:community_slug>/invitations/<int:invitation_id>/revoke/",
        invitation_revoke,
        name="invitation-revoke",
    ),
    path(
        "<slug:community_slug>/invitation/<str:token>/",
        invitation_accept,
        name="invitation-accept",
    ),
    path("<slug:community_slug>/join-requests/", join_requests, name="join-requests"),
    path(
        "<slug:community_slug>/join-requests/<int:request_id>/decide/",
        join_request_decide,
        name="join-request-decide",
    ),
]
