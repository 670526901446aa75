"""Evidence into practice: evidence summaries with their revisions and appraisals,
practice-change proposals with their recorded workflow, and the decisions they end in.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from practica.communities.lanyards import WrittenLanyard

# Proposed edits share the library's review states, so members meet the same words in both.
from practica.library.models import ProposalStatus as EditStatus
from practica.library.models import ReviewedProposal

# --- levels of evidence ------------------------------------------------------------------------


class EvidenceScale(models.TextChoices):
    NHMRC = "nhmrc", "NHMRC levels of evidence (I–IV)"
    GRADE = "grade", "GRADE certainty of evidence"


LEVELS: dict[str, list[tuple[str, str]]] = {
    EvidenceScale.NHMRC: [
        ("I", "Level I — systematic review of level II studies"),
        ("II", "Level II — randomised controlled trial"),
        ("III-1", "Level III-1 — pseudo-randomised controlled trial"),
        ("III-2", "Level III-2 — comparative study with concurrent controls"),
        ("III-3", "Level III-3 — comparative study without concurrent controls"),
        ("IV", "Level IV — case series"),
    ],
    EvidenceScale.GRADE: [
        ("high", "High certainty"),
        ("moderate", "Moderate certainty"),
        ("low", "Low certainty"),
        ("very_low", "Very low certainty"),
    ],
}


def level_label(scale: str, level: str) -> str:
    return dict(LEVELS.get(scale, [])).get(level, level)


class EvidenceSettings(models.Model):
    """How one community grades evidence. Communities without a row use NHMRC levels."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="evidence_settings"
    )
    scale = models.CharField(
        max_length=8, choices=EvidenceScale.choices, default=EvidenceScale.NHMRC
    )

    def __str__(self) -> str:
        return f"{self.community}: {self.get_scale_display()}"


# --- evidence summaries --------------------------------------------------------------------------


