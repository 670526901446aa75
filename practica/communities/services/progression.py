"""Every write of the trajectory: evaluation, promotions, stage changes, endorsements,
mentoring and progression rules.

Services that act for a person call `require` first. The evaluator acts for the rules
themselves, so it has no actor: it only ever does what `progression.trajectory_for` says
is due. Changes of stage lock the membership row so that two evaluations running at once
cannot promote the same member twice.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from practica.communities import progression
from practica.communities.capabilities import (
    Capability,
    can,
    forget_memberships,
    require,
)
from practica.communities.models import (
    Community,
    Criterion,
    CriterionKind,
    Endorsement,
    Membership,
    Mentorship,
    ProgressionRule,
    PromotionRequest,
    StageChange,
)
from practica.communities.stages import MEMBER_STAGES, Stage
from practica.notifications.models import Notification
from practica.notifications.services import notify

# What evaluate_membership did.
PROMOTED = "promoted"
REQUESTED = "requested"
WAITING = "waiting"
UNCHANGED = "unchanged"


def trajectory_url(community: Community) -> str:
    return reverse("communities:trajectory", kwargs={"community_slug": community.slug})


def _notify_later(**kwargs) -> None:
    transaction.on_commit(lambda: notify(**kwargs))


# --- evaluation -------------------------------------------------------------------------------


def request_evaluation(membership_id: int) -> None:
    """Re-evaluate one member in the background once the current transaction commits.

    Other apps call this after anything that may count towards a criterion: a
    contribution, a helpful mark, an accepted answer, attendance, a passed assessment.
    Requests coalesce: a member asked about many times before the drain runs is
    evaluated once (see `practica.coalesce`).
    """
    request_evaluations([membership_id])


def request_evaluations(membership_ids) -> None:
    """`request_evaluation` for many members at once (bulk operations, imports)."""
    from practica.coalesce import request
    from practica.communities.tasks import EVALUATIONS

    request(EVALUATIONS, [(pk,) for pk in membership_ids])


def request_evaluation_for(*, user, community: Community) -> None:
    """`request_evaluation` for `user` in `community`; does nothing for non-members."""
    membership_id = (
        Membership.objects.filter(user=user, community=community).values_list("pk", flat=True)
    ).first()
    if membership_id is not None:
        request_evaluation(membership_id)


def evaluate_membership(*, membership_id: int) -> str:
    """Apply whatever the rules say is due for this member, stage after stage."""
    outcome = UNCHANGED
    for _ in MEMBER_STAGES:
        step = _evaluate_once(membership_id)
        if step != PROMOTED:
            return step if outcome == UNCHANGED else outcome
        outcome = PROMOTED
    return outcome


def _evaluate_once(membership_id: int) -> str:
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("community", "user")
            .filter(pk=membership_id)
            .first()
        )
        if membership is None:
            return UNCHANGED
        rules = {r.from_stage: r for r in progression.rules_query(membership.community)}
        trajectory = progression.trajectory_for(membership, rules=rules)
        _refresh_pending_evidence(membership, trajectory)
        if not trajectory.due:
            return UNCHANGED
        rule = trajectory.rule
        if trajectory.requires_approval:
            return _open_request(membership, trajectory)
        met = "; ".join(c.label for c in trajectory.criteria)
        _apply_stage(
            membership,
            to_stage=rule.to_stage,
            kind=StageChange.Kind.PROMOTED,
            changed_by=None,
            rule=rule,
            reason=f"Met every criterion of the rule: {met}.",
        )
        return PROMOTED


def _refresh_pending_evidence(membership: Membership, trajectory: progression.Trajectory) -> None:
    """Keep a waiting request's evidence true to today's rule and counts.

    The steward's queue shows the stored evidence, so it must follow the member's progress
    and any criterion added to the rule since the request opened (an assessment, say).
    """
    if trajectory.rule is None:
        return
    PromotionRequest.objects.filter(
        membership=membership,
        rule=trajectory.rule,
        status=PromotionRequest.Status.PENDING,
    ).update(evidence=trajectory.evidence())


def refresh_pending_evidence(community: Community) -> int:
    """Re-measure the evidence of every waiting promotion in `community`; returns how many.

    For changes that touch many members' criteria at once (a criterion added to a rule).
    """
    rules = {r.from_stage: r for r in progression.rules_query(community)}
    pending = (
        PromotionRequest.objects.filter(
            membership__community=community, status=PromotionRequest.Status.PENDING
        )
        .select_related("membership__user")
        .order_by("pk")
    )
    count = 0
    for request in pending:
        membership = request.membership
        membership.community = community
        trajectory = progression.trajectory_for(membership, rules=rules)
        if trajectory.rule is not None and trajectory.rule.pk == request.rule_id:
            request.evidence = trajectory.evidence()
            request.save(update_fields=["evidence"])
            count += 1
    return count


def _open_request(membership: Membership, trajectory: progression.Trajectory) -> str:
    rule = trajectory.rule
    requests = PromotionRequest.objects.filter(membership=membership, to_stage=rule.to_stage)
    if requests.filter(status=PromotionRequest.Status.PENDING).exists():
        return WAITING
    cooled = timezone.now() - progression.DECLINE_COOLDOWN
    if requests.filter(status=PromotionRequest.Status.DECLINED, decided_at__gt=cooled).exists():
        return WAITING
    request = PromotionRequest(
        membership=membership,
        rule=rule,
        to_stage=rule.to_stage,
        evidence=trajectory.evidence(),
    )
    request.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # Another evaluation opened the same request a moment ago.
        return WAITING
    community = membership.community
    label = community.stage_label(rule.to_stage)
    _notify_later(
        recipient=membership.user,
        kind=Notification.Kind.APPROVAL,
        text=f"You meet every criterion for {label} in {community.name}: a steward will review it.",
        url=trajectory_url(community),
        community=community,
    )
    queue = reverse("communities:promotion-queue", kwargs={"community_slug": community.slug})
    stewards = Membership.objects.filter(
        community=community, stage=Stage.STEWARD, suspended=False
    ).select_related("user")
    for steward in stewards:
        _notify_later(
            recipient=steward.user,
            kind=Notification.Kind.STEWARD,
            text=f"{membership.user.name} meets the criteria for {label}: approve or decline.",
            url=queue,
            community=community,
        )
    return REQUESTED


def _apply_stage(
    membership: Membership,
    *,
    to_stage: int,
    kind: str,
    changed_by,
    rule: ProgressionRule | None,
    reason: str,
    suspended: bool | None = None,
) -> StageChange:
    """Change a locked membership's stage (or suspension) and record why."""
    now = timezone.now()
    from_stage = membership.stage
    membership.stage = to_stage
    if suspended is not None:
        membership.suspended = suspended
    if to_stage != from_stage:
        membership.stage_changed_at = now
    membership.full_clean()
    membership.save(update_fields=["stage", "suspended", "stage_changed_at"])
    change = StageChange(
        membership=membership,
        kind=kind,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_by=changed_by,
        rule=rule,
        reason=reason,
        created_at=now,
    )
    change.full_clean()
    change.save()
    # A pending request for a stage the member has now reached, or from a stage they
    # have left, no longer means anything.
    stale = PromotionRequest.objects.filter(
        membership=membership, status=PromotionRequest.Status.PENDING
    ).exclude(to_stage__gt=to_stage, rule__from_stage=to_stage)
    stale.update(
        status=PromotionRequest.Status.DECLINED,
        decided_at=now,
        decided_by=changed_by,
        note="Closed: the member's stage changed.",
    )
    community = membership.community
    text = {
        StageChange.Kind.PROMOTED: f"You are now a {community.stage_label(to_stage)} in {community.name}.",
        StageChange.Kind.DEMOTED: f"Your stage in {community.name} is now {community.stage_label(to_stage)}.",
        StageChange.Kind.SUSPENDED: f"Your membership of {community.name} is suspended.",
        StageChange.Kind.REINSTATED: f"Your membership of {community.name} is reinstated.",
    }.get(kind, f"Your stage in {community.name} changed.")
    _notify_later(
        recipient=membership.user,
        kind=Notification.Kind.STAGE_CHANGE,
        text=f"{text} {reason}",
        url=trajectory_url(community),
        community=community,
        actor=changed_by,
    )
    if kind == StageChange.Kind.PROMOTED:
        from practica.api.webhooks.services import emit

        emit(
            "member.promoted",
            community=community,
            data={
                "member": membership.user.username,
                "from_stage": Stage(from_stage).name.lower(),
                "to_stage": Stage(to_stage).name.lower(),
                "to_stage_label": community.stage_label(to_stage),
                "by": changed_by.username if changed_by is not None else None,
            },
        )
    forget_memberships(membership.user)
    if changed_by is not None:
        forget_memberships(changed_by)
    return change


