"""The progression engine: where a member stands against the rules of their next stage.

`trajectory_for` is the one place that answers "what is my next stage, which criteria are
met, and is a promotion due?". The trajectory page shows its answer and the evaluator
acts on it, so what a member sees is exactly what the rules decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from practica.communities.models import (
    Community,
    Criterion,
    CriterionKind,
    Endorsement,
    Membership,
    ProgressionRule,
    PromotionRequest,
)
from practica.communities.progression_sources import register_source, source_for
from practica.communities.stages import Stage, next_stage

# After a steward declines a promotion, the evaluator waits this long before asking again.
DECLINE_COOLDOWN = timedelta(days=30)

# (from_stage, to_stage, requires_approval, manual_only, [(kind, threshold), ...])
DEFAULT_RULES = [
    (
        Stage.PERIPHERAL,
        Stage.PARTICIPANT,
        False,
        False,
        [
            (CriterionKind.DAYS_SINCE_JOINING, 7),
            (CriterionKind.CONTRIBUTIONS, 3),
            (CriterionKind.HELPFUL_MARKS, 1),
        ],
    ),
    (
        Stage.PARTICIPANT,
        Stage.FULL,
        True,
        False,
        [
            (CriterionKind.DAYS_SINCE_JOINING, 30),
            (CriterionKind.CONTRIBUTIONS, 20),
            (CriterionKind.HELPFUL_OR_ACCEPTED, 5),
            (CriterionKind.ENDORSEMENTS, 2),
        ],
    ),
    (Stage.FULL, Stage.STEWARD, False, True, []),
]

# What the member can do about each kind of criterion.
HINTS = {
    CriterionKind.DAYS_SINCE_JOINING: "Keep taking part: this one comes with time.",
    CriterionKind.CONTRIBUTIONS: "Ask a question, or reply to a discussion where you can add something.",
    CriterionKind.HELPFUL_MARKS: "Answer questions you know about: members mark the replies that helped them.",
    CriterionKind.HELPFUL_OR_ACCEPTED: "Answer questions carefully: helpful marks and accepted answers both count.",
    CriterionKind.ACCEPTED_ANSWERS: "Answer open questions: the asker accepts the answer that solved their problem.",
    CriterionKind.EVENTS_ATTENDED: "Come to one of the community's events.",
    CriterionKind.ASSESSMENT_PASSED: "Take the learning module and pass its assessment.",
    CriterionKind.ENDORSEMENTS: "Full members who know your work can endorse you: ask a mentor or a colleague.",
    CriterionKind.APPRAISALS: "Appraise a piece of evidence with the community.",
}
UNAVAILABLE_HINT = (
    "This is counted by a part of Practica that isn't switched on yet, so it can't be met yet."
)


class Mode:
    """How a transition happens, as stewards choose it on the rules page."""

    AUTOMATIC = "automatic"
    APPROVAL = "approval"
    MANUAL = "manual"
    CHOICES = [
        (AUTOMATIC, "Automatic: promoted as soon as every criterion is met"),
        (APPROVAL, "Steward approval: a steward approves each promotion once the criteria are met"),
        (MANUAL, "Manual only: stewards promote by hand"),
    ]


def mode_of(rule: ProgressionRule) -> str:
    if rule.manual_only:
        return Mode.MANUAL
    return Mode.APPROVAL if rule.requires_approval else Mode.AUTOMATIC


def mode_label(rule: ProgressionRule) -> str:
    return {
        Mode.AUTOMATIC: "Automatic",
        Mode.APPROVAL: "Steward approval",
        Mode.MANUAL: "Manual only",
    }[mode_of(rule)]


@dataclass(frozen=True)
class CriterionProgress:
    """One criterion of the next stage and how far the member has got with it."""

    kind: str
    kind_label: str
    threshold: int
    current: int | None
    available: bool
    hint: str

    @property
    def met(self) -> bool:
        return self.available and self.current is not None and self.current >= self.threshold

    @property
    def label(self) -> str:
        if not self.available:
            return f"{self.kind_label}: not yet available"
        if self.met:
            # "10 of 7" reads as a shortfall; past the mark, say what was needed.
            return f"{self.kind_label}: {self.current} (needs {self.threshold})"
        return f"{self.kind_label}: {self.current} of {self.threshold}"

    @property
    def percent(self) -> int:
        if not self.available or self.current is None:
            return 0
        if self.threshold <= 0:
            return 100
        return min(100, round(100 * self.current / self.threshold))

    def as_evidence(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "current": self.current,
            "threshold": self.threshold,
            "met": self.met,
            "available": self.available,
        }


@dataclass(frozen=True)
class Trajectory:
    """A member's position: their stage, the next one, and each criterion's progress."""

    membership: Membership
    rule: ProgressionRule | None
    next_stage: int | None
    criteria: list[CriterionProgress] = field(default_factory=list)

    @property
    def community(self) -> Community:
        return self.membership.community

    @property
    def stage_label(self) -> str:
        return self.community.stage_label(self.membership.stage)

    @property
    def next_label(self) -> str:
        return self.community.stage_label(self.next_stage) if self.next_stage else ""

    @property
    def mode(self) -> str:
        return mode_of(self.rule) if self.rule else ""

    @property
    def manual_only(self) -> bool:
        return self.rule is not None and self.rule.manual_only

    @property
    def requires_approval(self) -> bool:
        return self.rule is not None and self.rule.requires_approval and not self.rule.manual_only

    @property
    def all_met(self) -> bool:
        return bool(self.criteria) and all(c.met for c in self.criteria)

    @property
    def met_count(self) -> int:
        return sum(1 for c in self.criteria if c.met)

    @property
    def unavailable(self) -> list[CriterionProgress]:
        return [c for c in self.criteria if not c.available]

    @property
    def due(self) -> bool:
        """True when the rule would move the member on now (directly or via a steward).

        A rule with no criteria never promotes by itself: that would promote everyone.
        """
        return (
            self.rule is not None
            and not self.rule.manual_only
            and not self.membership.suspended
            and self.all_met
        )

    def next_steps(self) -> list[str]:
        """What to do next, most useful first."""
        if self.membership.suspended:
            return ["Your membership is suspended. A steward can reinstate it."]
        if self.next_stage is None:
            return ["You are at the last stage. Thank you for looking after the community."]
        if self.rule is None or self.manual_only:
            return [
                f"Stewards make members {self.next_label} by hand. Keep contributing: "
                "they notice who looks after the community."
            ]
        if self.due:
            if self.requires_approval:
                return ["You meet every criterion. A steward reviews your promotion."]
            return ["You meet every criterion: your promotion happens at the next evaluation."]
        steps = [c.hint for c in self.criteria if c.available and not c.met]
        if self.unavailable:
            steps.append(
                "Some criteria are not yet available: they count from parts of Practica still "
                "being built, so this step can't complete yet."
            )
        return steps

    def evidence(self) -> list[dict]:
        return [c.as_evidence() for c in self.criteria]


# --- reading the rules -------------------------------------------------------------------------


def rules_query(community: Community):
    return ProgressionRule.objects.filter(community=community).prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("position", "pk"))
    )


def rules_for(community: Community) -> dict[int, ProgressionRule]:
    """The community's rules keyed by from_stage, with criteria, in two queries (cached)."""
    cache = getattr(community, "_practica_rules", None)
    if cache is None:
        cache = {rule.from_stage: rule for rule in rules_query(community)}
        community._practica_rules = cache
    return cache