class EvidenceSummary(models.Model):
    """What one study or review says and what it means for this community's practice.

    The citation is kept as structured fields, copied from a library reference when the
    summary was drafted from one (`reference` keeps the link while the reference lasts).
    The text lives in revisions; the row mirrors the latest one.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="evidence_summaries"
    )
    title = models.CharField(max_length=200)
    reference = models.ForeignKey(
        "library.Reference",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence_summaries",
    )
    citation_authors = models.JSONField(
        default=list, blank=True, help_text='"Family, Given" for each, or an organisation.'
    )
    citation_title = models.CharField(max_length=500, blank=True)
    citation_source = models.CharField(
        max_length=300, blank=True, help_text="Journal, publisher or database."
    )
    citation_year = models.PositiveSmallIntegerField(null=True, blank=True)
    citation_volume = models.CharField(max_length=30, blank=True)
    citation_issue = models.CharField(max_length=30, blank=True)
    citation_pages = models.CharField(max_length=30, blank=True)
    citation_doi = models.CharField(max_length=200, blank=True)
    citation_url = models.URLField(max_length=500, blank=True)
    question = models.CharField(max_length=500, blank=True)
    population = models.CharField(max_length=500, blank=True)
    intervention = models.CharField(max_length=500, blank=True)
    comparison = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=500, blank=True)
    key_findings = models.TextField(max_length=20_000)
    key_findings_html = models.TextField(editable=False, blank=True)
    scale = models.CharField(max_length=8, choices=EvidenceScale.choices)
    level = models.CharField(max_length=12)
    implications = models.TextField(max_length=20_000)
    implications_html = models.TextField(editable=False, blank=True)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="reviewed_evidence"
    )
    topics = models.ManyToManyField(
        "communities.Topic", blank=True, related_name="evidence_summaries"
    )
    review_by = models.DateField(null=True, blank=True)
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence_summaries",
        help_text="The journal club where this evidence is appraised.",
    )
    thread = models.ForeignKey(
        "conversations.Thread",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revision_count = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name_plural = "evidence summaries"
        indexes = [
            models.Index(fields=["community", "-updated_at"], name="evidence_summary_recent_idx"),
            models.Index(fields=["community", "review_by"], name="evidence_summary_review_idx"),
            models.Index(fields=["community", "level"], name="evidence_summary_level_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "evidence:summary",
            kwargs={"community_slug": self.community.slug, "summary_id": self.pk},
        )

    @property
    def level_label(self) -> str:
        return level_label(self.scale, self.level)

    @property
    def has_pico(self) -> bool:
        return any((self.population, self.intervention, self.comparison, self.outcome))

    @property
    def is_due_for_review(self) -> bool:
        return self.review_by is not None and self.review_by < datetime.date.today()


class EvidenceRevision(WrittenLanyard):
    """One saved state of a summary's text; never changed once written."""

    summary = models.ForeignKey(EvidenceSummary, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    citation = models.TextField(max_length=2000)
    question = models.TextField(blank=True, max_length=3000)
    key_findings = models.TextField(max_length=20_000)
    level = models.CharField(max_length=80)
    implications = models.TextField(max_length=20_000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edit_summary = models.CharField(max_length=300, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "number"], name="evidence_revision_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.summary} r{self.number}"


class ProposedSummaryEdit(ReviewedProposal):
    """A revision of a summary's text offered by a member who may not edit directly.

    Only the text a learner can sensibly improve is proposed: the question with its PICO
    parts, the key findings and the implications. The citation, level and reviewers stay
    with the members who write evidence.
    """

    summary = models.ForeignKey(
        EvidenceSummary, on_delete=models.CASCADE, related_name="proposed_edits"
    )
    base_revision = models.ForeignKey(EvidenceRevision, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=500, blank=True)
    population = models.CharField(max_length=500, blank=True)
    intervention = models.CharField(max_length=500, blank=True)
    comparison = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=500, blank=True)
    key_findings = models.TextField(max_length=20_000)
    implications = models.TextField(max_length=20_000)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evidence_edit_proposals"
    )
    resulting_revision = models.ForeignKey(
        EvidenceRevision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(ReviewedProposal.Meta):
        indexes = [
            models.Index(fields=["summary", "status"], name="evidence_edit_summary_idx"),
            models.Index(fields=["proposer", "status"], name="evidence_edit_proposer_idx"),
        ]

    def __str__(self) -> str:
        return f"Proposed edit to {self.summary} by {self.proposer}"

    def get_absolute_url(self) -> str:
        return reverse(
            "evidence:edit",
            kwargs={
                "community_slug": self.summary.community.slug,
                "summary_id": self.summary_id,
                "edit_id": self.pk,
            },
        )

    @property
    def is_open(self) -> bool:
        return self.status in (EditStatus.PENDING, EditStatus.CHANGES_REQUESTED)


class Rating(models.IntegerChoices):
    GOOD = 3, "Good"
    SOME_CONCERNS = 2, "Some concerns"
    SERIOUS_CONCERNS = 1, "Serious concerns"


class Appraisal(models.Model):
    """One member's critical appraisal of a summary's evidence: a short checklist."""

    summary = models.ForeignKey(
        EvidenceSummary, on_delete=models.CASCADE, related_name="appraisals"
    )
    appraiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evidence_appraisals"
    )
    validity = models.PositiveSmallIntegerField(choices=Rating.choices)
    validity_comment = models.TextField(blank=True, max_length=2000)
    results = models.PositiveSmallIntegerField(choices=Rating.choices)
    results_comment = models.TextField(blank=True, max_length=2000)
    applicability = models.PositiveSmallIntegerField(choices=Rating.choices)
    applicability_comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "appraiser"], name="evidence_appraisal_one_per_member"
            ),
        ]
        indexes = [
            models.Index(fields=["appraiser", "summary"], name="evidence_appraisal_member_idx"),
        ]

    def __str__(self) -> str:
        return f"Appraisal of {self.summary} by {self.appraiser}"


