"""Forms for writing modules and for what learners write in them.

Long texts are checked on the server rather than with a `maxlength` attribute: a browser
silently cuts pasted text at `maxlength`, and a learner would lose the end of it.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from practica.learning.models import (
    FEEDBACK_MAX_CHARS,
    REFLECTION_MAX_CHARS,
    QuestionKind,
    ReviewShows,
)
from practica.learning.services.authoring import check_question
from practica.privacy.forms import GuardedFormMixin


class LongTextField(forms.CharField):
    """A textarea whose length limit is enforced on the server with a clear message."""

    def __init__(self, *, limit: int, what: str, **kwargs):
        self.limit, self.what = limit, what
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 10}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and len(value) > self.limit:
            raise ValidationError(
                f"Your text is {len(value):,} characters long; {self.what} can be at most "
                f"{self.limit:,}. Shorten it and save again: your text is kept here."
            )
        return value


class ModuleForm(GuardedFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    overview = LongTextField(
        limit=20_000,
        what="an overview",
        help_text="Markdown. What the module is about and who it is for.",
    )
    outcomes = LongTextField(
        limit=5_000,
        what="the list of outcomes",
        required=False,
        label="Learning outcomes",
        help_text="One a line, e.g. “Describe the three structural elements of a community of practice”.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    estimated_minutes = forms.IntegerField(
        min_value=1, max_value=6000, initial=30, label="Estimated time (minutes)"
    )


class NewModuleForm(ModuleForm):
    where = forms.ChoiceField(label="Where it belongs")

    def __init__(self, *args, communities=(), organisation_wide=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(c.pk), c.name) for c in communities]
        if organisation_wide:
            choices.insert(0, ("", "The whole organisation"))
        self.fields["where"].choices = choices
        self.order_fields(["where"])


class SectionForm(GuardedFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    body = LongTextField(
        limit=50_000,
        what="a section",
        help_text="Markdown.",
        widget=forms.Textarea(attrs={"rows": 16}),
    )


class ActivityForm(GuardedFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    prompt = LongTextField(
        limit=5_000, what="a prompt", help_text="Markdown. What should the learner reflect on?"
    )


class ReadingForm(GuardedFormMixin, forms.Form):
    citation = forms.CharField(
        max_length=500,
        help_text="E.g. Wenger E. Communities of practice: learning, meaning and identity. Cambridge University Press; 1998.",
    )
    url = forms.URLField(required=False, label="Link (optional)", assume_scheme="https")
    note = forms.CharField(max_length=300, required=False, label="Note (optional)")


class AssessmentForm(forms.Form):
    title = forms.CharField(max_length=200)
    questions_per_attempt = forms.IntegerField(min_value=1, max_value=100)
    pass_mark = forms.IntegerField(min_value=1, max_value=100, label="Pass mark (%)")
    attempt_limit = forms.IntegerField(min_value=0, max_value=100, help_text="0 means no limit.")
    cooldown_minutes = forms.IntegerField(
        min_value=0, max_value=60 * 24 * 30, label="Cool-down between attempts (minutes)"
    )
    review_shows = forms.ChoiceField(
        choices=ReviewShows.choices,
        initial=ReviewShows.WRONG,
        widget=forms.RadioSelect,
        label="After an attempt that did not pass, show",
        help_text="A passed attempt always shows which questions were wrong. Showing the "
        "correct answers straight away makes the next attempt trivial.",
    )


def parse_options(text: str) -> list[tuple[str, bool]]:
    """“* Right answer” / “Wrong answer”, one a line, into (text, is_correct)."""
    options = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        correct = line.startswith("*")
        options.append((line.lstrip("*").strip(), correct))
    return options


def format_options(question) -> str:
    if question.kind == QuestionKind.SHORT:
        return question.accepted_answers
    if question.kind == QuestionKind.TRUE_FALSE:
        return (
            "true"
            if any(o.is_correct and o.text == "True" for o in question.options.all())
            else "false"
        )
    return "\n".join(f"{'* ' if o.is_correct else ''}{o.text}" for o in question.options.all())


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(choices=QuestionKind.choices, label="Kind of question")
    text = forms.CharField(
        max_length=2_000, widget=forms.Textarea(attrs={"rows": 3}), label="Question"
    )
    answers = forms.CharField(
        max_length=4_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "Single or multiple choice: one option a line, with a * before each correct one. "
            "True or false: write true or false. Short answer: one accepted answer a line "
            "(case and spaces are ignored)."
        ),
    )
    feedback = forms.CharField(
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown with the result: why the answer is what it is.",
    )

    def clean(self):
        data = super().clean()
        kind, answers = data.get("kind"), data.get("answers", "")
        if not kind or not answers:
            return data
        data["options"], data["accepted"] = [], []
        if kind == QuestionKind.SHORT:
            data["accepted"] = [a.strip() for a in answers.splitlines() if a.strip()]
        elif kind == QuestionKind.TRUE_FALSE:
            value = answers.strip().lstrip("*").strip().lower()
            if value not in ("true", "false"):
                self.add_error("answers", "For a true-or-false question, write true or false.")
                return data
            data["options"] = [("True", value == "true"), ("False", value == "false")]
        else:
            data["options"] = parse_options(answers)
        try:
            check_question(kind, data["options"], data["accepted"])
        except ValidationError as error:
            self.add_error("answers", error)
        return data


class ReflectionForm(GuardedFormMixin, forms.Form):
    text = LongTextField(
        limit=REFLECTION_MAX_CHARS,
        what="a reflection",
        label="Your reflection",
        help_text=f"Private to you. Up to {REFLECTION_MAX_CHARS:,} characters.",
        widget=forms.Textarea(attrs={"rows": 12}),
    )


class FeedbackForm(GuardedFormMixin, forms.Form):
    text = LongTextField(
        limit=FEEDBACK_MAX_CHARS,
        what="comments",
        label="Your comments",
        help_text="What worked, what didn’t, what is missing or out of date. The module’s authors read every comment.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class GlossaryTermsForm(forms.Form):
    terms = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Glossary terms this module uses",
        help_text="From the community glossary. They appear in the module and its PDF.",
    )

    def __init__(self, *args, terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["terms"].choices = [(str(t.pk), t.term) for t in terms]
