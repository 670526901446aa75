"""The form side of the patient-data guard, shared by every form a member writes text in."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from practica.privacy.guard import PatientDataFound, keep_log
from practica.widgets import RadioSelect

CONFIRM_FIELD = "confirm_guard"


class GuardedFormMixin:
    """For a form whose text a service screens with `privacy.guard.screen`.

    The "I have checked" box is not a form field: it appears only inside the warning panel
    (`components/guard.html`), so a form rendered field by field never shows it unasked, and
    it is not ticked again by itself when the form comes back for another reason.
    """

    guard: dict | None = None

    @property
    def guard_confirmed(self) -> bool:
        """Whether the author ticked "I have checked" under a warning."""
        return bool(self.is_bound and self.data.get(CONFIRM_FIELD) in {"1", "on", "true"})

    def show_guard(self, error: PatientDataFound) -> None:
        """Show the warning panel, the form's message and one beside each field concerned."""
        keep_log(error)
        self.guard = {
            "message": error.message,
            "blocked": error.blocked,
            "labels": error.labels,
            "excerpts": [
                (self._label_for(name), highlighted) for name, highlighted in error.excerpts()
            ],
        }
        for name, messages in error.message_dict.items():
            if name == NON_FIELD_ERRORS or name in self.fields:
                self.add_error(None if name == NON_FIELD_ERRORS else name, messages)

    def apply_service_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError (or the guard's) beside the fields it names."""
        apply_service_error(self, error)

    def _label_for(self, name: str) -> str:
        if name in self.fields:
            return str(self.fields[name].label or name.replace("_", " ").capitalize())
        return ""


def apply_service_error(form, error: ValidationError, *, field: str | None = None) -> None:
    """Put a service's ValidationError on `form`, beside a field when it names one (or
    beside `field` when it names none); the guard's PatientDataFound also opens the
    warning panel on a GuardedFormMixin form."""
    if isinstance(error, PatientDataFound):
        keep_log(error)
    if isinstance(error, PatientDataFound) and isinstance(form, GuardedFormMixin):
        form.show_guard(error)
    elif hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            known = name in form.fields
            form.add_error(name if known else None, messages)
    else:
        form.add_error(field, error.messages)


class RedactForm(forms.Form):
    """A redaction: a passage or the whole text, and the reason shown in its place."""

    scope = forms.ChoiceField(
        label="What to remove",
        choices=[("span", "Only some words (below)"), ("whole", "The whole text")],
        initial="span",
        widget=RadioSelect,
    )
    span = forms.CharField(
        label="Words to remove",
        required=False,
        max_length=500,
        help_text="Copy them from the text exactly: a name, a number, a date of birth. "
        "They are removed from every version and copy of this text.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        help_text="Shown in place of the removed words: “[removed by you: reason]”. "
        "Do not repeat the words being removed.",
        error_messages={"required": "Say why this is removed: the reason is shown in its place."},
    )


class DeleteAccountForm(forms.Form):
    """Deleting an account: what happens to what the member wrote, then the confirmation."""

    mode = forms.ChoiceField(
        label="What happens to what you wrote",
        choices=[
            (
                "anonymise",
                "Keep it, anonymised: your posts and comments stay, signed “A former member”",
            ),
            (
                "delete",
                "Delete it: your posts lose their text; your comments, reflections, "
                "appraisals and proposed edits go",
            ),
        ],
        widget=RadioSelect,
        error_messages={"required": "Choose what happens to what you wrote."},
    )
    password = forms.CharField(
        label="Your password",
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To confirm that it is you.",
    )
    phrase = forms.CharField(
        label="Type “delete my account”",
        required=False,
        help_text="To confirm: your account has no password to type.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.has_usable_password():
            del self.fields["phrase"]
        else:
            del self.fields["password"]
