"""The trajectory: progression, stage history, promotions, endorsements and mentoring."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.forms import formset_factory
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from practica.communities import progression
from practica.communities.capabilities import (
    Capability,
    can,
    can_map,
    memberships_of,
    minimum_stage,
    require,
)
from practica.communities.lanyards import lanyards_for
from practica.communities.models import (
    Community,
    CriterionKind,
    Endorsement,
    Membership,
    Mentorship,
    ProgressionRule,
    PromotionRequest,
    StageChange,
)
from practica.communities.services import progression as services
from practica.communities.stages import MEMBER_STAGES, Stage
from practica.communities.views.browse import community_for
from practica.people.models import User
from practica.redirects import redirect_next
from practica.widgets import RadioSelect

HISTORY_LIMIT = 100
OPEN_MENTORSHIP = [Mentorship.Status.OFFERED, Mentorship.Status.ACTIVE]

# --- forms ---------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The member and the other stewards see this in the stage history.",
        error_messages={"required": "Give a reason: the member and other stewards will see it."},
    )


class StageForm(ReasonForm):
    to_stage = forms.TypedChoiceField(label="New stage", coerce=int)

    field_order = ["to_stage", "reason"]

    def __init__(self, *args, stages: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = stages


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    note = forms.CharField(
        label="Note to the member",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you decline; shown to the member.",
    )
    # Set by the "Approve anyway" button once the page has said which criteria are not met.
    approve_unmet = forms.BooleanField(required=False, widget=forms.HiddenInput)


class EndorseForm(forms.Form):
    note = forms.CharField(
        label="A note (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you have seen them do well. They can read it.",
    )


class AssignMentorForm(forms.Form):
    mentor = forms.TypedChoiceField(label="Mentor", coerce=int)

    def __init__(self, *args, mentors: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [("", "Choose a mentor")] + mentors


class RuleForm(forms.Form):
    mode = forms.ChoiceField(
        label="How members move on", choices=progression.Mode.CHOICES, widget=RadioSelect
    )


class CriterionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Criterion", required=False, choices=[("", "—")] + CriterionKind.choices
    )
    threshold = forms.IntegerField(label="At least", required=False, min_value=0, max_value=100000)
    assessment_ref = forms.CharField(
        label="Assessment",
        required=False,
        max_length=80,
        help_text="For “Assessment passed”: which assessment.",
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("threshold") is None:
            self.add_error("threshold", "Give the number a member must reach.")
        return data


CriterionFormSet = formset_factory(CriterionForm, extra=2, can_delete=True)


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- loading ----------------------------------------------------------------------------------


def _membership_of(community: Community, username: str) -> Membership:
    membership = get_object_or_404(
        Membership.objects.select_related("user"), community=community, user__username=username
    )
    membership.community = community
    return membership


def _can_see_trajectory(viewer, membership: Membership) -> bool:
    if viewer.pk == membership.user_id:
        return True
    if can(viewer, Capability.MANAGE_MEMBERS, community=membership.community):
        return True
    return Mentorship.objects.filter(
        community=membership.community,
        mentor=viewer,
        mentee_id=membership.user_id,
        status=Mentorship.Status.ACTIVE,
    ).exists()


def _stage_choices(community: Community, *, above: int | None = None, below: int | None = None):
    return [
        (int(s), community.stage_label(s))
        for s in MEMBER_STAGES
        if (above is None or s > above) and (below is None or s < below)
    ]


def _mentor_choices(community: Community, exclude_user_id: int) -> list[tuple[int, str]]:
    members = (
        Membership.objects.filter(
            community=community,
            suspended=False,
            stage__gte=minimum_stage(community, Capability.MENTOR),
        )
        .exclude(user_id=exclude_user_id)
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )
    return [(m.user_id, f"{m.user.name} ({community.stage_label(m.stage)})") for m in members]


def _trajectory_context(request, community: Community, membership: Membership) -> dict:
    """Everything the trajectory page shows, in a fixed number of queries."""
    viewer = request.user
    person = membership.user
    trajectory = progression.trajectory_for(membership)
    history = list(
        StageChange.objects.filter(membership=membership)
        .select_related("changed_by", "rule")
        .order_by("-created_at", "-pk")[:HISTORY_LIMIT]
    )
    latest_request = (
        PromotionRequest.objects.filter(membership=membership)
        .select_related("decided_by")
        .order_by("-created_at", "-pk")
        .first()
    )
    links = list(
        Mentorship.objects.filter(community=community, status__in=OPEN_MENTORSHIP)
        .filter(Q(mentor=person) | Q(mentee=person))
        .select_related("mentor", "mentee")
    )
    mentors = [m for m in links if m.mentee_id == person.pk]
    mentees = [m for m in links if m.mentor_id == person.pk]
    endorsements = list(
        Endorsement.objects.filter(community=community, endorsee=person).select_related("endorser")
    )
    own = viewer.pk == person.pk
    learners = []
    if own and can(viewer, Capability.MENTOR, community=community) and not membership.suspended:
        mentored = Mentorship.objects.filter(
            community=community, mentee=OuterRef("user"), status__in=OPEN_MENTORSHIP
        )
        learners = list(
            Membership.objects.filter(community=community, suspended=False, stage=Stage.PERIPHERAL)
            .exclude(Exists(mentored))
            .select_related("user")
            .order_by("-joined_at")[:5]
        )
    people = (
        [person]
        + [c.changed_by for c in history]
        + [m.mentor for m in links]
        + [m.mentee for m in links]
        + [e.endorser for e in endorsements]
        + [m.user for m in learners]
    )
    lanyards = lanyards_for(community, people)
    for change in history:
        change.lanyard = lanyards.get(change.changed_by_id)
    for link in links:
        link.mentor_lanyard = lanyards[link.mentor_id]
        link.mentee_lanyard = lanyards[link.mentee_id]
    for endorsement in endorsements:
        endorsement.lanyard = lanyards[endorsement.endorser_id]
    for learner in learners:
        learner.lanyard = lanyards[learner.user_id]
    pending = (
        latest_request
        if latest_request and latest_request.status == PromotionRequest.Status.PENDING
        else None
    )
    endorsed_by_viewer = any(e.endorser_id == viewer.pk for e in endorsements)
    capabilities = can_map(
        viewer, community, [Capability.MANAGE_MEMBERS, Capability.ENDORSE_MEMBER]
    )
    return {
        "community": community,
        "membership": membership,
        "person": person,
        "person_lanyard": lanyards[person.pk],
        "own": own,
        "trajectory": trajectory,
        "next_steps": trajectory.next_steps(),
        "history": history,
        "history_truncated": len(history) == HISTORY_LIMIT,
        "has_joined_change": any(c.kind == StageChange.Kind.JOINED for c in history),
        "pending": pending,
        "latest_request": latest_request,
        "mentors": mentors,
        "mentees": mentees,
        "endorsements": endorsements,
        "learners": learners,
        "can_endorse": (
            capabilities["can_endorse_member"]
            and not own
            and not endorsed_by_viewer
            and not membership.suspended
        ),
        "endorsed_by_viewer": endorsed_by_viewer,
        "can_manage": capabilities["can_manage_members"] and not own,
    }


# --- the trajectory pages ------------------------------------------------------------------------


@login_required
def trajectory(request, community_slug):
    community = community_for(request, community_slug)
    membership = memberships_of(request.user).get(community.pk)
    if membership is None:
        return render(request, "communities/trajectory_join.html", {"community": community})
    membership.community = community
    membership.user = request.user
    context = _trajectory_context(request, community, membership)
    return render(request, "communities/trajectory.html", context)


@login_required
def member_trajectory(request, community_slug, username):
    community = community_for(request, community_slug)
    membership = _membership_of(community, username)
    if membership.user_id == request.user.pk:
        return redirect("communities:trajectory", community_slug=community.slug)
    if not _can_see_trajectory(request.user, membership):
        raise PermissionDenied(
            f"Only stewards of {community.name} and {membership.user.name}’s mentors can see "
            "their trajectory."
        )
    context = _trajectory_context(request, community, membership)
    return render(request, "communities/trajectory.html", context)


# --- managing a member -----------------------------------------------------------------------


def _manage_forms(community: Community, membership: Membership, data=None, which: str = ""):
    """The manage page's forms; only the one named by `which` is bound to `data`."""

    def bound(name):
        return data if which == name else None

    return {
        "promote_form": StageForm(
            bound("promote"),
            prefix="promote",
            stages=_stage_choices(community, above=membership.stage),
        ),
        "demote_form": StageForm(
            bound("demote"),
            prefix="demote",
            stages=_stage_choices(community, below=membership.stage),
        ),
        "suspend_form": ReasonForm(bound("suspend"), prefix="suspend"),
        "mentor_form": AssignMentorForm(
            bound("mentor"), prefix="mentor", mentors=_mentor_choices(community, membership.user_id)
        ),
    }


