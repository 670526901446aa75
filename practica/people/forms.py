"""Forms for sign-up extras, profiles and the member directory.

Each keeps what was typed when it is refused and puts the reason beside the field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from practica.people.models import Organisation, Profession, User, available_timezones
from practica.people.querysets import organisations_open_to
from practica.privacy.forms import GuardedFormMixin

MAX_EXPERTISE = 15
MAX_EXPERTISE_CHARS = 80
PROFESSION_REFUSED = "Choose a profession from the list."


def parse_expertise(raw: str) -> list[str]:
    """Split "a, b; c" into distinct areas, keeping the first spelling of each."""
    seen: dict[str, str] = {}
    for part in raw.replace(";", ",").split(","):
        name = " ".join(part.split())
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


class TimezoneInput(forms.TextInput):
    """A text box with every IANA zone as a suggestion, so it needs no JavaScript."""

    template_name = "people/widgets/timezone.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"list": "timezone-list", "autocomplete": "off", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict:
        context = super().get_context(name, value, attrs)
        context["widget"]["zones"] = sorted(available_timezones())
        return context


class TimezoneField(forms.CharField):
    """A time zone name from the IANA database, offered as suggestions, checked strictly."""

    widget = TimezoneInput
    default_error_messages = {
        "unknown": "“%(value)s” is not a time zone Practica knows. Type a region and city "
        "such as Europe/London, America/Toronto or Australia/Sydney, and pick from the list."
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", "Every date and time on Practica is shown in this zone.")
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value).strip()
        if value not in available_timezones():
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"value": value[:64]}
            )
        return value


def profession_field(*, blank_label: str, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Profession",
        choices=[("", blank_label), *Profession.choices],
        required=required,
        error_messages={"invalid_choice": PROFESSION_REFUSED, "required": PROFESSION_REFUSED},
    )


class ProfileForm(GuardedFormMixin, forms.ModelForm):
    timezone = TimezoneField(label="Time zone")
    profession = profession_field(blank_label="Choose your profession")
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="None",
        error_messages={
            "invalid_choice": "Choose an organisation from the list: you can join one by "
            "verifying an email address at its domain."
        },
        help_text="To join an organisation, add and verify your email address there.",
    )
    expertise_text = forms.CharField(
        label="Areas of expertise",
        required=False,
        max_length=600,
        help_text="Separate areas with commas, e.g. falls prevention, wound care, ISBAR handover.",
    )
    bio = forms.CharField(
        label="About you",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown is supported. Up to 5,000 characters.",
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "profession",
            "organisation",
            "location",
            "timezone",
            "show_in_directory",
            "share_organisation",
            "share_location",
            "share_timezone",
            "share_local_time",
        ]
        labels = {
            "display_name": "Display name",
            "show_in_directory": "Show me in the member directory",
            "share_organisation": "Show my organisation",
            "share_location": "Show my location",
            "share_timezone": "Show my time zone",
            "share_local_time": "Show my time now (“their time now: 14:05”)",
        }
        help_texts = {"location": "A town or region, e.g. Leeds, UK."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["display_name"].error_messages["required"] = (
            "Enter the name colleagues know you by."
        )
        self.fields["organisation"].queryset = organisations_open_to(self.instance)
        if self.instance.pk and not self.is_bound:
            self.initial["bio"] = self.instance.bio
            self.initial["expertise_text"] = ", ".join(
                area.name for area in self.instance.expertise.all()
            )

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError("Enter the name colleagues know you by.")
        return name

    def clean_expertise_text(self) -> list[str]:
        names = parse_expertise(self.cleaned_data["expertise_text"])
        if len(names) > MAX_EXPERTISE:
            raise forms.ValidationError(
                f"List at most {MAX_EXPERTISE} areas; you listed {len(names)}."
            )
        too_long = [name for name in names if len(name) > MAX_EXPERTISE_CHARS]
        if too_long:
            raise forms.ValidationError(
                f"“{too_long[0][:40]}…” is too long: keep each area under "
                f"{MAX_EXPERTISE_CHARS} characters."
            )
        return names


class SignupExtraForm(forms.Form):
    """Asked at sign-up beside email and password: who you are and where."""

    display_name = forms.CharField(
        label="Your name",
        max_length=120,
        help_text="As colleagues know you, e.g. Ada Lovelace.",
        error_messages={"required": "Enter the name colleagues know you by."},
    )
    profession = profession_field(blank_label="Choose your profession")
    timezone = TimezoneField(label="Time zone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].initial = settings.TIME_ZONE

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError("Enter the name colleagues know you by.")
        return name

    def signup(self, request, user: User) -> None:
        """allauth calls this after the account is saved; the adapter already stored
        these fields in that same save, so nothing is left to do."""


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, place or expertise"}),
    )
    profession = profession_field(blank_label="Any profession", required=False)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        empty_label="Any organisation",
        to_field_name="slug",
        error_messages={"invalid_choice": "Choose an organisation from the list."},
    )

    def filters(self) -> dict[str, Any]:
        """The filters that passed, so one bad filter narrows nothing rather than everything."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            "q": cleaned.get("q", ""),
            "profession": cleaned.get("profession", ""),
            "organisation": cleaned.get("organisation"),
        }
