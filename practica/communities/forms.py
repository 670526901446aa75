"""Forms for community pages. They parse and check what was typed; services decide."""

from __future__ import annotations

from django import forms
from django.db import models

from practica.communities.capabilities import (
    DEFAULT_MINIMUM_STAGE,
    Capability,
    floor_for,
    minimum_stage,
)
from practica.communities.models import Community, CommunityProposal, JoinPolicy, Visibility
from practica.communities.stages import DEFAULT_LABELS, MEMBER_STAGES, Stage
from practica.people.models import Organisation, Profession
from practica.privacy.forms import GuardedFormMixin
from practica.widgets import RadioSelect

CHARTER_HELP = (
    "Markdown. Say what the domain is, which issues the community cares about, and who it is "
    "for. Up to 20,000 characters."
)


class CommunityForm(forms.Form):
    """Name, tagline, charter, visibility and join policy: the settings page's first part."""

    name = forms.CharField(max_length=120)
    tagline = forms.CharField(
        max_length=200, required=False, help_text="One sentence shown under the name."
    )
    charter = forms.CharField(
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=CHARTER_HELP,
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        widget=RadioSelect,
        error_messages={"invalid_choice": "Choose who can read the community."},
    )
    join_policy = forms.ChoiceField(
        label="Who can join",
        choices=JoinPolicy.choices,
        widget=RadioSelect,
        error_messages={"invalid_choice": "Choose how people join."},
    )

    @classmethod
    def initial_for(cls, community: Community) -> dict:
        return {
            "name": community.name,
            "tagline": community.tagline,
            "charter": community.charter,
            "visibility": community.visibility,
            "join_policy": community.join_policy,
        }


class CommunityCreateForm(CommunityForm):
    slug = forms.SlugField(
        label="Web address",
        max_length=60,
        required=False,
        help_text="Letters, numbers and hyphens, used in links: /c/<this>/. "
        "Leave empty to make one from the name.",
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        empty_label="None",
        help_text="Needed for organisation-only communities.",
    )
    stewards = forms.CharField(
        label="First stewards",
        required=False,
        max_length=2000,
        help_text="Email addresses or usernames, separated by commas. Leave empty to be "
        "the first steward yourself. Each is told.",
    )
    field_order = ["name", "slug", "tagline", "charter", "organisation", "visibility"]

    def clean_stewards(self):
        from practica.people.models import User

        names = [n.strip() for n in self.cleaned_data["stewards"].split(",") if n.strip()]
        if len(names) > 10:
            raise forms.ValidationError("Name at most ten first stewards.")
        found, missing = [], []
        for name in names:
            user = (
                User.objects.filter(is_active=True)
                .filter(models.Q(email__iexact=name) | models.Q(username=name))
                .first()
            )
            (found.append(user) if user else missing.append(name))
        if missing:
            raise forms.ValidationError(
                "No active account has this email address or username: " + ", ".join(missing)
            )
        return found

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug and Community.objects.filter(slug=slug).exists():
            raise forms.ValidationError("Another community already uses this web address.")
        return slug


class StageLabelsForm(forms.Form):
    """One label per member stage; blank means the default label."""

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        for stage in MEMBER_STAGES:
            self.fields[f"stage_{int(stage)}"] = forms.CharField(
                label=f"{DEFAULT_LABELS[int(stage)]} stage",
                max_length=40,
                required=False,
                initial=community.stage_label(stage),
                help_text=f"Leave empty for “{DEFAULT_LABELS[int(stage)]}”.",
            )

    def labels(self) -> dict[int, str]:
        return {int(stage): self.cleaned_data[f"stage_{int(stage)}"] for stage in MEMBER_STAGES}


class TopicForm(forms.Form):
    name = forms.CharField(label="Topic", max_length=80)
    description = forms.CharField(
        max_length=300, required=False, help_text="Optional: one line on what it covers."
    )

    def __init__(self, *args, **kwargs):
        # It shares the settings page with the community's own form, which has a "name" too.
        kwargs.setdefault("auto_id", "new-topic-%s")
        super().__init__(*args, **kwargs)


