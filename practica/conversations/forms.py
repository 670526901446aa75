"""Forms for conversation pages. Shape checks only; services hold the rules."""

from __future__ import annotations

from django import forms

from practica.communities.models import GuardMode
from practica.conversations.models import (
    BODY_MAX_CHARS,
    TITLE_MAX_CHARS,
    ConversationSettings,
    FlagReason,
)
from practica.privacy.forms import GuardedFormMixin
from practica.reliability.idempotency import SubmissionKeyForm
from practica.widgets import RadioSelect

BODY_HELP = (
    "Markdown works: **bold**, lists, > quotes, tables and `code`. Mention a member with "
    "@username. Never include anything that could identify a patient."
)


def _body_field(label: str, *, required: bool = True, rows: int = 10) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=BODY_MAX_CHARS,
        help_text=BODY_HELP,
        widget=forms.Textarea(attrs={"rows": rows, "data-mentions": "true"}),
        error_messages={
            "required": "Write something before posting.",
            "max_length": f"Keep it to {BODY_MAX_CHARS:,} characters (this has %(show_value)s).",
        },
    )


def _title_field() -> forms.CharField:
    return forms.CharField(
        label="Title",
        max_length=TITLE_MAX_CHARS,
        help_text="One sentence that says what you want to know or discuss.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Give your post a title.",
            "max_length": f"Keep the title to {TITLE_MAX_CHARS} characters (it has %(show_value)s).",
        },
    )


class ThreadForm(GuardedFormMixin, SubmissionKeyForm):
    title = _title_field()
    body = _body_field("Details")
    topics = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pick the topics it belongs to; people watching them will hear about it.",
        error_messages={
            "invalid_choice": "Choose topics from this community's list; “%(value)s” is not one.",
            "invalid_pk_value": "Choose topics from this community's list.",
        },
    )

    field_order = ["title", "body", "topics"]

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = community.topics.all()


class ReplyForm(GuardedFormMixin, SubmissionKeyForm):
    body = _body_field("Your reply", rows=7)
    # The earlier post this reply answers; empty for a reply to the thread as a whole.
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    field_order = ["body", "reply_to"]


class EditPostForm(GuardedFormMixin, forms.Form):
    title = _title_field()
    body = _body_field("Text")
    topics = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    field_order = ["title", "body", "topics"]

    def __init__(self, *args, community, opening: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if opening:
            self.fields["topics"].queryset = community.topics.all()
        else:
            del self.fields["title"]
            del self.fields["topics"]


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with this post?",
        choices=FlagReason.choices,
        widget=RadioSelect,
        error_messages={"required": "Choose why you are flagging this post."},
    )
    note = forms.CharField(
        label="Anything the stewards should know",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the author will see it)",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the author a reason for hiding their post."},
    )


class MoveForm(forms.Form):
    community = forms.ModelChoiceField(queryset=None, label="Move to")

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class StagingCommentForm(GuardedFormMixin, SubmissionKeyForm):
    body = forms.CharField(
        label="Suggestion for the asker",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write your suggestion first."},
    )


class SettingsForm(forms.ModelForm):
    # The community's own field (it covers every text written there), edited here with the
    # rest of moderation.
    guard_mode = forms.ChoiceField(
        label="When the patient-data guard finds something",
        choices=GuardMode.choices,
        help_text="It checks every text members write here: posts, articles, comments, "
        "events, evidence, modules and more.",
    )

    field_order = ["guard_mode"]

    class Meta:
        model = ConversationSettings
        fields = [
            "staging_enabled",
            "staging_question_count",
            "profession_endorsements",
            "posts_per_ten_minutes",
            "accept_after_days",
        ]
        labels = {
            "staging_enabled": "Send learners' first questions to the staging area",
            "staging_question_count": "How many of a learner's questions are staged",
            "profession_endorsements": "Let members endorse answers for their profession",
            "posts_per_ten_minutes": "Posts a member may make in ten minutes",
            "accept_after_days": "Days the asker has to choose an accepted answer",
        }
        help_texts = {
            "accept_after_days": "After this many days without a choice, full members and "
            "stewards may choose the accepted answer for the asker (0 lets them at once). "
            "They never change an answer the asker chose.",
        }
