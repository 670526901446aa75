"""What each stage may do: the one table and the one gate.

Every view, template, API endpoint and service asks `can` or `require` here, and lists
are filtered with `visible`. No other module decides who may do what.

The actor's memberships are loaded once per request and cached on the user object;
a community's overrides are loaded once and cached on the community object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from practica.communities.models import Community, JoinPolicy, Membership, Visibility
from practica.communities.stages import MEMBER_STAGES, Stage


class Capability(models.TextChoices):
    READ = "read", "Read the community"
    ASK_QUESTION = "ask_question", "Ask questions"
    REPLY = "reply", "Reply to threads"
    MARK_HELPFUL = "mark_helpful", "Mark posts helpful"
    FLAG = "flag", "Flag posts for moderators"
    COMMENT_ARTICLE = "comment_article", "Comment on articles"
    PROPOSE_EDIT = "propose_edit", "Propose edits to articles"
    RSVP = "rsvp", "RSVP to events"
    TAKE_MODULE = "take_module", "Take learning modules"
    APPRAISE_EVIDENCE = "appraise_evidence", "Appraise evidence"
    START_DISCUSSION = "start_discussion", "Start discussions"
    UPLOAD_RESOURCE = "upload_resource", "Upload resources"
    DRAFT_ARTICLE = "draft_article", "Draft new articles for review"
    EDIT_ARTICLE = "edit_article", "Publish and edit articles directly"
    ACCEPT_ANSWER = "accept_answer", "Accept answers"
    APPROVE_EDIT = "approve_edit", "Approve proposed edits"
    ENDORSE_MEMBER = "endorse_member", "Endorse members"
    MENTOR = "mentor", "Mentor learners"
    REVIEW_STAGED = "review_staged", "Review staged questions"
    CREATE_EVENT = "create_event", "Create events"
    AUTHOR_MODULE = "author_module", "Author learning modules"
    WRITE_EVIDENCE = "write_evidence", "Write evidence summaries"
    MOVE_PROPOSAL = "move_proposal", "Move practice-change proposals"
    MODERATE = "moderate", "Moderate conversations"
    MANAGE_MEMBERS = "manage_members", "Promote, demote and suspend members"
    INVITE_MEMBERS = "invite_members", "Invite people to join"
    CONFIGURE = "configure", "Configure the community"
    PUBLISH_BULLETIN = "publish_bulletin", "Publish the bulletin"
    VIEW_ANALYTICS = "view_analytics", "See community analytics"
    EXPORT_COMMUNITY = "export_community", "Export the whole community as an archive"
    TELL_STORY = "tell_story", "Tell value-creation stories"


_P, _A, _F, _S = Stage.PERIPHERAL, Stage.PARTICIPANT, Stage.FULL, Stage.STEWARD

DEFAULT_MINIMUM_STAGE: dict[str, int] = {
    Capability.READ: Stage.VISITOR,
    Capability.ASK_QUESTION: _P,
    Capability.REPLY: _P,
    Capability.MARK_HELPFUL: _P,
    Capability.FLAG: _P,
    Capability.COMMENT_ARTICLE: _P,
    Capability.PROPOSE_EDIT: _P,
    Capability.RSVP: _P,
    Capability.TAKE_MODULE: _P,
    Capability.APPRAISE_EVIDENCE: _P,
    Capability.START_DISCUSSION: _A,
    Capability.UPLOAD_RESOURCE: _A,
    Capability.DRAFT_ARTICLE: _A,
    Capability.EDIT_ARTICLE: _F,
    Capability.ACCEPT_ANSWER: _F,
    Capability.APPROVE_EDIT: _F,
    Capability.ENDORSE_MEMBER: _F,
    Capability.MENTOR: _F,
    Capability.REVIEW_STAGED: _F,
    Capability.CREATE_EVENT: _F,
    Capability.AUTHOR_MODULE: _F,
    Capability.WRITE_EVIDENCE: _F,
    Capability.MOVE_PROPOSAL: _F,
    Capability.MODERATE: _S,
    Capability.MANAGE_MEMBERS: _S,
    Capability.INVITE_MEMBERS: _S,
    Capability.CONFIGURE: _S,
    Capability.PUBLISH_BULLETIN: _S,
    Capability.VIEW_ANALYTICS: _S,
    Capability.EXPORT_COMMUNITY: _S,
    Capability.TELL_STORY: _P,
}

# Capabilities a community may never hand below this stage, whatever its overrides say:
# giving learners the keys to membership or configuration would break the trajectory.
FLOOR_STAGE: dict[str, int] = {
    Capability.READ: Stage.VISITOR,
    Capability.MANAGE_MEMBERS: _F,
    Capability.INVITE_MEMBERS: _F,
    Capability.CONFIGURE: _F,
    # An archive holds every member's email and private reflections.
    Capability.EXPORT_COMMUNITY: _S,
}
DEFAULT_FLOOR = Stage.PERIPHERAL

# Capabilities an author holds over their own object whatever their stage, as long as
# they are an active member (the asker accepts an answer to their own question).
OWNER_CAPABILITIES: dict[str, str] = {
    Capability.ACCEPT_ANSWER: "author_id",
}


def floor_for(capability: str) -> int:
    return FLOOR_STAGE.get(capability, DEFAULT_FLOOR)


@dataclass(frozen=True)
class Standing:
    """Where an actor stands in one community, for deciding and for explaining."""

    community: Community
    membership: Membership | None
    can_read: bool

    @property
    def stage(self) -> int:
        if self.membership is None or self.membership.suspended:
            return Stage.VISITOR
        return self.membership.stage

    @property
    def is_member(self) -> bool:
        return self.membership is not None and not self.membership.suspended

    @property
    def suspended(self) -> bool:
        return self.membership is not None and self.membership.suspended


# --- loading, once per request -------------------------------------------------------------


def memberships_of(user) -> dict[int, Membership]:
    """The user's memberships keyed by community id, loaded once per user object."""
    if user is None or not user.is_authenticated:
        return {}
    cache = getattr(user, "_practica_memberships", None)
    if cache is None:
        cache = {m.community_id: m for m in Membership.objects.filter(user=user)}
        user._practica_memberships = cache
    return cache