def forget_rules(community: Community) -> None:
    if hasattr(community, "_practica_rules"):
        del community._practica_rules


def measure(membership: Membership, criterion: Criterion) -> CriterionProgress:
    kind = CriterionKind(criterion.kind)
    source = source_for(kind)
    current = source(membership, criterion) if source is not None else None
    return CriterionProgress(
        kind=kind.value,
        kind_label=kind.label,
        threshold=criterion.threshold,
        current=current,
        available=source is not None,
        hint=HINTS[kind] if source is not None else UNAVAILABLE_HINT,
    )


def trajectory_for(membership: Membership, *, rules: dict | None = None) -> Trajectory:
    """Where `membership` stands against the rule for its next stage.

    `membership.community` should be loaded; `rules` (from `rules_for`) may be passed to
    share one load across many members of the same community.
    """
    if rules is None:
        rules = rules_for(membership.community)
    rule = rules.get(membership.stage)
    target = rule.to_stage if rule is not None else next_stage(membership.stage)
    criteria = []
    if rule is not None and not rule.manual_only and not membership.suspended:
        criteria = [measure(membership, c) for c in rule.criteria.all()]
    return Trajectory(membership=membership, rule=rule, next_stage=target, criteria=criteria)


# --- defaults --------------------------------------------------------------------------------


@transaction.atomic
def ensure_default_rules(community: Community) -> list[ProgressionRule]:
    """Create the default rule for each transition the community has no rule for yet."""
    existing = set(
        ProgressionRule.objects.filter(community=community).values_list("from_stage", flat=True)
    )
    created = []
    for from_stage, to_stage, approval, manual, criteria in DEFAULT_RULES:
        if from_stage in existing:
            continue
        rule = ProgressionRule(
            community=community,
            from_stage=from_stage,
            to_stage=to_stage,
            requires_approval=approval,
            manual_only=manual,
        )
        rule.full_clean()
        rule.save()
        Criterion.objects.bulk_create(
            Criterion(rule=rule, kind=kind, threshold=threshold, position=position)
            for position, (kind, threshold) in enumerate(criteria)
        )
        created.append(rule)
    forget_rules(community)
    return created


# --- the sources this app counts itself -------------------------------------------------------


def days_since_joining(membership: Membership, criterion: object = None) -> int:
    return max(0, (timezone.now() - membership.joined_at).days)


def endorsements_by_full_members(membership: Membership, criterion: object = None) -> int:
    """Endorsements from people who are, now, active members at full stage or above."""
    return (
        Endorsement.objects.filter(
            community_id=membership.community_id,
            endorsee_id=membership.user_id,
            endorser__memberships__community_id=membership.community_id,
            endorser__memberships__stage__gte=Stage.FULL,
            endorser__memberships__suspended=False,
        )
        .values("endorser_id")
        .distinct()
        .count()
    )


def register_own_sources() -> None:
    register_source(CriterionKind.DAYS_SINCE_JOINING, days_since_joining)
    register_source(CriterionKind.ENDORSEMENTS, endorsements_by_full_members)


def pending_request(membership: Membership) -> PromotionRequest | None:
    return (
        PromotionRequest.objects.filter(
            membership=membership, status=PromotionRequest.Status.PENDING
        )
        .order_by("-created_at")
        .first()
    )