def _render_manage(request, community, membership, forms_=None, status=200):
    context = _trajectory_context(request, community, membership)
    context.update(forms_ or _manage_forms(community, membership))
    context["can_be_mentored"] = (
        not can(membership.user, Capability.MENTOR, community=community)
        and not membership.suspended
    )
    return render(request, "communities/member_manage.html", context, status=status)


@login_required
def member_manage(request, community_slug, username):
    community = community_for(request, community_slug)
    require(request.user, Capability.MANAGE_MEMBERS, community=community)
    membership = _membership_of(community, username)
    if membership.user_id == request.user.pk:
        messages.info(request, "You can't manage your own membership: this is your trajectory.")
        return redirect("communities:trajectory", community_slug=community.slug)
    return _render_manage(request, community, membership)


def _stage_action(request, community_slug, username, which: str):
    community = community_for(request, community_slug)
    require(request.user, Capability.MANAGE_MEMBERS, community=community)
    membership = _membership_of(community, username)
    forms_ = _manage_forms(community, membership, request.POST, which)
    form = forms_[f"{which}_form"]
    if form.is_valid():
        try:
            if which in ("promote", "demote"):
                services.change_stage(
                    actor=request.user,
                    membership=membership,
                    to_stage=form.cleaned_data["to_stage"],
                    reason=form.cleaned_data["reason"],
                )
            elif membership.suspended:
                services.reinstate_member(
                    actor=request.user, membership=membership, reason=form.cleaned_data["reason"]
                )
            else:
                services.suspend_member(
                    actor=request.user, membership=membership, reason=form.cleaned_data["reason"]
                )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Done: the change is recorded in the stage history.")
            return redirect(
                "communities:member-manage", community_slug=community.slug, username=username
            )
    return _render_manage(request, community, membership, forms_, status=400)