def forget_memberships(user) -> None:
    """Drop the cached memberships after a service changed them."""
    if user is not None and hasattr(user, "_practica_memberships"):
        del user._practica_memberships


def overrides_of(community: Community) -> dict[str, int]:
    cache = getattr(community, "_practica_overrides", None)
    if cache is None:
        cache = dict(community.capability_overrides.values_list("capability", "minimum_stage"))
        community._practica_overrides = cache
    return cache


def forget_overrides(community: Community) -> None:
    if hasattr(community, "_practica_overrides"):
        del community._practica_overrides


def minimum_stage(community: Community, capability: str) -> int:
    """The stage from which `capability` is allowed in `community`, overrides included."""
    stage = overrides_of(community).get(capability, DEFAULT_MINIMUM_STAGE[capability])
    return max(stage, floor_for(capability))


def _can_read(user, community: Community, membership: Membership | None) -> bool:
    if membership is not None and not membership.suspended:
        return True
    if community.visibility == Visibility.PUBLIC:
        return True
    # A suspended member reads nothing that is not public, even through their organisation:
    # suspension would mean little if belonging to the organisation undid it.
    if membership is not None and membership.suspended:
        return False
    if community.visibility == Visibility.ORGANISATION:
        return bool(
            user is not None
            and user.is_authenticated
            and community.organisation_id
            and user.organisation_id == community.organisation_id
        )
    return False


def standing(user, community: Community) -> Standing:
    membership = memberships_of(user).get(community.pk)
    return Standing(community, membership, _can_read(user, community, membership))


# --- the gate ---------------------------------------------------------------------------------


def _owner_allows(user, capability: str, obj: Any) -> bool:
    field = OWNER_CAPABILITIES.get(capability)
    owner_id = getattr(obj, field, None) if field and obj is not None else None
    return owner_id is not None and user is not None and owner_id == user.pk


def can(user, capability: str, *, community: Community, obj: Any = None) -> bool:
    """May `user` do `capability` in `community` (to `obj`, where one is named)?"""
    where = standing(user, community)
    if not where.can_read:
        return False
    if capability == Capability.READ:
        return True
    if not where.is_member:
        return False
    if where.stage >= minimum_stage(community, capability):
        return True
    return _owner_allows(user, capability, obj)


