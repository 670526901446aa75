"""Communities, their charter and topics, membership at a stage, and the trajectory."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from practica.coalesce import PendingWork
from practica.communities.stages import DEFAULT_LABELS, Stage
from practica.markdown import render_markdown


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: anyone can read"
    ORGANISATION = "organisation", "Organisation only: members of the organisation can read"
    PRIVATE = "private", "Private: only members can read"


class JoinPolicy(models.TextChoices):
    OPEN = "open", "Open: anyone who can see it may join"
    REQUEST = "request", "On request: a steward approves each request"
    INVITE = "invite", "By invitation only"


class GuardMode(models.TextChoices):
    WARN = "warn", "Warn the author, who may confirm"
    BLOCK = "block", "Block the text until it is edited"


class Community(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    organisation = models.ForeignKey(
        "people.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="communities",
    )
    tagline = models.CharField(max_length=200, blank=True)
    charter = models.TextField(
        blank=True,
        max_length=20000,
        help_text="The domain of knowledge, the issues it cares about, and who it is for.",
    )
    charter_html = models.TextField(blank=True, editable=False)
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC, db_index=True
    )
    join_policy = models.CharField(
        max_length=20, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    stage_labels = models.JSONField(
        default=dict, blank=True, help_text="Stage number → label, where the community renamed it."
    )
    # What the patient-data guard does with every text written here (practica.privacy.guard).
    guard_mode = models.CharField(max_length=10, choices=GuardMode.choices, default=GuardMode.WARN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("communities:home", kwargs={"community_slug": self.slug})

    def set_charter(self, charter: str) -> None:
        self.charter = charter
        self.charter_html = render_markdown(charter)

    @property
    def visibility_name(self) -> str:
        """The visibility in a word or two ("Public", "Organisation only"), for meta lines."""
        return self.get_visibility_display().split(":")[0]

    def stage_label(self, stage: int) -> str:
        return self.stage_labels.get(str(int(stage))) or DEFAULT_LABELS.get(int(stage), "")


class Topic(models.Model):
    """One of the issues the domain cares about; tags everything in the community."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "slug"], name="topic_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's place in one community: their stage, and whether they are suspended."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.PERIPHERAL)
    suspended = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)
    stage_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-stage", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(stage__gte=Stage.PERIPHERAL), name="membership_stage_is_member"
            ),
        ]
        indexes = [models.Index(fields=["community", "stage"], name="membership_stage_idx")]

    def __str__(self) -> str:
        return f"{self.user} in {self.community} ({self.stage_label})"

    @property
    def stage_label(self) -> str:
        return self.community.stage_label(self.stage)


class CapabilityOverride(models.Model):
    """A community's own minimum stage for one capability (see capabilities.py)."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="capability_overrides"
    )
    capability = models.CharField(max_length=40)
    minimum_stage = models.PositiveSmallIntegerField(choices=Stage.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "capability"], name="capability_override_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community}: {self.capability} ≥ {self.minimum_stage}"


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a steward"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=models.Q(status="pending"),
                name="join_request_one_pending",
            ),
        ]
        indexes = [models.Index(fields=["community", "status"], name="join_request_status_idx")]

    def __str__(self) -> str:
        return f"{self.user} asks to join {self.community}"


class Invitation(models.Model):
    """An emailed invitation; the link carries a signed, expiring token naming this row."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["community", "email"], name="invitation_email_idx")]

    def __str__(self) -> str:
        return f"Invitation to {self.email} for {self.community}"


class CriterionKind(models.TextChoices):
    DAYS_SINCE_JOINING = "days", "Days since joining"
    CONTRIBUTIONS = "contributions", "Contributions (posts and replies)"
    HELPFUL_MARKS = "helpful", "Helpful marks received"
    HELPFUL_OR_ACCEPTED = "helpful_or_accepted", "Helpful marks or accepted answers received"
    ACCEPTED_ANSWERS = "accepted", "Accepted answers"
    EVENTS_ATTENDED = "events", "Events attended"
    ASSESSMENT_PASSED = "assessment", "Assessment passed"
    ENDORSEMENTS = "endorsements", "Endorsements by full members"
    APPRAISALS = "appraisals", "Evidence appraisals contributed"


