"""Every write of badges: awarding them (for the issuer, no actor) and revoking them.

Awarding is idempotent: one assertion per recipient per badge class, whatever calls it
and however often. A revoked badge stays revoked; completing the module again does not
re-award it.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from practica.badges.models import Assertion, BadgeClass, BadgeKind
from practica.badges.openbadges import hash_identity, issuer_name
from practica.communities.capabilities import Capability, can
from practica.communities.models import Community, Membership, StageChange
from practica.communities.stages import Stage
from practica.learning.models import Module, ModuleProgress
from practica.words import counted

STAGE_MEANING = {
    Stage.PARTICIPANT: "Participants take part in the community's conversations and work: "
    "they ask, answer, start discussions and share resources.",
    Stage.FULL: "Full members share their expertise: they answer questions, edit the "
    "library, mentor learners and author learning modules.",
    Stage.STEWARD: "Stewards look after the community, its members and its trajectory.",
}
# Stage badges recognise arriving at these stages; peripheral participation is where
# everyone starts, so it earns none.
BADGED_STAGES = [Stage.PARTICIPANT, Stage.FULL, Stage.STEWARD]


# --- badge classes ----------------------------------------------------------------------------


def _get_or_create(lookup: dict, defaults: dict) -> BadgeClass:
    badge_class = BadgeClass.objects.filter(**lookup).first()
    if badge_class is not None:
        return badge_class
    badge_class = BadgeClass(**lookup, **defaults)
    badge_class.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            badge_class.save()
    except IntegrityError:
        # Awarded to two people at once: the other one created it.
        return BadgeClass.objects.get(**lookup)
    return badge_class


def module_badge_class(module: Module) -> BadgeClass:
    where = module.community.name if module.community_id else "the whole organisation"
    version = module.current_version
    steps = ["read every section"]
    if version is None or version.activity_count:
        steps.append("write a reflection for each learning activity")
    if version is None or version.has_assessment:
        assessment = getattr(module, "assessment", None)
        mark = f" (pass mark {assessment.pass_mark}%)" if assessment else ""
        steps.append(f"pass its assessment{mark}")
    criteria = f"Complete the learning module “{module.title}”: " + ", ".join(steps) + "."
    if module.outcome_list:
        criteria += " Learning outcomes: " + "; ".join(module.outcome_list) + "."
    return _get_or_create(
        {"kind": BadgeKind.MODULE, "module": module},
        {
            "community": module.community,
            "name": module.title[:200],
            "description": (
                f"Awarded by {issuer_name()} for completing “{module.title}”, a learning "
                f"module for {where} of about {module.estimated_minutes} minutes."
            )[:2_000],
            "criteria": criteria[:5_000],
        },
    )


def stage_badge_class(community: Community, stage: int) -> BadgeClass:
    label = community.stage_label(stage)
    return _get_or_create(
        {"kind": BadgeKind.STAGE, "community": community, "stage": stage},
        {
            "name": f"{label} · {community.name}"[:200],
            "description": (
                f"Recognises a member of {community.name}, a community of practice on "
                f"{issuer_name()}, who has reached the stage “{label}”. "
                f"{STAGE_MEANING[Stage(stage)]}"
            ),
            "criteria": (
                f"Reach the stage “{label}” in {community.name}, by meeting the progression "
                "criteria the community sets for it (contributions, helpful answers, events, "
                "assessments, endorsements) or by the decision of its stewards."
            ),
        },
    )


# --- awarding ---------------------------------------------------------------------------------


def _award(
    *, badge_class: BadgeClass, recipient, evidence: str, issued_on: datetime | None
) -> Assertion | None:
    if not recipient.email:
        return None  # Nothing to hash, so nothing a verifier could match.
    existing = Assertion.objects.filter(badge_class=badge_class, recipient=recipient).first()
    if existing is not None:
        return existing
    salt = secrets.token_hex(16)
    assertion = Assertion(
        badge_class=badge_class,
        recipient=recipient,
        salt=salt,
        identity=hash_identity(recipient.email, salt),
        issued_on=issued_on or timezone.now(),
        evidence=evidence[:2_000],
    )
    assertion.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            assertion.save()
    except IntegrityError:
        return Assertion.objects.get(badge_class=badge_class, recipient=recipient)
    return assertion


def issue_module_badge(*, progress_id: int) -> Assertion | None:
    """Award the module's badge for a completed ModuleProgress; None if it is not complete.

    Acts for the issuer, so there is no actor to check: completion itself is the warrant.
    """
    progress = (
        ModuleProgress.objects.select_related(
            "user", "module__community", "module__current_version", "version"
        )
        .filter(pk=progress_id, completed_at__isnull=False)
        .first()
    )
    if progress is None:
        return None
    module, version = progress.module, progress.version
    parts = [f"{counted(version.section_count, 'section')} read"]
    if version.activity_count:
        parts.append(f"{counted(version.activity_count, 'reflection')} written")
    if version.has_assessment:
        parts.append("the assessment passed")
    evidence = (
        f"Completed “{module.title}” (version {version.number}) on "
        f"{date_format(progress.completed_at, 'j F Y')}: " + ", ".join(parts) + "."
    )
    with transaction.atomic():
        return _award(
            badge_class=module_badge_class(module),
            recipient=progress.user,
            evidence=evidence,
            issued_on=None,
        )


def issue_stage_badge(
    *, membership_id: int, stage: int, how: str = "", issued_on: datetime | None = None
) -> Assertion | None:
    """Award the badge for reaching `stage` in the membership's community.

    `how` is the StageChange kind that brought the member there ("joined" or "promoted"),
    or empty when it is not known. Stages below participant earn no badge.
    """
    if stage not in BADGED_STAGES:
        return None
    membership = (
        Membership.objects.select_related("user", "community").filter(pk=membership_id).first()
    )
    if membership is None:
        return None
    community = membership.community
    label = community.stage_label(stage)
    if how == StageChange.Kind.JOINED:
        evidence = f"Joined {community.name} as {label}."
    elif how == StageChange.Kind.PROMOTED:
        evidence = f"Promoted to {label} in {community.name} on meeting the community's trajectory."
    else:
        evidence = f"Reached the stage “{label}” in {community.name}."
    with transaction.atomic():
        return _award(
            badge_class=stage_badge_class(community, stage),
            recipient=membership.user,
            evidence=evidence,
            issued_on=issued_on,
        )


# --- revoking ---------------------------------------------------------------------------------


def revocation_refusal(actor, assertion: Assertion) -> str:
    """Why `actor` may not revoke `assertion`; "" when they may.

    The issuer acts through its staff, and through the people responsible for what the
    badge recognises: a community's stewards (who manage members) for its stage badges,
    a module's owners for its module badge.
    """
    if actor is None or not actor.is_authenticated:
        return "Log in to revoke a badge."
    if actor.is_staff:
        return ""
    badge_class = assertion.badge_class
    if badge_class.kind == BadgeKind.STAGE:
        if can(actor, Capability.MANAGE_MEMBERS, community=badge_class.community):
            return ""
        return f"Only the stewards of {badge_class.community.name} revoke its stage badges."
    module = badge_class.module
    if module is not None and module.owners.filter(pk=actor.pk).exists():
        return ""
    return "Only the module's owners and the organisation's staff revoke module badges."


def revoke_assertion(*, actor, assertion: Assertion, reason: str) -> Assertion:
    """Revoke the badge, saying why. Revoking a revoked badge changes nothing."""
    refusal = revocation_refusal(actor, assertion)
    if refusal:
        raise PermissionDenied(refusal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the badge is revoked: verifiers are shown the reason.")
    with transaction.atomic():
        locked = Assertion.objects.select_for_update(of=("self",)).get(pk=assertion.pk)
        if locked.is_revoked:
            return locked
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.revocation_reason = reason[:500]
        locked.full_clean(validate_constraints=False)
        locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    return locked