def denial_reason(user, capability: str, *, community: Community) -> str:
    """A sentence saying why `capability` is refused and which stage unlocks it."""
    where = standing(user, community)
    action = Capability(capability).label.lower()
    if capability == Capability.READ or not where.can_read:
        if where.suspended:
            return f"Your membership of {community.name} is suspended, so you cannot read it."
        if community.visibility == Visibility.ORGANISATION:
            reason = f"{community.name} is open only to members of {community.organisation}."
        else:
            reason = f"{community.name} is private: only its members can read it."
        if user is None or not user.is_authenticated:
            reason += " If you belong, log in first."
        return reason
    if where.suspended:
        return f"Your membership of {community.name} is suspended, so you cannot {action}."
    needed = minimum_stage(community, capability)
    needed_label = community.stage_label(needed)
    if user is None or not user.is_authenticated:
        return f"Log in and join {community.name} to {action}. {needed_label}s and above may do it."
    if not where.is_member:
        how = "join" if community.join_policy == JoinPolicy.OPEN else "become a member of"
        return f"You need to {how} {community.name} and reach {needed_label} to {action}."
    return (
        f"{needed_label}s and above may {action} in {community.name}. "
        f"You are a {community.stage_label(where.stage)}: your trajectory page shows how to get there."
    )


class CapabilityDenied(PermissionDenied):
    """Refused with a reason a person can act on; rendered by the 403 page."""

    def __init__(
        self,
        reason: str,
        *,
        capability: str = "",
        needed_stage: int | None = None,
        community: Community | None = None,
    ):
        super().__init__(reason)
        self.capability = capability
        self.needed_stage = needed_stage
        # The 403 page links the member's trajectory there, which the reason mentions.
        self.community = community


class CommunityHidden(Http404):
    """A community the person may not read answers as if it did not exist: its name, and
    whether it exists at all, are not told to outsiders (a suspended member excepted, who
    is told why)."""

    def __init__(self):
        super().__init__("No such community.")


def require(user, capability: str, *, community: Community, obj: Any = None) -> None:
    """Raise CapabilityDenied, with the reason and the stage that unlocks it, unless allowed.

    Someone who may not even read the community gets CommunityHidden (a 404) instead.
    """
    if not can(user, capability, community=community, obj=obj):
        where = standing(user, community)
        if not where.can_read and not where.suspended:
            raise CommunityHidden()
        raise CapabilityDenied(
            denial_reason(user, capability, community=community),
            capability=capability,
            needed_stage=minimum_stage(community, capability),
            community=community,
        )


def can_map(user, community: Community, capabilities: list[str], obj: Any = None) -> dict:
    """`{"can_ask_question": True, ...}` for views to hand to templates."""
    return {f"can_{c}": can(user, c, community=community, obj=obj) for c in capabilities}


def join_refusal(user, community: Community) -> str:
    """Why `user` may not join `community` by themselves (no invitation); "" when they may.

    Open communities take anyone who can read them; "request" communities take a request
    instead (see `may_request_to_join`); invitation-only ones take nobody without a link.
    """
    where = standing(user, community)
    if user is None or not user.is_authenticated:
        return f"Log in to join {community.name}."
    if where.suspended:
        return f"Your membership of {community.name} is suspended. A steward can reinstate you."
    if where.is_member:
        return f"You are already a member of {community.name}."
    if not where.can_read:
        return denial_reason(user, Capability.READ, community=community) + (
            " You need an invitation from a steward to join."
        )
    if community.join_policy == JoinPolicy.INVITE:
        return f"{community.name} is by invitation only: ask a steward to invite you."
    return ""


# --- lists --------------------------------------------------------------------------------------


def readable_communities_q(user, prefix: str = "") -> Q:
    """A filter matching the communities `user` may read (prefix e.g. "community__")."""
    q = Q(**{f"{prefix}visibility": Visibility.PUBLIC})
    if user is not None and user.is_authenticated:
        mine = memberships_of(user)
        if user.organisation_id:
            same_organisation = Q(
                **{
                    f"{prefix}visibility": Visibility.ORGANISATION,
                    f"{prefix}organisation_id": user.organisation_id,
                }
            )
            suspended = [cid for cid, m in mine.items() if m.suspended]
            if suspended:
                same_organisation &= ~Q(**{f"{prefix}pk__in": suspended})
            q |= same_organisation
        active = [cid for cid, m in mine.items() if not m.suspended]
        if active:
            q |= Q(**{f"{prefix}pk__in": active})
    return q


def visible(user, queryset: QuerySet, *, community_field: str = "community") -> QuerySet:
    """Only the rows of `queryset` whose community `user` may read.

    For a queryset of communities themselves, pass `community_field=""`.
    """
    prefix = f"{community_field}__" if community_field else ""
    return queryset.filter(readable_communities_q(user, prefix))


def member_stages() -> list[Stage]:
    return list(MEMBER_STAGES)


# --- the instance: what is decided above any one community ------------------------------------


