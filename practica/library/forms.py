"""Forms for the library's pages. Each keeps what was typed and shows errors beside fields."""

from __future__ import annotations

from django import forms

from practica.communities.models import Topic
from practica.library.models import ArticleKind, ArticleStatus
from practica.markdown import MAX_SOURCE_CHARS
from practica.privacy.forms import GuardedFormMixin
from practica.reliability.idempotency import SubmissionKeyForm
from practica.widgets import DateInput


class TopicChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, community, **kwargs):
        super().__init__(
            queryset=Topic.objects.filter(community=community), required=False, **kwargs
        )


class ArticleTextForm(GuardedFormMixin, SubmissionKeyForm):
    """What a revision records, plus the revision the editor was opened on."""

    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences shown in the library list.",
    )
    body = forms.CharField(
        max_length=MAX_SOURCE_CHARS,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "class": "monospace"}),
        help_text="Markdown: ## headings, **bold**, - lists, [links](https://…).",
    )
    edit_summary = forms.CharField(
        max_length=300, required=False, help_text="What you changed and why, in a line."
    )
    base_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ArticleEditForm(ArticleTextForm):
    """The editor for those who may edit directly: text and the article's details."""

    kind = forms.ChoiceField(label="Type", choices=ArticleKind.choices)
    review_due = forms.DateField(
        label="Review by",
        required=False,
        widget=DateInput(),
        help_text="After this date the article is listed as due for review.",
    )
    source_title = forms.CharField(
        label="Came from (title)",
        max_length=200,
        required=False,
        help_text="The thread, meeting or guideline this article grew from.",
    )
    source_url = forms.CharField(label="Came from (address)", max_length=500, required=False)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"] = TopicChoices(community)

    def clean_source_url(self):
        url = self.cleaned_data["source_url"].strip()
        if url and not (url.startswith("/") or url.startswith(("https://", "http://"))):
            raise forms.ValidationError("Give a web address starting https:// or a page path.")
        return url


class ArticleCreateForm(ArticleEditForm):
    publish = forms.BooleanField(
        required=False,
        label="Publish now",
        help_text="Leave unticked to save a draft for review.",
    )

    def __init__(self, *args, can_publish: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_publish:
            del self.fields["publish"]


class CommentForm(GuardedFormMixin, SubmissionKeyForm):
    body = forms.CharField(
        label="Your comment", max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReviewForm(forms.Form):
    next_review = forms.DateField(label="Next review by", required=False, widget=DateInput())


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ArticleStatus.choices)


class DecisionForm(GuardedFormMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", "Approve"),
            ("request_changes", "Request changes"),
            ("decline", "Decline"),
        ]
    )
    comment = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you request changes or decline: say what and why.",
    )


class GlossaryTermForm(GuardedFormMixin, forms.Form):
    term = forms.CharField(max_length=100)
    definition = forms.CharField(
        max_length=3000, widget=forms.Textarea(attrs={"rows": 4}), help_text="Markdown."
    )
    synonyms = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Other words for the same thing, separated by commas. They link here too.",
    )

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"] = TopicChoices(
            community, help_text="The community's topics it belongs to; its topic pages list it."
        )