# --- stewards' decisions -------------------------------------------------------------------------


class CriteriaNotMet(ValidationError):
    """Raised when a steward approves a member who does not meet every criterion today.

    Carries the request with its evidence re-measured, so the page can say what is
    missing and ask the steward to confirm.
    """

    def __init__(self, request: PromotionRequest):
        self.request = request
        missing = "; ".join(row["label"] for row in request.unmet) or "the rule has no criteria"
        name = request.membership.user.name
        super().__init__(
            f"{name} does not meet every criterion today ({request.met_count} of "
            f"{len(request.evidence)} met). Not met: {missing}. "
            "Approve anyway only if you are sure, and say why in the note.",
            code="criteria_not_met",
        )


def decide_promotion(
    *,
    actor,
    promotion_request: PromotionRequest,
    approve: bool,
    note: str = "",
    approve_unmet: bool = False,
) -> PromotionRequest:
    """Approve or decline a pending promotion; declining needs a note for the member.

    Approving measures the member's criteria again: if any is not met today, it raises
    `CriteriaNotMet` unless `approve_unmet` says the steward has seen that and confirms.
    """
    community = promotion_request.membership.community
    require(actor, Capability.MANAGE_MEMBERS, community=community)
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"note": "Tell the member why: a note is needed to decline."})
    with transaction.atomic():
        request = (
            PromotionRequest.objects.select_for_update(of=("self",))
            .select_related("rule")
            .get(pk=promotion_request.pk)
        )
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("community", "user")
            .get(pk=request.membership_id)
        )
        if request.status != PromotionRequest.Status.PENDING:
            raise ValidationError("Another steward has already decided this request.")
        if membership.user_id == actor.pk:
            raise ValidationError("You can't decide your own promotion: another steward must.")
        now = timezone.now()
        request.decided_by = actor
        request.decided_at = now
        request.note = note
        label = community.stage_label(request.to_stage)
        if approve:
            if membership.suspended or membership.stage != request.rule.from_stage:
                raise ValidationError(
                    "This member's stage has changed since the request opened: it no longer applies."
                )
            trajectory = progression.trajectory_for(membership)
            request.evidence = trajectory.evidence()
            if not request.all_met and not approve_unmet:
                raise CriteriaNotMet(request)
            if request.all_met:
                default_reason = f"Approved by a steward: every criterion for {label} was met."
            else:
                default_reason = (
                    f"Approved by a steward with {request.met_count} of "
                    f"{len(request.evidence)} criteria for {label} met."
                )
            request.status = PromotionRequest.Status.APPROVED
            request.full_clean(validate_constraints=False)
            request.save()
            _apply_stage(
                membership,
                to_stage=request.to_stage,
                kind=StageChange.Kind.PROMOTED,
                changed_by=actor,
                rule=request.rule,
                reason=note or default_reason,
            )
        else:
            request.status = PromotionRequest.Status.DECLINED
            request.full_clean(validate_constraints=False)
            request.save()
            _notify_later(
                recipient=membership.user,
                kind=Notification.Kind.APPROVAL,
                text=f"Your promotion to {label} in {community.name} was declined: {note}",
                url=trajectory_url(community),
                community=community,
                actor=actor,
            )
    return request


