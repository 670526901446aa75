"""Forms of the bulletin: subscribing, searching, and the editor's forms."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from practica.bulletin.models import Bulletin, Issue, Topic, validate_related_url
from practica.privacy.forms import GuardedFormMixin
from practica.widgets import DateInput, DateTimeInput, RadioSelect

SCOPE_CHOICES = [
    ("all", "Every issue"),
    ("topics", "Only issues with articles on the topics I choose"),
]


class ScopeForm(forms.Form):
    """Whole bulletin or chosen topics; `topics` lists the bulletin's own topics."""

    scope = forms.ChoiceField(
        label="What would you like to receive?",
        choices=SCOPE_CHOICES,
        initial="all",
        widget=RadioSelect,
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Used when you choose “only issues with articles on the topics I choose”.",
    )

    def __init__(self, *args, bulletin: Bulletin, topics=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = (
            topics
            if topics is not None
            else Topic.objects.filter(articles__issue__bulletin=bulletin).distinct()
        )

    def clean(self):
        data = super().clean()
        if data.get("scope") == "topics" and not data.get("topics"):
            self.add_error("topics", "Choose at least one topic, or choose every issue.")
        return data

    @property
    def all_topics(self) -> bool:
        return self.cleaned_data.get("scope") != "topics"


class SubscribeForm(ScopeForm):
    email = forms.CharField(
        label="Your email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        help_text="No account needed. We email you a link to confirm; nothing is sent until you do.",
    )

    field_order = ["email", "scope", "topics"]

    def clean_email(self) -> str:
        from practica.bulletin.services.subscriptions import normalise_email

        return normalise_email(self.cleaned_data["email"])


class SearchForm(forms.Form):
    q = forms.CharField(label="Words", required=False, max_length=200)
    author = forms.CharField(label="Author", required=False, max_length=120)
    topic = forms.ModelChoiceField(
        label="Topic",
        queryset=Topic.objects.filter(articles__isnull=False).distinct(),
        required=False,
        to_field_name="slug",
        empty_label="Any topic",
    )
    date_from = forms.DateField(label="From", required=False, widget=DateInput())
    date_to = forms.DateField(label="To", required=False, widget=DateInput())
    volume = forms.IntegerField(label="Volume", required=False, min_value=1, max_value=999)
    number = forms.IntegerField(label="Issue", required=False, min_value=1, max_value=99)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data


class BulletinSettingsForm(forms.ModelForm):
    class Meta:
        model = Bulletin
        fields = ["name", "description", "issn"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class IssueForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = ["volume", "number", "month", "year", "title", "editorial"]
        labels = {"number": "Issue number", "editorial": "Editorial"}
        help_texts = {"editorial": "Markdown. Introduces the issue; shown above its articles."}
        widgets = {
            "month": forms.Select(
                choices=[(m, datetime.date(2000, m, 1).strftime("%B")) for m in range(1, 13)]
            ),
            "editorial": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, bulletin: Bulletin, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.bulletin = bulletin


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ArticleForm(GuardedFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        max_length=400,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences for lists, feeds and the email.",
    )
    authors = forms.CharField(
        label="Authors",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line: name, a vertical bar, then the role line — "
        "“Eleanor Jackson | Research Associate, Riverside PHC Research Unit”.",
    )
    body = forms.CharField(
        max_length=60000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Markdown. Cite with [^1] in the text and give the reference on its own "
        "line at the end: “[^1]: Wenger, E. (1998) Communities of practice. CUP.” "
        "References are numbered in the order they are cited.",
    )
    contact = forms.CharField(
        label="For further information, contact",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown: a name, role and how to reach them.",
    )
    topics = forms.CharField(
        max_length=500,
        required=False,
        help_text="Separate with commas, e.g. “communities of practice, knowledge management”.",
    )
    related = forms.CharField(
        label="Related items",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line: a title, a vertical bar, then a link to a library article or "
        "conversation here — “Handover checklist | /c/ward-care/library/handover/”.",
    )

    def clean_authors(self) -> list[tuple[str, str]]:
        authors = []
        for line in _lines(self.cleaned_data["authors"]):
            name, _, role = line.partition("|")
            name, role = name.strip(), role.strip()
            if not name:
                raise ValidationError(f"“{line}” has no name before the vertical bar.")
            if len(name) > 120 or len(role) > 200:
                raise ValidationError(f"“{line[:60]}…” is too long for a by-line.")
            authors.append((name, role))
        return authors

    def clean_topics(self) -> list[str]:
        names = [n.strip() for n in self.cleaned_data["topics"].split(",") if n.strip()]
        if len(names) > 12:
            raise ValidationError("Give at most twelve topics.")
        return names

    def clean_related(self) -> list[tuple[str, str]]:
        items = []
        for line in _lines(self.cleaned_data["related"]):
            title, bar, url = line.rpartition("|")
            if not bar or not title.strip() or not url.strip():
                raise ValidationError(
                    f"Write “{line[:60]}” as a title, a vertical bar, then a link."
                )
            try:
                validate_related_url(url.strip())
            except ValidationError as error:
                raise ValidationError(f"“{url.strip()[:80]}”: {error.messages[0]}") from error
            items.append((title.strip()[:200], url.strip()))
        return items

    @classmethod
    def initial_for(cls, article) -> dict:
        return {
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "contact": article.contact,
            "authors": "\n".join(
                f"{a.name} | {a.role}" if a.role else a.name for a in article.authors.all()
            ),
            "topics": ", ".join(t.name for t in article.topics.all()),
            "related": "\n".join(f"{r.title} | {r.url}" for r in article.related_items.all()),
        }


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label="Publish and send at",
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="In your time zone.",
    )

    def clean_when(self) -> datetime.datetime:
        when = self.cleaned_data["when"]
        if timezone.is_naive(when):
            when = timezone.make_aware(when, timezone.get_current_timezone())
        if when <= timezone.now():
            raise ValidationError(
                "That time has passed. Choose a time in the future, or publish now."
            )
        return when


class EditorForm(forms.Form):
    email = forms.EmailField(label="Email address of the member to add")
