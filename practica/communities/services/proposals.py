"""Proposing a community for staff approval, and staff deciding.

Who may propose is the instance setting COMMUNITY_PROPOSALS, asked through
`can_on_instance(user, InstanceCapability.PROPOSE_COMMUNITY)`; deciding is for staff
(REVIEW_COMMUNITY_PROPOSALS). Approving creates the community with the proposer as its
first steward; both outcomes are recorded on the proposal and the proposer is told.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from practica.communities.capabilities import InstanceCapability, require_on_instance
from practica.communities.models import Community, CommunityProposal
from practica.communities.services.membership import RESERVED_SLUGS, create_community
from practica.notifications.models import Notification
from practica.notifications.services import notify
from practica.privacy.guard import screen

Status = CommunityProposal.Status
PROPOSALS_OPEN_PER_PERSON = 3


def _check_slug(slug: str) -> None:
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"“{slug}” is reserved. Choose another web address."})
    if Community.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "Another community already uses this web address."})


def propose_community(
    *,
    actor,
    name: str,
    reason: str,
    slug: str = "",
    tagline: str = "",
    charter: str = "",
    visibility: str = "public",
    join_policy: str = "open",
    confirm_guard: bool = False,
) -> CommunityProposal:
    """Ask staff to create a community; every staff member is told."""
    require_on_instance(actor, InstanceCapability.PROPOSE_COMMUNITY)
    screen(
        actor=actor,
        community=None,
        where="community proposal",
        texts={"name": name, "tagline": tagline, "charter": charter, "reason": reason},
        confirmed=confirm_guard,
    )
    slug = slug or slugify(name)[:60]
    _check_slug(slug)
    waiting = CommunityProposal.objects.filter(proposed_by=actor, status=Status.PENDING).count()
    if waiting >= PROPOSALS_OPEN_PER_PERSON:
        raise ValidationError(
            f"You have {waiting} proposals waiting for staff already: wait for a decision first."
        )
    with transaction.atomic():
        proposal = CommunityProposal(
            proposed_by=actor, name=name, slug=slug, tagline=tagline, charter=charter,
            visibility=visibility, join_policy=join_policy, reason=reason,
        )  # fmt: skip
        proposal.full_clean()
        proposal.save()
        for staff in get_user_model().objects.filter(is_staff=True, is_active=True):
            notify(
                recipient=staff,
                kind=Notification.Kind.STEWARD,
                text=f"{actor.name} proposes a new community: {name}.",
                url=reverse("communities:proposals"),
                actor=actor,
            )
    return proposal


def _pending(proposal: CommunityProposal) -> CommunityProposal:
    locked = CommunityProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != Status.PENDING:
        raise ValidationError(
            f"This proposal was already {locked.get_status_display().lower()}"
            + (f" by {locked.decided_by.name}." if locked.decided_by else ".")
        )
    return locked


@transaction.atomic
def approve_proposal(*, actor, proposal: CommunityProposal, note: str = "") -> Community:
    """Create the proposed community with its proposer as first steward; tell them."""
    require_on_instance(actor, InstanceCapability.REVIEW_COMMUNITY_PROPOSALS)
    locked = _pending(proposal)
    _check_slug(locked.slug)
    community = create_community(
        actor=actor,
        name=locked.name,
        slug=locked.slug,
        tagline=locked.tagline,
        charter=locked.charter,
        visibility=locked.visibility,
        join_policy=locked.join_policy,
        organisation=locked.proposed_by.organisation
        if locked.visibility == "organisation"
        else None,
        stewards=[locked.proposed_by],
        reason=f"Proposed the community; {actor.name} approved it.",
        _approved=True,
    )
    locked.status, locked.decided_by, locked.decided_at = Status.APPROVED, actor, timezone.now()
    locked.decision_note, locked.community = note[:1000], community
    locked.save()
    notify(
        recipient=locked.proposed_by,
        kind=Notification.Kind.APPROVAL,
        text=f"Your proposed community {community.name} was approved: you are its steward.",
        url=community.get_absolute_url(),
        community=community,
        actor=actor,
    )
    proposal.refresh_from_db()
    return community


@transaction.atomic
def decline_proposal(*, actor, proposal: CommunityProposal, note: str) -> CommunityProposal:
    """Decline with a reason the proposer is told."""
    require_on_instance(actor, InstanceCapability.REVIEW_COMMUNITY_PROPOSALS)
    if not note.strip():
        raise ValidationError({"note": "Say why, so the proposer knows what to do next."})
    locked = _pending(proposal)
    locked.status, locked.decided_by, locked.decided_at = Status.DECLINED, actor, timezone.now()
    locked.decision_note = note.strip()[:1000]
    locked.save()
    notify(
        recipient=locked.proposed_by,
        kind=Notification.Kind.APPROVAL,
        text=f"Your proposed community {locked.name} was declined: {locked.decision_note}"[:300],
        url=reverse("communities:proposals"),
        actor=actor,
    )
    proposal.refresh_from_db()
    return proposal