def configurable_capabilities() -> list[Capability]:
    """Every capability but reading, which the community's visibility decides."""
    return [c for c in Capability if c != Capability.READ]


class CapabilityGridForm(forms.Form):
    """One choice per capability: the lowest member stage that may do it."""

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        for capability in configurable_capabilities():
            floor = floor_for(capability)
            self.fields[capability.value] = forms.TypedChoiceField(
                label=capability.label,
                coerce=int,
                choices=[(int(s), community.stage_label(s)) for s in MEMBER_STAGES],
                initial=int(minimum_stage(community, capability)),
                error_messages={"invalid_choice": "Choose one of the stages."},
            )
            self.fields[capability.value].floor = floor

    def clean(self):
        cleaned = super().clean()
        for capability in configurable_capabilities():
            stage = cleaned.get(capability.value)
            floor = floor_for(capability)
            if stage is not None and stage < floor:
                self.add_error(
                    capability.value,
                    f"“{capability.label}” can’t go below {self.community.stage_label(floor)}.",
                )
        return cleaned

    def rows(self) -> list[dict]:
        """The grid for the template: one row per capability, one cell per stage."""
        rows = []
        for capability in configurable_capabilities():
            field = self[capability.value]
            value = field.value()
            try:
                chosen = int(value)
            except (TypeError, ValueError):
                chosen = None
            floor = floor_for(capability)
            default = DEFAULT_MINIMUM_STAGE[capability]
            rows.append(
                {
                    "name": capability.value,
                    "label": capability.label,
                    "errors": field.errors,
                    "is_default": chosen == default,
                    "default_label": self.community.stage_label(default),
                    "cells": [
                        {
                            "stage": int(stage),
                            "label": self.community.stage_label(stage),
                            "checked": chosen == int(stage),
                            "disabled": int(stage) < floor,
                            "id": f"cap-{capability.value}-{int(stage)}",
                        }
                        for stage in MEMBER_STAGES
                    ],
                }
            )
        return rows

    def minimums(self) -> dict[str, int]:
        return {c.value: self.cleaned_data[c.value] for c in configurable_capabilities()}


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="They get an email with a link that works for 14 days.",
        error_messages={"invalid": "Enter an email address such as name@example.org."},
    )


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label="Message to the stewards",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional: who you are and why you would like to join.",
    )


class JoinRequestDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("decline", "Decline")],
        error_messages={"invalid_choice": "Choose approve or decline."},
    )
    note = forms.CharField(
        label="Note to the requester",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MemberFilterForm(forms.Form):
    """Directory filters; an unknown value is ignored rather than refused."""

    q = forms.CharField(label="Name", max_length=80, required=False)
    stage = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    profession = forms.ChoiceField(required=False)

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", "Any stage")] + [
            (int(s), community.stage_label(s)) for s in sorted(MEMBER_STAGES, reverse=True)
        ]
        self.fields["profession"].choices = [("", "Any profession"), *Profession.choices]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "stage": data.get("stage") if data.get("stage") in Stage.values else None,
            "profession": data.get("profession") or "",
        }


class CommunityProposalForm(GuardedFormMixin, forms.ModelForm):
    """What a steward or member proposes; staff see it in the proposal queue."""

    class Meta:
        model = CommunityProposal
        fields = ["name", "slug", "tagline", "charter", "visibility", "join_policy", "reason"]
        labels = {"slug": "Web address", "join_policy": "Who can join"}
        help_texts = {
            "slug": "Letters, numbers and hyphens: /c/<this>/. Leave empty to make one from the name.",
            "charter": CHARTER_HELP,
        }
        widgets = {
            "charter": forms.Textarea(attrs={"rows": 8}),
            "reason": forms.Textarea(attrs={"rows": 4}),
            "visibility": RadioSelect,
            "join_policy": RadioSelect,
        }

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug and Community.objects.filter(slug=slug).exists():
            raise forms.ValidationError("Another community already uses this web address.")
        return slug


class ProposalDecisionForm(forms.Form):
    note = forms.CharField(
        label="Note to the proposer",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when declining: say why and what they could do instead.",
    )