def _lock_for_change(actor, membership: Membership) -> Membership:
    require(actor, Capability.MANAGE_MEMBERS, community=membership.community)
    if membership.user_id == actor.pk:
        raise ValidationError("You can't change your own stage or suspension: ask another steward.")
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("community", "user")
        .get(pk=membership.pk)
    )


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": "Give a reason: the member and other stewards will see it."}
        )
    return reason


def _refuse_losing_last_steward(membership: Membership) -> None:
    if membership.stage != Stage.STEWARD or membership.suspended:
        return
    others = (
        Membership.objects.select_for_update(of=("self",))
        .filter(community=membership.community, stage=Stage.STEWARD, suspended=False)
        .exclude(pk=membership.pk)
    )
    if not list(others.values_list("pk", flat=True)):
        raise ValidationError(
            f"{membership.user.name} is the last steward of {membership.community.name}: "
            "make someone else a steward first."
        )


def change_stage(*, actor, membership: Membership, to_stage: int, reason: str) -> StageChange:
    """Promote or demote a member by hand, with a reason."""
    require(actor, Capability.MANAGE_MEMBERS, community=membership.community)
    reason = _require_reason(reason)
    if to_stage not in MEMBER_STAGES:
        raise ValidationError({"to_stage": "Choose one of the community's stages."})
    with transaction.atomic():
        locked = _lock_for_change(actor, membership)
        if locked.suspended:
            raise ValidationError(f"{locked.user.name} is suspended: reinstate them first.")
        if to_stage == locked.stage:
            raise ValidationError(
                {"to_stage": f"{locked.user.name} is already a {locked.stage_label}."}
            )
        if to_stage < locked.stage:
            _refuse_losing_last_steward(locked)
        kind = StageChange.Kind.PROMOTED if to_stage > locked.stage else StageChange.Kind.DEMOTED
        return _apply_stage(
            locked, to_stage=to_stage, kind=kind, changed_by=actor, rule=None, reason=reason
        )


