"""Demo trajectory: rules, stage histories, a pending promotion, mentors and endorsements.

Works with whatever memberships `communities.seed` made: members are chosen by stage,
except the four demo accounts. Running it again adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from practica.communities.models import (
    Community,
    Endorsement,
    Membership,
    Mentorship,
    ProgressionRule,
    PromotionRequest,
    StageChange,
)
from practica.communities.progression import ensure_default_rules, rules_query, trajectory_for
from practica.communities.stages import Stage
from practica.people.models import User

STEWARD_REASONS = [
    "Leads the ward's handover improvement work and reviews new articles carefully.",
    "Consistently answers medicines questions with references; asked by the team to help run the community.",
    "Mentored three students this year and ran the falls-prevention journal club.",
    "Trusted by colleagues across professions; has been moderating informally for months.",
]
FULL_REASONS = [
    "Approved: reliable, well-referenced answers and two endorsements from full members.",
    "Approved: led the deteriorating-patient discussion series and supports learners.",
    "Approved: wrote the discharge-checklist article and answers questions kindly.",
    "Approved: every criterion met; colleagues vouch for the quality of the answers.",
]
ENDORSEMENT_NOTES = [
    "Asked sharp questions about ISBAR on his first week and used the answers the next shift.",
    "Always checks the medicines list twice and explains why.",
    "Calm and clear during a deteriorating-patient escalation; great handover afterwards.",
    "Shares what she learns from placements with the whole team.",
]


def _rule_reason(days: int, contributions: int, helpful: int) -> str:
    return (
        f"Met every criterion of the rule: Days since joining: {days} (needs 7); "
        f"Contributions (posts and replies): {contributions} (needs 3); "
        f"Helpful marks received: {helpful} (needs 1)."
    )


def _history(membership: Membership, rules: dict, stewards: list[User], now) -> int:
    """A plausible past for one member, if they have none yet; returns rows created."""
    if membership.stage_changes.exists() or membership.stage == Stage.PERIPHERAL:
        return 0
    rng = random.Random(membership.user.username)
    spans = {Stage.PARTICIPANT: (35, 120), Stage.FULL: (200, 500), Stage.STEWARD: (600, 1100)}
    joined = now - timedelta(days=rng.randint(*spans[membership.stage]), hours=rng.randint(0, 23))
    changes = [
        StageChange(
            membership=membership,
            kind=StageChange.Kind.JOINED,
            from_stage=Stage.VISITOR,
            to_stage=Stage.PERIPHERAL,
            reason="Joined the community.",
            created_at=joined,
        )
    ]
    promoted = joined + timedelta(days=rng.randint(8, 20))
    changes.append(
        StageChange(
            membership=membership,
            kind=StageChange.Kind.PROMOTED,
            from_stage=Stage.PERIPHERAL,
            to_stage=Stage.PARTICIPANT,
            rule=rules.get(Stage.PERIPHERAL),
            reason=_rule_reason((promoted - joined).days, rng.randint(3, 9), rng.randint(1, 4)),
            created_at=promoted,
        )
    )
    approvers = [s for s in stewards if s.pk != membership.user_id]
    if membership.stage >= Stage.FULL:
        promoted = promoted + timedelta(days=rng.randint(45, 150))
        changes.append(
            StageChange(
                membership=membership,
                kind=StageChange.Kind.PROMOTED,
                from_stage=Stage.PARTICIPANT,
                to_stage=Stage.FULL,
                rule=rules.get(Stage.PARTICIPANT),
                changed_by=rng.choice(approvers) if approvers else None,
                reason=rng.choice(FULL_REASONS),
                created_at=promoted,
            )
        )
    if membership.stage == Stage.STEWARD:
        promoted = promoted + timedelta(days=rng.randint(90, 300))
        changes.append(
            StageChange(
                membership=membership,
                kind=StageChange.Kind.PROMOTED,
                from_stage=Stage.FULL,
                to_stage=Stage.STEWARD,
                changed_by=rng.choice(approvers) if approvers else None,
                reason=rng.choice(STEWARD_REASONS),
                created_at=promoted,
            )
        )
    StageChange.objects.bulk_create(changes)
    Membership.objects.filter(pk=membership.pk).update(joined_at=joined, stage_changed_at=promoted)
    return len(changes)


def _date_joined_from_memberships(community: Community) -> None:
    """Nobody joined Practica after joining one of its communities: a member who joined
    ward-care in August has been on Practica since August, not since the seed ran."""
    first = (
        Membership.objects.filter(user=OuterRef("pk")).order_by("joined_at").values("joined_at")[:1]
    )
    User.objects.filter(memberships__community=community).annotate(first=Subquery(first)).filter(
        date_joined__gt=F("first")
    ).update(date_joined=Subquery(first))


def _endorse(community: Community, endorser: User, endorsee: User, note: str) -> bool:
    if endorser.pk == endorsee.pk:
        return False
    _, created = Endorsement.objects.get_or_create(
        community=community, endorser=endorser, endorsee=endorsee, defaults={"note": note}
    )
    return created


def _mentor(community: Community, mentor: User, mentee: User, steward: User) -> bool:
    if Mentorship.objects.filter(community=community, mentee=mentee).exists():
        return False
    Mentorship.objects.create(
        community=community,
        mentor=mentor,
        mentee=mentee,
        status=Mentorship.Status.ACTIVE,
        assigned_by=steward,
        created_at=timezone.now() - timedelta(days=6),
    )
    return True


@transaction.atomic
def seed() -> str:
    community = Community.objects.get(slug="ward-care")
    ensure_default_rules(community)
    rules = {r.from_stage: r for r in ProgressionRule.objects.filter(community=community)}
    now = timezone.now()
    demo = {u.email: u for u in User.objects.filter(email__endswith="@example.com")}
    steward = demo["steward@example.com"]
    full = demo["full@example.com"]
    participant = demo["participant@example.com"]
    learner = demo["learner@example.com"]

    memberships = list(
        Membership.objects.filter(community=community)
        .select_related("user", "community")
        .order_by("user__username")
    )
    by_stage: dict[int, list[Membership]] = {s: [] for s in Stage}
    for membership in memberships:
        by_stage[membership.stage].append(membership)
    stewards = [m.user for m in by_stage[Stage.STEWARD]]

    history = sum(_history(m, rules, stewards, now) for m in memberships)

    # The learner joined about ten days ago: the time criterion is met, the rest is ahead.
    ten_days_ago = now - timedelta(days=10, hours=3)
    Membership.objects.filter(community=community, user=learner, joined_at__gt=ten_days_ago).update(
        joined_at=ten_days_ago, stage_changed_at=ten_days_ago
    )

    _date_joined_from_memberships(community)

    full_users = [m.user for m in by_stage[Stage.FULL] + by_stage[Stage.STEWARD]]
    endorsements = int(_endorse(community, full, learner, ENDORSEMENT_NOTES[0]))
    endorsements += int(_endorse(community, steward, participant, ENDORSEMENT_NOTES[3]))

    # One colleague waits in the steward queue for full membership, with real evidence.
    requests = 0
    colleague = next((m for m in by_stage[Stage.PARTICIPANT] if m.user_id != participant.pk), None)
    if colleague is not None:
        for endorser, note in zip(
            [u for u in dict.fromkeys([full, *full_users]) if u.pk != colleague.user_id][:2],
            ENDORSEMENT_NOTES[1:3],
            strict=False,
        ):
            endorsements += int(_endorse(community, endorser, colleague.user, note))
        if not PromotionRequest.objects.filter(membership=colleague).exists():
            colleague.refresh_from_db()
            evidence = trajectory_for(
                colleague, rules={r.from_stage: r for r in rules_query(community)}
            ).evidence()
            PromotionRequest.objects.create(
                membership=colleague,
                rule=rules[Stage.PARTICIPANT],
                to_stage=Stage.FULL,
                evidence=evidence,
                created_at=now - timedelta(days=2),
            )
            requests = 1

    # Mentors: Daniel mentors Tom, and two more full members each take a learner.
    pairs = int(_mentor(community, full, learner, steward))
    mentors = [u for u in full_users if u.pk not in (full.pk, steward.pk)] or [full]
    mentees = [
        m.user
        for m in by_stage[Stage.PERIPHERAL] + by_stage[Stage.PARTICIPANT]
        if m.user_id not in (learner.pk, participant.pk)
        and (colleague is None or m.user_id != colleague.user_id)
    ][:2]
    for index, mentee in enumerate(mentees):
        pairs += int(_mentor(community, mentors[index % len(mentors)], mentee, steward))

    return (
        f"rules for {len(rules)} transitions, {history} stage changes, {endorsements} "
        f"endorsements, {pairs} mentor pairs, {requests} pending promotion"
    )
