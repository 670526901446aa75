"""Communities and membership: creating and configuring a community, joining, leaving,
invitations and join requests.

Every function here checks the capability itself (`require` first), changes state in one
transaction, and leaves emails and notifications to `transaction.on_commit`, so a caller
can neither skip the check nor send a message about something that was rolled back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from practica.communities.capabilities import (
    DEFAULT_MINIMUM_STAGE,
    Capability,
    InstanceCapability,
    floor_for,
    forget_memberships,
    forget_overrides,
    join_refusal,
    require,
    require_on_instance,
    standing,
)
from practica.communities.models import (
    CapabilityOverride,
    Community,
    Invitation,
    JoinPolicy,
    JoinRequest,
    Membership,
    StageChange,
    Topic,
    Visibility,
)
from practica.communities.stages import DEFAULT_LABELS, MEMBER_STAGES, Stage
from practica.notifications.models import Notification
from practica.notifications.services import notify
from practica.site import absolute_url

INVITATION_DAYS = 14
INVITATIONS_PER_HOUR = 40
RESERVED_SLUGS = {"new", "propose", "proposals"}
_INVITATION_SALT = "practica.communities.invitation"


class MembershipRefused(Exception):
    """A request that is allowed in principle but refused in this case, with the reason."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- creating and configuring a community ----------------------------------------------------


def require_can_create_community(actor) -> None:
    """Only staff create communities directly: a new community is an organisational decision
    (others may propose one, see services/proposals.py)."""
    require_on_instance(actor, InstanceCapability.CREATE_COMMUNITY)


def _check_visibility(community: Community) -> None:
    if community.visibility == Visibility.ORGANISATION and not community.organisation_id:
        raise ValidationError(
            {"visibility": "Organisation-only needs the community to belong to an organisation."}
        )


@transaction.atomic
def create_community(
    *,
    actor,
    name: str,
    slug: str,
    tagline: str = "",
    charter: str = "",
    visibility: str = Visibility.PUBLIC,
    join_policy: str = JoinPolicy.OPEN,
    organisation=None,
    stewards=(),
    reason: str = "",
    _approved: bool = False,
) -> Community:
    """Create a community; `stewards` become its first stewards (`actor` when none named).

    Each named steward is told. `_approved` is for `approve_proposal` only, which has
    already asked for staff.
    """
    if not _approved:
        require_can_create_community(actor)
    slug = slug or slugify(name)[:60]
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"“{slug}” is reserved. Choose another web address."})
    community = Community(
        name=name,
        slug=slug,
        tagline=tagline,
        visibility=visibility,
        join_policy=join_policy,
        organisation=organisation,
    )
    community.set_charter(charter)
    community.full_clean()
    _check_visibility(community)
    community.save()
    first = list(dict.fromkeys(stewards)) or [actor]
    for steward in first:
        _add_member(
            user=steward,
            community=community,
            stage=Stage.STEWARD,
            changed_by=actor,
            reason=reason
            or (
                "Created the community and became its first steward."
                if steward == actor
                else f"Named a first steward by {actor.name} when the community was created."
            ),
        )
        forget_memberships(steward)
        notify(
            recipient=steward,
            kind=Notification.Kind.STAGE_CHANGE,
            text=f"{community.name} has been created and you are one of its first stewards.",
            url=reverse("communities:settings", kwargs={"community_slug": community.slug}),
            community=community,
            actor=actor,
        )
    return community


@transaction.atomic
def update_community(
    *,
    actor,
    community: Community,
    name: str,
    tagline: str,
    charter: str,
    visibility: str,
    join_policy: str,
) -> Community:
    require(actor, Capability.CONFIGURE, community=community)
    community.name = name
    community.tagline = tagline
    community.visibility = visibility
    community.join_policy = join_policy
    community.set_charter(charter)
    community.full_clean()
    _check_visibility(community)
    community.save()
    return community


@transaction.atomic
def set_stage_labels(*, actor, community: Community, labels: Mapping[int, str]) -> Community:
    """Rename stages; a blank label, or one equal to the default, goes back to the default."""
    require(actor, Capability.CONFIGURE, community=community)
    stored = {}
    for stage in MEMBER_STAGES:
        label = " ".join((labels.get(int(stage)) or "").split())
        if label and label != DEFAULT_LABELS[int(stage)]:
            stored[str(int(stage))] = label
    previous, community.stage_labels = community.stage_labels, stored
    chosen = [community.stage_label(s) for s in MEMBER_STAGES]
    if len({label.casefold() for label in chosen}) < len(chosen):
        community.stage_labels = previous
        raise ValidationError("Each stage needs its own label, or members can’t tell them apart.")
    community.full_clean()
    community.save(update_fields=["stage_labels"])
    return community