def suspend_member(*, actor, membership: Membership, reason: str) -> StageChange:
    require(actor, Capability.MANAGE_MEMBERS, community=membership.community)
    reason = _require_reason(reason)
    with transaction.atomic():
        locked = _lock_for_change(actor, membership)
        if locked.suspended:
            raise ValidationError(f"{locked.user.name} is already suspended.")
        _refuse_losing_last_steward(locked)
        return _apply_stage(
            locked,
            to_stage=locked.stage,
            kind=StageChange.Kind.SUSPENDED,
            changed_by=actor,
            rule=None,
            reason=reason,
            suspended=True,
        )


def reinstate_member(*, actor, membership: Membership, reason: str) -> StageChange:
    require(actor, Capability.MANAGE_MEMBERS, community=membership.community)
    reason = _require_reason(reason)
    with transaction.atomic():
        locked = _lock_for_change(actor, membership)
        if not locked.suspended:
            raise ValidationError(f"{locked.user.name} is not suspended.")
        return _apply_stage(
            locked,
            to_stage=locked.stage,
            kind=StageChange.Kind.REINSTATED,
            changed_by=actor,
            rule=None,
            reason=reason,
            suspended=False,
        )


# --- endorsements ---------------------------------------------------------------------------------


def _active_membership(community: Community, user) -> Membership:
    membership = (
        Membership.objects.select_related("community", "user")
        .filter(community=community, user=user, suspended=False)
        .first()
    )
    if membership is None:
        raise ValidationError(f"{user.name} is not an active member of {community.name}.")
    return membership


