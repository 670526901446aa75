from __future__ import annotations

from django import forms

from practica.people.models import Organisation, Profession, User, available_timezones

MAX_EXPERTISE = 15


def parse_expertise(raw: str) -> list[str]:
    seen: dict[str, str] = {}
    for part in raw.replace(";", ",").split(","):
        name = " ".join(part.split())
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


class TimezoneField(forms.CharField):
    """A time zone name from the IANA database, offered as suggestions, checked strictly."""

    default_error_messages = {
        "unknown": "“%(value)s” is not a time zone we know. Start typing a city, such as "
        "Europe/London, America/Toronto or Australia/Sydney, and pick from the list."
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", "Every date and time on Practica is shown in this zone.")
        super().__init__(**kwargs)
        self.widget.attrs.update({"list": "timezone-list", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value).strip()
        if value not in available_timezones():
            raise forms.ValidationError(self.error_messages["unknown"], params={"value": value})
        return value


class ProfileForm(forms.ModelForm):
    timezone = TimezoneField(label="Time zone")
    profession = forms.ChoiceField(
        choices=Profession.choices,
        error_messages={"invalid_choice": "Choose a profession from the list."},
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), required=False, empty_label="None / not listed"
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
        ]
        labels = {
            "display_name": "Display name",
            "show_in_directory": "Show me in the member directory",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        if self.instance.pk and not self.is_bound:
            self.initial["bio"] = self.instance.bio
            self.initial["expertise_text"] = ", ".join(
                a.name for a in self.instance.expertise.all()
            )

    def clean_expertise_text(self):
        names = parse_expertise(self.cleaned_data["expertise_text"])
        if len(names) > MAX_EXPERTISE:
            raise forms.ValidationError(
                f"List at most {MAX_EXPERTISE} areas; you listed {len(names)}."
            )
        too_long = [n for n in names if len(n) > 80]
        if too_long:
            raise forms.ValidationError(
                f"“{too_long[0][:40]}…” is too long: keep each area under 80 characters."
            )
        return names


class SignupExtraForm(forms.Form):
    """Asked at sign-up beside email and password: who you are and where."""

    display_name = forms.CharField(label="Your name", max_length=120)
    profession = forms.ChoiceField(
        choices=Profession.choices,
        error_messages={"invalid_choice": "Choose a profession from the list."},
    )
    timezone = TimezoneField(label="Time zone", initial="UTC")

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.profession = self.cleaned_data["profession"]
        user.timezone = self.cleaned_data["timezone"]
        user.save(update_fields=["display_name", "profession", "timezone"])


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    profession = forms.ChoiceField(
        choices=[("", "Any profession"), *Profession.choices], required=False
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        empty_label="Any organisation",
        to_field_name="slug",
    )