@login_required
@require_POST
def member_promote(request, community_slug, username):
    return _stage_action(request, community_slug, username, "promote")


@login_required
@require_POST
def member_demote(request, community_slug, username):
    return _stage_action(request, community_slug, username, "demote")


@login_required
@require_POST
def member_suspend(request, community_slug, username):
    """Suspends an active member, or reinstates a suspended one."""
    return _stage_action(request, community_slug, username, "suspend")


@login_required
@require_POST
def mentor_assign(request, community_slug, username):
    community = community_for(request, community_slug)
    require(request.user, Capability.MANAGE_MEMBERS, community=community)
    membership = _membership_of(community, username)
    forms_ = _manage_forms(community, membership, request.POST, "mentor")
    form = forms_["mentor_form"]
    if form.is_valid():
        mentor = get_object_or_404(User, pk=form.cleaned_data["mentor"])
        try:
            services.assign_mentor(
                actor=request.user, community=community, mentor=mentor, mentee=membership.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{mentor.name} now mentors {membership.user.name}.")
            return redirect(
                "communities:member-manage", community_slug=community.slug, username=username
            )
    return _render_manage(request, community, membership, forms_, status=400)


# --- endorsing and offering to mentor -------------------------------------------------------------


def _support_context(request, community, membership, form=None, error_status=200):
    viewer = request.user
    person = membership.user
    endorsement = Endorsement.objects.filter(
        community=community, endorser=viewer, endorsee=person
    ).first()
    offer = Mentorship.objects.filter(
        community=community, mentor=viewer, mentee=person, status__in=OPEN_MENTORSHIP
    ).first()
    lanyards = lanyards_for(community, [person])
    return {
        "community": community,
        "membership": membership,
        "person": person,
        "person_lanyard": lanyards[person.pk],
        "form": form or EndorseForm(),
        "endorsement": endorsement,
        "offer": offer,
        "own": viewer.pk == person.pk,
        "can_offer_mentoring": (
            viewer.pk != person.pk
            and offer is None
            and not membership.suspended
            and can(viewer, Capability.MENTOR, community=community)
            and not can(person, Capability.MENTOR, community=community)
        ),
        "can_see_trajectory": _can_see_trajectory(viewer, membership),
    }


@login_required
def endorse(request, community_slug, username):
    community = community_for(request, community_slug)
    require(request.user, Capability.ENDORSE_MEMBER, community=community)
    membership = _membership_of(community, username)
    form = EndorseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.endorse_member(
                    actor=request.user,
                    community=community,
                    endorsee=membership.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"You endorsed {membership.user.name}.")
                return redirect(
                    "communities:endorse", community_slug=community.slug, username=username
                )
        status = 400
    context = _support_context(request, community, membership, form)
    return render(request, "communities/endorse.html", context, status=status)


@login_required
@require_POST
def mentor_offer(request, community_slug, username):
    community = community_for(request, community_slug)
    require(request.user, Capability.MENTOR, community=community)
    membership = _membership_of(community, username)
    try:
        services.offer_mentoring(actor=request.user, community=community, mentee=membership.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Offer sent: {membership.user.name} can accept or decline it.")
    return redirect("communities:endorse", community_slug=community.slug, username=username)


@login_required
@require_POST
def mentorship_respond(request, community_slug, mentorship_id):
    community = community_for(request, community_slug)
    mentorship = get_object_or_404(Mentorship, pk=mentorship_id, community=community)
    mentorship.community = community
    accept = request.POST.get("answer") == "accept"
    try:
        services.respond_to_mentoring(actor=request.user, mentorship=mentorship, accept=accept)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "You accepted the offer: welcome your mentor!" if accept else "You declined the offer.",
        )
    return redirect("communities:trajectory", community_slug=community.slug)


@login_required
@require_POST
def mentorship_end(request, community_slug, mentorship_id):
    community = community_for(request, community_slug)
    mentorship = get_object_or_404(Mentorship, pk=mentorship_id, community=community)
    mentorship.community = community
    try:
        services.end_mentorship(actor=request.user, mentorship=mentorship)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The mentorship has ended.")
    return redirect_next(request, "communities:trajectory", community_slug=community.slug)


# --- the stewards' queue -------------------------------------------------------------------------


def _render_queue(
    request, community, bound: dict | None = None, status=200, warnings: dict | None = None
):
    pending = list(
        PromotionRequest.objects.filter(
            membership__community=community, status=PromotionRequest.Status.PENDING
        )
        .select_related("membership__user", "rule")
        .order_by("created_at", "pk")
    )
    decided = list(
        PromotionRequest.objects.filter(membership__community=community)
        .exclude(status=PromotionRequest.Status.PENDING)
        .select_related("membership__user", "decided_by")
        .order_by("-decided_at", "-pk")[:10]
    )
    lanyards = lanyards_for(
        community,
        [r.membership.user for r in pending + decided] + [r.decided_by for r in decided],
    )
    bound = bound or {}
    warnings = warnings or {}
    for item in pending:
        if item.pk in warnings:
            # Show the evidence as just measured, not as last stored.
            item.evidence = warnings[item.pk].request.evidence
            item.warning = warnings[item.pk].messages[0]
        item.lanyard = lanyards[item.membership.user_id]
        item.form = bound.get(item.pk) or DecisionForm(prefix=f"r{item.pk}")
        item.from_label = community.stage_label(item.rule.from_stage)
        item.to_label = community.stage_label(item.to_stage)
    for item in decided:
        item.lanyard = lanyards[item.membership.user_id]
        item.decider_lanyard = lanyards.get(item.decided_by_id)
        item.to_label = community.stage_label(item.to_stage)
    return render(
        request,
        "communities/promotion_queue.html",
        {"community": community, "pending": pending, "decided": decided},
        status=status,
    )


@login_required
def promotion_queue(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.MANAGE_MEMBERS, community=community)
    return _render_queue(request, community)


@login_required
@require_POST
def promotion_decide(request, community_slug, request_id):
    community = community_for(request, community_slug)
    require(request.user, Capability.MANAGE_MEMBERS, community=community)
    promotion = get_object_or_404(
        PromotionRequest.objects.select_related("membership__user"),
        pk=request_id,
        membership__community=community,
    )
    promotion.membership.community = community
    form = DecisionForm(request.POST, prefix=f"r{promotion.pk}")
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.decide_promotion(
                actor=request.user,
                promotion_request=promotion,
                approve=approve,
                note=form.cleaned_data["note"],
                approve_unmet=form.cleaned_data["approve_unmet"],
            )
        except services.CriteriaNotMet as warning:
            # Not an error in what was typed: the page asks the steward to confirm.
            return _render_queue(
                request, community, {promotion.pk: form}, warnings={promotion.pk: warning}
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            name = promotion.membership.user.name
            messages.success(
                request,
                f"{name} is now a {community.stage_label(promotion.to_stage)}."
                if approve
                else f"Declined: {name} has been told why.",
            )
            return redirect("communities:promotion-queue", community_slug=community.slug)
    return _render_queue(request, community, {promotion.pk: form}, status=400)


# --- rules -----------------------------------------------------------------------------------


@login_required
def progression_rules(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.CONFIGURE, community=community)
    rules = list(progression.rules_query(community))
    for rule in rules:
        rule.from_label = community.stage_label(rule.from_stage)
        rule.to_label = community.stage_label(rule.to_stage)
        rule.mode_label = progression.mode_label(rule)
        rule.criteria_view = [
            {
                "label": c.get_kind_display(),
                "threshold": c.threshold,
                "assessment_ref": c.assessment_ref,
                "available": progression.source_for(c.kind) is not None,
            }
            for c in rule.criteria.all()
        ]
    return render(
        request, "communities/progression_rules.html", {"community": community, "rules": rules}
    )


@login_required
@require_POST
def progression_defaults(request, community_slug):
    community = community_for(request, community_slug)
    created = services.create_default_rules(actor=request.user, community=community)
    messages.success(request, f"{len(created)} default rules created.")
    return redirect("communities:progression-rules", community_slug=community.slug)


@login_required
def progression_rule_edit(request, community_slug, from_stage):
    community = community_for(request, community_slug)
    require(request.user, Capability.CONFIGURE, community=community)
    rule = get_object_or_404(
        ProgressionRule.objects.prefetch_related("criteria"),
        community=community,
        from_stage=from_stage,
    )
    rule.community = community
    if request.method == "POST":
        form = RuleForm(request.POST)
        formset = CriterionFormSet(request.POST, prefix="criteria")
        if form.is_valid() and formset.is_valid():
            criteria = [
                {
                    "kind": row["kind"],
                    "threshold": row["threshold"],
                    "assessment_ref": row.get("assessment_ref", ""),
                }
                for row in formset.cleaned_data
                if row and row.get("kind") and not row.get("DELETE")
            ]
            try:
                services.update_progression_rule(
                    actor=request.user, rule=rule, mode=form.cleaned_data["mode"], criteria=criteria
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Saved the rule for {community.stage_label(rule.to_stage)}. "
                    "Members at that stage are being re-evaluated.",
                )
                return redirect("communities:progression-rules", community_slug=community.slug)
        status = 400
    else:
        form = RuleForm(initial={"mode": progression.mode_of(rule)})
        formset = CriterionFormSet(
            prefix="criteria",
            initial=[
                {"kind": c.kind, "threshold": c.threshold, "assessment_ref": c.assessment_ref}
                for c in rule.criteria.all()
            ],
        )
        status = 200
    unavailable = [kind.label for kind in CriterionKind if progression.source_for(kind) is None]
    return render(
        request,
        "communities/progression_rule_edit.html",
        {
            "community": community,
            "rule": rule,
            "from_label": community.stage_label(rule.from_stage),
            "to_label": community.stage_label(rule.to_stage),
            "form": form,
            "formset": formset,
            "unavailable": unavailable,
        },
        status=status,
    )


member = "<slug:community_slug>/members/<str:username>/"
urlpatterns = [
    path("<slug:community_slug>/trajectory/", trajectory, name="trajectory"),
    path(f"{member}trajectory/", member_trajectory, name="member-trajectory"),
    path(f"{member}manage/", member_manage, name="member-manage"),
    path(f"{member}promote/", member_promote, name="member-promote"),
    path(f"{member}demote/", member_demote, name="member-demote"),
    path(f"{member}suspend/", member_suspend, name="member-suspend"),
    path(f"{member}endorse/", endorse, name="endorse"),
    path(f"{member}mentor/", mentor_offer, name="mentor-offer"),
    path(f"{member}mentor/assign/", mentor_assign, name="mentor-assign"),
    path(
        "<slug:community_slug>/mentorships/<int:mentorship_id>/respond/",
        mentorship_respond,
        name="mentorship-respond",
    ),
    path(
        "<slug:community_slug>/mentorships/<int:mentorship_id>/end/",
        mentorship_end,
        name="mentorship-end",
    ),
    path("<slug:community_slug>/progression/queue/", promotion_queue, name="promotion-queue"),
    path(
        "<slug:community_slug>/progression/queue/<int:request_id>/",
        promotion_decide,
        name="promotion-decide",
    ),
    path("<slug:community_slug>/progression/rules/", progression_rules, name="progression-rules"),
    path(
        "<slug:community_slug>/progression/rules/defaults/",
        progression_defaults,
        name="progression-defaults",
    ),
    path(
        "<slug:community_slug>/progression/rules/<int:from_stage>/",
        progression_rule_edit,
        name="progression-rule-edit",
    ),
]