def endorse_member(*, actor, community: Community, endorsee, note: str = "") -> Endorsement:
    """`actor` vouches for `endorsee`; the endorsee is re-evaluated afterwards."""
    require(actor, Capability.ENDORSE_MEMBER, community=community)
    if endorsee.pk == actor.pk:
        raise ValidationError("You can't endorse yourself: endorsements come from other members.")
    with transaction.atomic():
        membership = _active_membership(community, endorsee)
        already = Endorsement.objects.filter(
            community=community, endorser=actor, endorsee=endorsee
        ).exists()
        if already:
            raise ValidationError(f"You have already endorsed {endorsee.name} here.")
        endorsement = Endorsement(
            community=community, endorser=actor, endorsee=endorsee, note=note.strip()
        )
        endorsement.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                endorsement.save()
        except IntegrityError as error:
            raise ValidationError(f"You have already endorsed {endorsee.name} here.") from error
        _notify_later(
            recipient=endorsee,
            kind=Notification.Kind.ENDORSEMENT,
            text=f"{actor.name} endorsed you in {community.name}.",
            url=trajectory_url(community),
            community=community,
            actor=actor,
        )
        request_evaluation(membership.pk)
    return endorsement


# --- mentoring -----------------------------------------------------------------------------------


def _check_pair(community: Community, mentor, mentee) -> None:
    if mentor.pk == mentee.pk:
        raise ValidationError("A member can't mentor themselves.")
    _active_membership(community, mentor)
    _active_membership(community, mentee)
    if not can(mentor, Capability.MENTOR, community=community):
        raise ValidationError(f"{mentor.name} is not at a stage that may mentor members yet.")
    if can(mentee, Capability.MENTOR, community=community):
        raise ValidationError(
            f"{mentee.name} already mentors others: mentoring is for members on their way."
        )


def _open_mentorship(community: Community, mentor, mentee) -> Mentorship | None:
    return (
        Mentorship.objects.select_for_update(of=("self",))
        .filter(
            community=community,
            mentor=mentor,
            mentee=mentee,
            status__in=[Mentorship.Status.OFFERED, Mentorship.Status.ACTIVE],
        )
        .first()
    )


def assign_mentor(*, actor, community: Community, mentor, mentee) -> Mentorship:
    """A steward pairs a mentor with a learner; the pairing is active at once."""
    require(actor, Capability.MANAGE_MEMBERS, community=community)
    _check_pair(community, mentor, mentee)
    with transaction.atomic():
        mentorship = _open_mentorship(community, mentor, mentee)
        if mentorship is not None and mentorship.status == Mentorship.Status.ACTIVE:
            raise ValidationError(f"{mentor.name} already mentors {mentee.name}.")
        if mentorship is None:
            mentorship = Mentorship(community=community, mentor=mentor, mentee=mentee)
        mentorship.status = Mentorship.Status.ACTIVE
        mentorship.assigned_by = actor
        mentorship.full_clean(validate_constraints=False)
        mentorship.save()
        for recipient, text in [
            (mentee, f"{mentor.name} is now your mentor in {community.name}."),
            (mentor, f"You are now mentoring {mentee.name} in {community.name}."),
        ]:
            _notify_later(
                recipient=recipient,
                kind=Notification.Kind.MENTORING,
                text=text,
                url=trajectory_url(community),
                community=community,
                actor=actor,
            )
    return mentorship


def offer_mentoring(*, actor, community: Community, mentee) -> Mentorship:
    """A full member offers to mentor a learner, who accepts or declines."""
    require(actor, Capability.MENTOR, community=community)
    _check_pair(community, actor, mentee)
    with transaction.atomic():
        if _open_mentorship(community, actor, mentee) is not None:
            raise ValidationError(f"You have already offered to mentor {mentee.name}.")
        mentorship = Mentorship(community=community, mentor=actor, mentee=mentee)
        mentorship.full_clean(validate_constraints=False)
        mentorship.save()
        _notify_later(
            recipient=mentee,
            kind=Notification.Kind.MENTORING,
            text=f"{actor.name} offers to mentor you in {community.name}: accept or decline.",
            url=trajectory_url(community),
            community=community,
            actor=actor,
        )
    return mentorship


