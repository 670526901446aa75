"""Forms for the evidence pages; the services check everything again."""

from __future__ import annotations

from django import forms

from practica.communities.models import Membership, Topic
from practica.evidence.models import (
    LEVELS,
    Appraisal,
    EvidenceScale,
    EvidenceSummary,
    ProposalStatus,
)
from practica.evidence.services.appraisals import APPRAISAL_FIELDS
from practica.library.models import Article, Reference
from practica.people.models import User
from practica.privacy.forms import GuardedFormMixin
from practica.reliability.idempotency import SubmissionKeyForm
from practica.widgets import DateInput, RadioSelect


class LinesField(forms.CharField):
    """A textarea read as a list of non-empty lines."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ReferenceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        from practica.library.citations import vancouver

        return f"{vancouver(obj)[:140]} (in “{obj.article.title}”)"


class MemberChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} — {obj.get_profession_display()}"


class SummaryForm(GuardedFormMixin, SubmissionKeyForm):
    title = forms.CharField(max_length=200, help_text="What the evidence is about, in a few words.")
    reference = ReferenceChoice(
        queryset=Reference.objects.none(),
        required=False,
        label="Reference from the library",
        help_text="Choose one to fill the citation from it, or type the citation below.",
        empty_label="No library reference — I'll type the citation",
    )
    citation_title = forms.CharField(
        max_length=500,
        required=False,
        label="Title of the study or review",
        help_text="Required unless a library reference is chosen above.",
    )
    citation_authors = LinesField(
        required=False, label="Authors", help_text='One a line, "Family, Given" or an organisation.'
    )
    citation_source = forms.CharField(
        max_length=300, required=False, label="Journal, publisher or database"
    )
    citation_year = forms.IntegerField(required=False, min_value=1800, max_value=2100, label="Year")
    citation_volume = forms.CharField(max_length=30, required=False, label="Volume")
    citation_issue = forms.CharField(max_length=30, required=False, label="Issue")
    citation_pages = forms.CharField(max_length=30, required=False, label="Pages or article number")
    citation_doi = forms.CharField(
        max_length=200, required=False, label="DOI", help_text="Only if the source has one."
    )
    citation_url = forms.URLField(
        max_length=500, required=False, label="Link", assume_scheme="https"
    )
    question = forms.CharField(
        max_length=500,
        required=False,
        label="The question it answers",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    population = forms.CharField(max_length=500, required=False, label="Population (P)")
    intervention = forms.CharField(max_length=500, required=False, label="Intervention (I)")
    comparison = forms.CharField(max_length=500, required=False, label="Comparison (C)")
    outcome = forms.CharField(max_length=500, required=False, label="Outcome (O)")
    key_findings = forms.CharField(
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown. Effect sizes with their confidence intervals where given.",
    )
    level = forms.CharField(max_length=12, label="Level of evidence")
    implications = forms.CharField(
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Implications for our practice",
        help_text="Markdown.",
    )
    reviewers = MemberChoice(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members who checked this summary against the source.",
    )
    review_by = forms.DateField(required=False, widget=DateInput(), label="Review by")
    topics = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The community's topics it is about; its topic pages list it.",
    )
    event = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Journal club",
        empty_label="Not discussed at a journal club",
    )

    def __init__(self, *args, community, scale: str, **kwargs):
        super().__init__(*args, **kwargs)
        from practica.events.models import Event

        self.fields["reference"].queryset = (
            Reference.objects.filter(article__community=community)
            .select_related("article")
            .order_by("title")
        )
        self.fields["reviewers"].queryset = User.objects.filter(
            pk__in=Membership.objects.filter(
                community=community, suspended=False, stage__gte=20
            ).values("user_id")
        ).order_by("display_name", "username")
        self.fields["event"].queryset = Event.objects.filter(community=community).order_by(
            "-starts_at"
        )
        self.fields["topics"].queryset = Topic.objects.filter(community=community).order_by("name")
        self.fields["level"].widget = forms.Select(choices=[("", "Choose a level"), *LEVELS[scale]])
        self.fields["level"].help_text = f"On this community's scale: {EvidenceScale(scale).label}."


class SummaryEditForm(SummaryForm):
    base_revision = forms.IntegerField(widget=forms.HiddenInput)
    edit_summary = forms.CharField(
        max_length=300, required=False, label="What you changed", help_text="Shown in the history."
    )


class SummaryTextForm(GuardedFormMixin, SubmissionKeyForm):
    """The text of a summary that members may propose edits to (see services.edits)."""

    question = SummaryForm.base_fields["question"]
    population = SummaryForm.base_fields["population"]
    intervention = SummaryForm.base_fields["intervention"]
    comparison = SummaryForm.base_fields["comparison"]
    outcome = SummaryForm.base_fields["outcome"]
    key_findings = SummaryForm.base_fields["key_findings"]
    implications = SummaryForm.base_fields["implications"]
    edit_summary = forms.CharField(
        max_length=300,
        required=False,
        label="What you changed and why",
        help_text="The reviewer sees this beside your changes.",
    )
    base_revision = forms.IntegerField(widget=forms.HiddenInput)


def initial_from_summary(summary: EvidenceSummary) -> dict:
    many = ("reviewers", "topics", "submission_key")
    names = [n for n in SummaryForm.base_fields if n not in many]
    initial = {n: getattr(summary, n) for n in names}
    initial["reviewers"] = list(summary.reviewers.all())
    initial["topics"] = list(summary.topics.all())
    initial["base_revision"] = summary.revision_count
    return initial


class ScaleForm(forms.Form):
    scale = forms.ChoiceField(choices=EvidenceScale.choices, widget=RadioSelect)


class AppraisalForm(GuardedFormMixin, forms.ModelForm):
    class Meta:
        model = Appraisal
        fields = APPRAISAL_FIELDS
        widgets = {
            "validity": RadioSelect,
            "results": RadioSelect,
            "applicability": RadioSelect,
            "validity_comment": forms.Textarea(attrs={"rows": 2}),
            "results_comment": forms.Textarea(attrs={"rows": 2}),
            "applicability_comment": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "validity": "Are the results valid?",
            "validity_comment": "Validity: your reasons",
            "results": "Are the results important and precise?",
            "results_comment": "Results: your reasons",
            "applicability": "Do they apply to our patients and our ward?",
            "applicability_comment": "Applicability: your reasons",
        }
        help_texts = {
            "validity": "Randomisation, allocation concealment, blinding, follow-up, bias.",
            "results": "Size of the effect and its confidence interval; outcomes that matter.",
            "applicability": "Similar patients and setting; benefits worth the harms and the cost.",
        }


class SummaryChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.level_label})"


class ProposalForm(GuardedFormMixin, SubmissionKeyForm):
    title = forms.CharField(
        max_length=200,
        label="Change … in our practice",
        help_text="Say the change in one line, e.g. “Use ISBAR for every nursing handover”.",
    )
    change = forms.CharField(
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="The change",
        help_text="Markdown. What would change, for whom, and why now.",
    )
    summaries = SummaryChoice(
        queryset=EvidenceSummary.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Supporting evidence",
    )
    discussion_links = LinesField(
        required=False,
        label="Threads where it was discussed",
        help_text="Addresses of conversation threads, one a line.",
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summaries"].queryset = EvidenceSummary.objects.filter(
            community=community
        ).order_by("title")


class MoveForm(GuardedFormMixin, forms.Form):
    """One step of the workflow. Rendered once per possible next stage, with that stage as
    its prefix; the fields each stage needs are listed in MOVE_FIELDS."""

    expected_status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Why"
    )
    pilot_plan = forms.CharField(
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Where, for how long, who takes part.",
    )
    pilot_measures = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Measures",
        help_text="What the pilot will measure to show whether it worked.",
    )
    pilot_results = forms.CharField(
        max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    context = forms.CharField(
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What prompted the decision.",
    )
    options_considered = forms.CharField(
        max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    rationale = forms.CharField(
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this option.",
    )
    evidence = SummaryChoice(
        queryset=EvidenceSummary.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Evidence relied on",
    )
    library_article = forms.ModelChoiceField(
        queryset=Article.objects.none(),
        required=False,
        label="Library article that describes the practice",
        empty_label="None yet",
    )
    review_by = forms.DateField(required=False, widget=DateInput(), label="Review the practice by")

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        community = proposal.community
        self.fields["evidence"].queryset = EvidenceSummary.objects.filter(
            community=community
        ).order_by("title")
        self.fields["library_article"].queryset = Article.objects.filter(
            community=community
        ).order_by("title")
        self.fields["expected_status"].initial = proposal.status
        if not self.is_bound:
            self.initial.setdefault("evidence", list(proposal.summaries.all()))
            self.initial.setdefault("pilot_results", proposal.pilot_results)

    def visible(self, names):
        return [self[name] for name in names]


MOVE_FIELDS: dict[str, tuple[str, ...]] = {
    ProposalStatus.UNDER_REVIEW: ("reason",),
    ProposalStatus.PILOTING: ("pilot_plan", "pilot_measures", "reason"),
    ProposalStatus.ADOPTED: (
        "pilot_results",
        "context",
        "options_considered",
        "rationale",
        "evidence",
        "library_article",
        "review_by",
        "reason",
    ),
    ProposalStatus.DECLINED: (
        "pilot_results",
        "context",
        "options_considered",
        "rationale",
        "evidence",
        "reason",
    ),
    ProposalStatus.RETIRED: ("reason",),
}

MOVE_LABELS = {
    ProposalStatus.UNDER_REVIEW: "Start the review",
    ProposalStatus.PILOTING: "Start a pilot",
    ProposalStatus.ADOPTED: "Adopt the change",
    ProposalStatus.DECLINED: "Decline the change",
    ProposalStatus.RETIRED: "Retire the practice",
}


class DecisionFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Words", max_length=200)
    outcome = forms.ChoiceField(
        required=False,
        choices=[("", "Every state"), *ProposalStatus.choices],
        label="State now",
    )
    since = forms.DateField(required=False, widget=DateInput(), label="From")
    until = forms.DateField(required=False, widget=DateInput(), label="To")