class InstanceCapability(models.TextChoices):
    """Capabilities that belong to no one community, asked with `can_on_instance`.

    Staff is the instance-level role: a user with `is_staff` (set by an administrator
    in the admin site or with `practica createsuperuser`). Staff create communities,
    name their first stewards and approve or decline proposed communities. Who may
    propose one is the instance setting COMMUNITY_PROPOSALS (docs/deployment.md).
    """

    FIND_EXPERTS = "find_experts", "See who knows about a subject"
    CREATE_COMMUNITY = "create_community", "Create communities"
    REVIEW_COMMUNITY_PROPOSALS = "review_community_proposals", "Approve proposed communities"
    PROPOSE_COMMUNITY = "propose_community", "Propose a community"
    VIEW_INSTANCE_ANALYTICS = (
        "view_instance_analytics",
        "See every community's figures side by side",
    )


class ProposalPolicy(models.TextChoices):
    """Who may propose a community for staff approval (settings.COMMUNITY_PROPOSALS)."""

    OFF = "off", "Nobody: only staff create communities"
    STEWARDS = "stewards", "Stewards of any community"
    VERIFIED = "verified", "Any member with a verified email address"


def proposal_policy() -> str:
    from django.conf import settings

    value = getattr(settings, "COMMUNITY_PROPOSALS", ProposalPolicy.STEWARDS)
    return value if value in ProposalPolicy.values else ProposalPolicy.OFF


def _is_member_anywhere(user) -> bool:
    return any(not m.suspended for m in memberships_of(user).values())


def _is_steward_anywhere(user) -> bool:
    return any(not m.suspended and m.stage >= Stage.STEWARD for m in memberships_of(user).values())


def _has_verified_email(user) -> bool:
    cache = getattr(user, "_practica_verified", None)
    if cache is None:
        from allauth.account.models import EmailAddress

        cache = EmailAddress.objects.filter(user=user, verified=True).exists()
        user._practica_verified = cache
    return cache


def can_on_instance(user, capability: str) -> bool:
    """May `user` do `capability`, which no single community decides?

    Seeing who knows about a subject is for members of a community: the ranked list
    names people, so visitors get no names (and members who opted out of the
    directory are never listed, see search/experts.py).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if capability == InstanceCapability.FIND_EXPERTS:
        return user.is_staff or _is_member_anywhere(user)
    if capability in (
        InstanceCapability.CREATE_COMMUNITY,
        InstanceCapability.REVIEW_COMMUNITY_PROPOSALS,
        InstanceCapability.VIEW_INSTANCE_ANALYTICS,
    ):
        return user.is_staff
    if capability == InstanceCapability.PROPOSE_COMMUNITY:
        policy = proposal_policy()
        if user.is_staff or policy == ProposalPolicy.OFF:
            return False  # staff create directly; with proposals off nobody proposes
        if policy == ProposalPolicy.STEWARDS:
            return _is_steward_anywhere(user)
        return _has_verified_email(user)
    raise ValueError(f"Unknown instance capability {capability!r}")


def instance_denial_reason(user, capability: str) -> str:
    action = InstanceCapability(capability).label.lower()
    if user is None or not user.is_authenticated:
        if capability == InstanceCapability.FIND_EXPERTS:
            return f"Log in as a member of a community to {action}."
        return f"Log in to {action}."
    if capability == InstanceCapability.FIND_EXPERTS:
        return f"Join a community to {action}: the list names its members."
    if capability == InstanceCapability.VIEW_INSTANCE_ANALYTICS:
        return "Only the instance's staff see every community's figures side by side."
    if capability in (
        InstanceCapability.CREATE_COMMUNITY,
        InstanceCapability.REVIEW_COMMUNITY_PROPOSALS,
    ):
        reason = f"Only the site’s administrators (staff accounts) can {action}."
        if can_on_instance(user, InstanceCapability.PROPOSE_COMMUNITY):
            reason += " You can propose one for them to approve."
        return reason
    policy = proposal_policy()
    if policy == ProposalPolicy.OFF:
        return "Communities are created by the site’s administrators: ask one of them."
    if user.is_staff:
        return "Staff create communities directly."
    if policy == ProposalPolicy.STEWARDS:
        return "Stewards of a community may propose a new one. Ask a steward or an administrator."
    return "Verify your email address first: then you can propose a community."


def require_on_instance(user, capability: str) -> None:
    """Raise CapabilityDenied with the reason unless `can_on_instance` allows it."""
    if not can_on_instance(user, capability):
        raise CapabilityDenied(instance_denial_reason(user, capability), capability=capability)