def respond_to_mentoring(*, actor, mentorship: Mentorship, accept: bool) -> Mentorship:
    """The learner accepts or declines an offer made to them."""
    require(actor, Capability.READ, community=mentorship.community)
    with transaction.atomic():
        locked = (
            Mentorship.objects.select_for_update(of=("self",))
            .select_related("mentor")
            .get(pk=mentorship.pk)
        )
        if locked.mentee_id != actor.pk:
            raise ValidationError("Only the member who was offered mentoring can answer.")
        if locked.status != Mentorship.Status.OFFERED:
            raise ValidationError("This offer has already been answered.")
        locked.status = Mentorship.Status.ACTIVE if accept else Mentorship.Status.DECLINED
        if not accept:
            locked.ended_at = timezone.now()
        locked.full_clean(validate_constraints=False)
        locked.save()
        community = mentorship.community
        verb = "accepted" if accept else "declined"
        _notify_later(
            recipient=locked.mentor,
            kind=Notification.Kind.MENTORING,
            text=f"{actor.name} {verb} your offer to mentor them in {community.name}.",
            url=trajectory_url(community),
            community=community,
            actor=actor,
        )
    return locked


def end_mentorship(*, actor, mentorship: Mentorship) -> Mentorship:
    """The mentor, the mentee or a steward ends an open mentorship."""
    community = mentorship.community
    if actor.pk not in (mentorship.mentor_id, mentorship.mentee_id):
        require(actor, Capability.MANAGE_MEMBERS, community=community)
    with transaction.atomic():
        locked = Mentorship.objects.select_for_update(of=("self",)).get(pk=mentorship.pk)
        if locked.status not in (Mentorship.Status.OFFERED, Mentorship.Status.ACTIVE):
            raise ValidationError("This mentorship has already ended.")
        locked.status = Mentorship.Status.ENDED
        locked.ended_at = timezone.now()
        locked.full_clean(validate_constraints=False)
        locked.save()
    return locked


# --- rules ------------------------------------------------------------------------------------


def create_default_rules(*, actor, community: Community) -> list[ProgressionRule]:
    require(actor, Capability.CONFIGURE, community=community)
    return progression.ensure_default_rules(community)


def update_progression_rule(
    *, actor, rule: ProgressionRule, mode: str, criteria: list[dict]
) -> ProgressionRule:
    """Set how a transition happens and replace its criteria.

    `criteria` is a list of `{"kind", "threshold", "assessment_ref"}` in display order.
    Members at the rule's starting stage are re-evaluated afterwards.
    """
    community = rule.community
    require(actor, Capability.CONFIGURE, community=community)
    if mode not in {m for m, _ in progression.Mode.CHOICES}:
        raise ValidationError({"mode": "Choose how members move to the next stage."})
    seen = set()
    for item in criteria:
        key = (item["kind"], item.get("assessment_ref", ""))
        if key in seen:
            raise ValidationError(
                f"“{CriterionKind(item['kind']).label}” is listed twice: keep one."
            )
        seen.add(key)
    if mode != progression.Mode.MANUAL and not criteria:
        raise ValidationError(
            "Add at least one criterion, or make this transition manual only: "
            "with no criteria nobody would ever be promoted."
        )
    with transaction.atomic():
        locked = ProgressionRule.objects.select_for_update(of=("self",)).get(pk=rule.pk)
        locked.manual_only = mode == progression.Mode.MANUAL
        locked.requires_approval = mode == progression.Mode.APPROVAL
        locked.full_clean()
        locked.save()
        locked.criteria.all().delete()
        rows = []
        for position, item in enumerate(criteria):
            criterion = Criterion(
                rule=locked,
                kind=item["kind"],
                threshold=item["threshold"],
                assessment_ref=item.get("assessment_ref", "") or "",
                position=position,
            )
            criterion.full_clean()
            rows.append(criterion)
        Criterion.objects.bulk_create(rows)
        progression.forget_rules(community)
        for membership_id in Membership.objects.filter(
            community=community, stage=locked.from_stage, suspended=False
        ).values_list("pk", flat=True):
            request_evaluation(membership_id)
    return locked