class ProgressionRule(models.Model):
    """How a member of `community` moves from `from_stage` to `to_stage`."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="progression_rules"
    )
    from_stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    to_stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    requires_approval = models.BooleanField(
        default=False, help_text="A steward approves each promotion once the criteria are met."
    )
    manual_only = models.BooleanField(
        default=False, help_text="No criteria: stewards promote by hand."
    )

    class Meta:
        ordering = ["from_stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "from_stage"], name="progression_rule_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(to_stage__gt=models.F("from_stage")),
                name="progression_rule_moves_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community}: {self.from_stage} → {self.to_stage}"


class Criterion(models.Model):
    rule = models.ForeignKey(ProgressionRule, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(max_length=30, choices=CriterionKind.choices)
    threshold = models.PositiveIntegerField(default=1)
    # For ASSESSMENT_PASSED: which assessment (the learning app's id); empty until it exists.
    assessment_ref = models.CharField(max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ≥ {self.threshold}"


class StageChange(models.Model):
    """The record of every change of stage: who or which rule made it, and why."""

    class Kind(models.TextChoices):
        JOINED = "joined", "Joined"
        PROMOTED = "promoted", "Promoted"
        DEMOTED = "demoted", "Demoted"
        SUSPENDED = "suspended", "Suspended"
        REINSTATED = "reinstated", "Reinstated"

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="stage_changes"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    to_stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey(
        ProgressionRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["membership", "-created_at"], name="stage_change_member_idx")
        ]

    def __str__(self) -> str:
        return f"{self.membership}: {self.from_stage} → {self.to_stage}"


class PromotionRequest(models.Model):
    """A promotion whose criteria are met, waiting for a steward, with the evidence."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a steward"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="promotion_requests"
    )
    rule = models.ForeignKey(ProgressionRule, on_delete=models.CASCADE, related_name="+")
    to_stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    evidence = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "to_stage"],
                condition=models.Q(status="pending"),
                name="promotion_request_one_pending",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="promotion_status_idx")]

    def __str__(self) -> str:
        return f"{self.membership} → {self.to_stage} ({self.status})"

    @property
    def met_count(self) -> int:
        return sum(1 for row in self.evidence if row.get("met"))

    @property
    def unmet(self) -> list[dict]:
        """The evidence rows whose criterion is not met (or not yet measurable)."""
        return [row for row in self.evidence if not row.get("met")]

    @property
    def all_met(self) -> bool:
        return bool(self.evidence) and not self.unmet


class Endorsement(models.Model):
    """A full member vouching for another member of the same community."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="endorsements")
    endorser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements_given"
    )
    endorsee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements_received"
    )
    note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "endorser", "endorsee"], name="endorsement_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(endorser=models.F("endorsee")), name="endorsement_not_self"
            ),
        ]
        indexes = [models.Index(fields=["community", "endorsee"], name="endorsement_endorsee_idx")]

    def __str__(self) -> str:
        return f"{self.endorser} endorses {self.endorsee}"


class Mentorship(models.Model):
    class Status(models.TextChoices):
        OFFERED = "offered", "Offered, waiting for the learner"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        ENDED = "ended", "Ended"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="mentorships")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentees_links"
    )
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_links"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "mentor", "mentee"],
                condition=models.Q(status__in=["offered", "active"]),
                name="mentorship_one_open",
            ),
            models.CheckConstraint(
                condition=~models.Q(mentor=models.F("mentee")), name="mentorship_not_self"
            ),
        ]
        indexes = [models.Index(fields=["community", "mentee", "status"], name="mentorship_idx")]

    def __str__(self) -> str:
        return f"{self.mentor} mentors {self.mentee} ({self.status})"


class PendingEvaluation(PendingWork):
    """A member whose progression a write asked to re-evaluate; drained by
    `tasks.evaluate_pending` (one evaluation per member per batch, however many asked)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"evaluate membership {self.membership_id}"


class CommunityProposal(models.Model):
    """A community someone asked staff to create; approving it creates the community with
    the proposer as its first steward. Kept after the decision as the record of it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for staff"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_proposals"
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, blank=True)
    tagline = models.CharField(max_length=200, blank=True)
    charter = models.TextField(blank=True, max_length=20_000)
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    join_policy = models.CharField(
        max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    reason = models.TextField(
        "Why it is needed", max_length=5000, help_text="Who it is for and what it would do."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=1000, blank=True)
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-created_at"], name="proposal_queue_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"