def _unique_topic_slug(community: Community, name: str, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:70] or "topic"
    taken = set(
        community.topics.exclude(pk=exclude_pk).values_list("slug", flat=True)
        if exclude_pk
        else community.topics.values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_topic_name(community: Community, name: str, exclude_pk: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the topic a name."})
    clash = community.topics.filter(name__iexact=name)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a topic called “{name}”."})
    return name


@transaction.atomic
def add_topic(*, actor, community: Community, name: str, description: str = "") -> Topic:
    require(actor, Capability.CONFIGURE, community=community)
    name = _check_topic_name(community, name)
    topic = Topic(
        community=community,
        name=name,
        slug=_unique_topic_slug(community, name),
        description=description.strip(),
    )
    topic.full_clean()
    topic.save()
    return topic


@transaction.atomic
def rename_topic(*, actor, topic: Topic, name: str, description: str | None = None) -> Topic:
    """Rename a topic; its slug stays, so links to it keep working."""
    require(actor, Capability.CONFIGURE, community=topic.community)
    topic.name = _check_topic_name(topic.community, name, exclude_pk=topic.pk)
    if description is not None:
        topic.description = description.strip()
    topic.full_clean()
    topic.save()
    return topic


@transaction.atomic
def remove_topic(*, actor, topic: Topic) -> None:
    require(actor, Capability.CONFIGURE, community=topic.community)
    topic.delete()


@transaction.atomic
def set_capability_minimums(*, actor, community: Community, minimums: Mapping[str, int]) -> int:
    """Store the community's own minimum stage per capability; returns how many differ.

    A minimum equal to the default removes the override; one below the capability's floor
    is refused, so no form, forged or not, can hand configuration to learners.
    """
    require(actor, Capability.CONFIGURE, community=community)
    errors = {}
    for capability, stage in minimums.items():
        if capability not in DEFAULT_MINIMUM_STAGE or capability == Capability.READ:
            errors[capability] = "This is not a capability a community can change."
        elif int(stage) not in MEMBER_STAGES:
            errors[capability] = "Choose one of the stages."
        elif int(stage) < floor_for(capability):
            label = community.stage_label(floor_for(capability))
            errors[capability] = f"This can’t go below {label}."
    if errors:
        raise ValidationError(errors)
    for capability, stage in minimums.items():
        if int(stage) == DEFAULT_MINIMUM_STAGE[capability]:
            CapabilityOverride.objects.filter(community=community, capability=capability).delete()
        else:
            override, _ = CapabilityOverride.objects.get_or_create(
                community=community,
                capability=capability,
                defaults={"minimum_stage": int(stage)},
            )
            if override.minimum_stage != int(stage):
                override.minimum_stage = int(stage)
                override.full_clean()
                override.save(update_fields=["minimum_stage"])
    forget_overrides(community)
    return community.capability_overrides.count()


# --- joining and leaving ---------------------------------------------------------------------


def _add_member(*, user, community: Community, stage: int, changed_by, reason: str) -> Membership:
    """Make `user` a member and record the JOINED stage change. Runs inside a transaction."""
    now = timezone.now()
    membership = Membership(
        user=user, community=community, stage=stage, joined_at=now, stage_changed_at=now
    )
    membership.full_clean()
    membership.save()
    change = StageChange(
        membership=membership,
        kind=StageChange.Kind.JOINED,
        from_stage=Stage.VISITOR,
        to_stage=stage,
        changed_by=changed_by,
        reason=reason,
        created_at=now,
    )
    change.full_clean()
    change.save()
    # A request still waiting is settled by joining another way (an invitation).
    JoinRequest.objects.filter(
        community=community, user=user, status=JoinRequest.Status.PENDING
    ).update(
        status=JoinRequest.Status.APPROVED,
        decided_at=now,
        note="Joined the community another way.",
    )
    forget_memberships(user)
    return membership


@transaction.atomic
def join_community(*, actor, community: Community) -> Membership:
    """Join an open community the actor can read, as a learner (Stage.PERIPHERAL)."""
    reason = join_refusal(actor, community)
    if reason:
        raise PermissionDenied(reason)
    if community.join_policy != JoinPolicy.OPEN:
        raise PermissionDenied(
            f"{community.name} takes requests to join: a steward approves each one."
        )
    return _add_member(
        user=actor,
        community=community,
        stage=Stage.PERIPHERAL,
        changed_by=actor,
        reason="Joined the community.",
    )


def stewards_of(community: Community):
    return [
        m.user
        for m in community.memberships.filter(stage=Stage.STEWARD, suspended=False).select_related(
            "user"
        )
    ]


@transaction.atomic
def request_to_join(*, actor, community: Community, message: str = "") -> JoinRequest:
    """Ask the stewards of a "request" community to let the actor in."""
    reason = join_refusal(actor, community)
    if reason:
        raise PermissionDenied(reason)
    if community.join_policy != JoinPolicy.REQUEST:
        raise PermissionDenied(f"{community.name} is open: join it directly.")
    if JoinRequest.objects.filter(
        community=community, user=actor, status=JoinRequest.Status.PENDING
    ).exists():
        raise MembershipRefused(
            f"You have already asked to join {community.name}. A steward will decide soon; "
            "you will get a notification."
        )
    join_request = JoinRequest(community=community, user=actor, message=message.strip())
    join_request.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            join_request.save()
    except IntegrityError as error:
        # Two tabs submitting at once: the database keeps only one pending request.
        raise MembershipRefused(f"You have already asked to join {community.name}.") from error
    url = reverse("communities:join-requests", kwargs={"community_slug": community.slug})
    stewards = stewards_of(community)

    def tell_stewards():
        for steward in stewards:
            notify(
                recipient=steward,
                kind=Notification.Kind.STEWARD,
                text=f"{actor.name} asks to join {community.name}.",
                url=url,
                community=community,
                actor=actor,
            )

    transaction.on_commit(tell_stewards)
    return join_request


@transaction.atomic
def decide_join_request(
    *, actor, join_request: JoinRequest, approve: bool, note: str = ""
) -> JoinRequest:
    """Approve (the requester joins as a learner) or decline a pending join request."""
    community = join_request.community
    require(actor, Capability.MANAGE_MEMBERS, community=community)
    join_request = JoinRequest.objects.select_for_update(of=("self",)).get(pk=join_request.pk)
    if join_request.status != JoinRequest.Status.PENDING:
        raise MembershipRefused("This request has already been decided.")
    requester = join_request.user
    if approve and not Membership.objects.filter(community=community, user=requester).exists():
        _add_member(
            user=requester,
            community=community,
            stage=Stage.PERIPHERAL,
            changed_by=actor,
            reason=f"Join request approved by {actor.name}."
            + (f" {note.strip()}" if note.strip() else ""),
        )
    join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.note = note.strip()
    join_request.full_clean(validate_constraints=False)
    join_request.save()
    if approve:
        text = f"Welcome to {community.name}: your request to join was approved."
    else:
        text = f"Your request to join {community.name} was declined."
    if join_request.note:
        text += f" “{join_request.note}”"
    transaction.on_commit(
        lambda: notify(
            recipient=requester,
            kind=Notification.Kind.APPROVAL,
            text=text,
            url=community.get_absolute_url(),
            community=community,
            actor=actor,
        )
    )
    return join_request


def is_last_steward(membership: Membership) -> bool:
    """Would the community be left without an active steward if this member went?"""
    if membership.stage != Stage.STEWARD or membership.suspended:
        return False
    return (
        not Membership.objects.filter(
            community_id=membership.community_id, stage=Stage.STEWARD, suspended=False
        )
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def leave_community(*, actor, community: Community) -> None:
    """Leave a community. The last steward stays until they hand over to someone."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .filter(community=community, user=actor)
        .first()
    )
    if membership is None:
        raise MembershipRefused(f"You are not a member of {community.name}.")
    if membership.suspended:
        raise MembershipRefused(
            f"Your membership of {community.name} is suspended. Leaving and joining again "
            "would lift the suspension, so a steward must reinstate you first."
        )
    if is_last_steward(membership):
        raise MembershipRefused(
            f"You are the last steward of {community.name}. Make another member a steward "
            "before you leave, so the community is never left without one."
        )
    from practica.insights.services import record_departure

    record_departure(membership)
    membership.delete()
    forget_memberships(actor)


# --- invitations -----------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.TimestampSigner(salt=_INVITATION_SALT).sign(str(invitation.pk))


def invitation_url(invitation: Invitation) -> str:
    path = reverse(
        "communities:invitation-accept",
        kwargs={"community_slug": invitation.community.slug, "token": invitation_token(invitation)},
    )
    return absolute_url(path)


def open_invitation_path(email: str) -> str | None:
    """The page of the newest invitation still open for `email`, or None.

    Someone who came from an invitation, signed up and then confirmed their address
    (perhaps in another browser, where nothing of their visit is left) is taken back
    to it: the invitation itself is what remembers where they were going.
    """
    invitation = (
        Invitation.objects.filter(
            email__iexact=email.strip(),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("community")
        .order_by("-created_at", "-pk")
        .first()
    )
    if invitation is None:
        return None
    return reverse(
        "communities:invitation-accept",
        kwargs={"community_slug": invitation.community.slug, "token": invitation_token(invitation)},
    )


def invitation_from_token(token: str, *, community: Community) -> Invitation:
    """The invitation a link names, or MembershipRefused saying why the link is no good."""
    signer = signing.TimestampSigner(salt=_INVITATION_SALT)
    try:
        pk = signer.unsign(token, max_age=timedelta(days=INVITATION_DAYS))
    except signing.SignatureExpired as error:
        raise MembershipRefused(
            "This invitation has expired. Ask a steward to send you a new one."
        ) from error
    except signing.BadSignature as error:
        raise MembershipRefused(
            "This invitation link is not valid: it may have been cut short or changed. "
            "Open the link from the email again, or ask a steward for a new invitation."
        ) from error
    invitation = (
        Invitation.objects.select_related("community", "invited_by", "accepted_by")
        .filter(pk=pk, community=community)
        .first()
    )
    if invitation is None:
        raise MembershipRefused(
            "This invitation link is not valid for this community. Ask a steward for a new one."
        )
    if invitation.revoked_at:
        raise MembershipRefused("This invitation was withdrawn by a steward.")
    if invitation.accepted_at:
        raise MembershipRefused("This invitation has already been used.")
    if invitation.expires_at <= timezone.now():
        raise MembershipRefused("This invitation has expired. Ask a steward to send you a new one.")
    return invitation


def _count_invitation(actor, community: Community) -> None:
    key = f"practica:invitations:{community.pk}:{actor.pk}"
    cache.add(key, 0, timeout=3600)
    try:
        sent = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        sent = 1
    if sent > INVITATIONS_PER_HOUR:
        raise MembershipRefused(
            f"You have sent {INVITATIONS_PER_HOUR} invitations in the last hour. "
            "Please wait a while before sending more."
        )


@transaction.atomic
def invite(*, actor, community: Community, email: str, days: int = INVITATION_DAYS) -> Invitation:
    """Invite someone by email; the email carries a signed link valid for `days` days."""
    require(actor, Capability.INVITE_MEMBERS, community=community)
    email = email.strip()
    if Membership.objects.filter(community=community, user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {community.name}."})
    waiting = Invitation.objects.filter(
        community=community,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()
    if waiting:
        raise ValidationError(
            {
                "email": f"{email} already has an invitation waiting, until "
                f"{timezone.localtime(waiting.expires_at):%-d %B %Y}. Withdraw it to send a new one."
            }
        )
    _count_invitation(actor, community)
    now = timezone.now()
    invitation = Invitation(
        community=community,
        email=email,
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=min(days, INVITATION_DAYS)),
    )
    invitation.full_clean()
    invitation.save()
    context = {
        "community": community,
        "inviter": actor,
        "url": invitation_url(invitation),
        "expires_at": invitation.expires_at,
        "site_name": "Practica",
    }
    subject = f"{actor.name} invites you to join {community.name}"
    body = render_to_string("communities/email/invitation.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [email], fail_silently=False))
    return invitation


@transaction.atomic
def revoke_invitation(*, actor, invitation: Invitation) -> Invitation:
    require(actor, Capability.INVITE_MEMBERS, community=invitation.community)
    if invitation.accepted_at:
        raise MembershipRefused("This invitation has already been used, so it can’t be withdrawn.")
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def accept_invitation(*, actor, community: Community, token: str) -> Membership:
    """Join through an invitation link, whatever the community's visibility and policy.

    The link is single-use and works for whichever account opens it: the email may reach
    someone who signs in with a different address than the one invited.
    """
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("Log in or sign up to accept this invitation.")
    invitation = invitation_from_token(token, community=community)
    invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise MembershipRefused("This invitation has already been used or withdrawn.")
    where = standing(actor, community)
    if where.suspended:
        raise MembershipRefused(
            f"Your membership of {community.name} is suspended. A steward can reinstate you."
        )
    if where.is_member:
        raise MembershipRefused(f"You are already a member of {community.name}.")
    inviter = invitation.invited_by
    membership = _add_member(
        user=actor,
        community=community,
        stage=Stage.PERIPHERAL,
        changed_by=inviter,
        reason=f"Accepted an invitation from {inviter.name}."
        if inviter
        else "Accepted an invitation.",
    )
    invitation.accepted_by = actor
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    if inviter is not None:
        transaction.on_commit(
            lambda: notify(
                recipient=inviter,
                kind=Notification.Kind.STEWARD,
                text=f"{actor.name} accepted your invitation to {community.name}.",
                url=reverse("communities:members", kwargs={"community_slug": community.slug}),
                community=community,
                actor=actor,
            )
        )
    return membership
