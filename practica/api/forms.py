"""Forms of the API's settings pages: tokens and webhooks."""

from __future__ import annotations

from django import forms

from practica.api.models import TokenScope, WebhookEvent
from practica.api.tokens import EXPIRY_CHOICES_DAYS
from practica.communities.capabilities import visible
from practica.communities.models import Community
from practica.widgets import RadioSelect


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What uses it, e.g. “ward intranet” or “my reporting script”.",
    )
    scope = forms.ChoiceField(
        label="What it may do",
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=RadioSelect,
        help_text="A read-only token cannot post, reply or change anything.",
    )
    community = forms.ModelChoiceField(
        label="Community",
        queryset=Community.objects.none(),
        required=False,
        empty_label="Every community I belong to",
        help_text="Limit the token to one community.",
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(d, f"{d} days") for d in EXPIRY_CHOICES_DAYS],
        initial=90,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = visible(
            user, Community.objects.order_by("name"), community_field=""
        )


class ServiceTokenForm(forms.Form):
    service_name = forms.CharField(
        label="Service name",
        max_length=60,
        help_text="A service account of this name is made; add it to the communities it reads.",
    )
    scope = forms.ChoiceField(
        label="What it may do", choices=TokenScope.choices, initial=TokenScope.READ
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(0, "Never"), *[(d, f"{d} days") for d in EXPIRY_CHOICES_DAYS]],
        initial=365,
    )


class WebhookForm(forms.Form):
    url = forms.URLField(
        label="Payload URL",
        max_length=500,
        assume_scheme="https",
        help_text="An https:// address on the internet; private and loopback addresses are refused.",
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label="Events",
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event to send."},
    )