# --- practice-change proposals -------------------------------------------------------------------


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    UNDER_REVIEW = "under_review", "Under review"
    PILOTING = "piloting", "Piloting"
    ADOPTED = "adopted", "Adopted"
    DECLINED = "declined", "Declined"
    RETIRED = "retired", "Retired"


# The workflow: a proposal moves only along these edges.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    ProposalStatus.PROPOSED: (ProposalStatus.UNDER_REVIEW,),
    ProposalStatus.UNDER_REVIEW: (ProposalStatus.PILOTING, ProposalStatus.DECLINED),
    ProposalStatus.PILOTING: (ProposalStatus.ADOPTED, ProposalStatus.DECLINED),
    ProposalStatus.ADOPTED: (ProposalStatus.RETIRED,),
    ProposalStatus.DECLINED: (),
    ProposalStatus.RETIRED: (),
}
DECIDING_STATUSES = (ProposalStatus.ADOPTED, ProposalStatus.DECLINED)


class PracticeProposal(models.Model):
    """ "Change X in our practice", on its way from an idea to an adopted (or declined) practice."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="practice_proposals"
    )
    title = models.CharField(max_length=200, help_text="Change … in our practice.")
    change = models.TextField(max_length=20_000, help_text="What would change, for whom.")
    change_html = models.TextField(editable=False, blank=True)
    summaries = models.ManyToManyField(
        EvidenceSummary, blank=True, related_name="proposals", verbose_name="supporting evidence"
    )
    discussion_links = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    pilot_plan = models.TextField(blank=True, max_length=10_000)
    pilot_measures = models.TextField(blank=True, max_length=5000)
    pilot_results = models.TextField(blank=True, max_length=10_000)
    library_article = models.ForeignKey(
        "library.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practice_proposals",
        help_text="The library article that describes the adopted practice.",
    )
    review_by = models.DateField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(
                fields=["community", "status", "-updated_at"], name="evidence_proposal_status_idx"
            ),
            models.Index(
                fields=["community", "status", "review_by"], name="evidence_proposal_review_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "evidence:proposal",
            kwargs={"community_slug": self.community.slug, "proposal_id": self.pk},
        )

    def get_pdf_url(self) -> str:
        return reverse(
            "evidence:proposal-pdf",
            kwargs={"community_slug": self.community.slug, "proposal_id": self.pk},
        )

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return NEXT_STATUSES[self.status]

    @property
    def has_brief(self) -> bool:
        return self.status in (ProposalStatus.ADOPTED, ProposalStatus.RETIRED)

    @property
    def is_due_for_review(self) -> bool:
        return (
            self.status == ProposalStatus.ADOPTED
            and self.review_by is not None
            and self.review_by < datetime.date.today()
        )


class ProposalTransition(models.Model):
    """One move of a proposal along the workflow: who, when and why."""

    proposal = models.ForeignKey(
        PracticeProposal, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=16, choices=ProposalStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ProposalStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["proposal", "created_at"], name="evidence_transition_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.from_status or 'new'} → {self.to_status}"


class Decision(models.Model):
    """Why a proposal was adopted or declined: the community's organisational memory."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="practice_decisions"
    )
    proposal = models.OneToOneField(
        PracticeProposal, on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(
        max_length=16,
        choices=[(s.value, s.label) for s in DECIDING_STATUSES],
    )
    context = models.TextField(max_length=10_000)
    options_considered = models.TextField(max_length=10_000)
    rationale = models.TextField(max_length=10_000)
    evidence = models.ManyToManyField(
        EvidenceSummary, blank=True, related_name="decisions", verbose_name="evidence relied on"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [
            models.Index(fields=["community", "-decided_at"], name="evidence_decision_recent_idx"),
            models.Index(
                fields=["community", "outcome", "-decided_at"], name="evidence_decision_outcome_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.proposal}"
