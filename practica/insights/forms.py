"""The period picker of the health dashboard, and the value-creation story form."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from datetime import UTC, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from practica.insights.models import Cycle
from practica.insights.services import StoryLinks
from practica.privacy.forms import GuardedFormMixin
from practica.reliability.idempotency import SubmissionKeyForm
from practica.widgets import DateInput

PERIODS = [
    ("30", "Last 30 days"),
    ("90", "Last 90 days"),
    ("365", "Last 365 days"),
    ("custom", "Custom"),
]
DEFAULT_PERIOD = "90"
LONGEST_DAYS = 5 * 365 + 1  # five years, a leap day included


def utc_today() -> datetime.date:
    return timezone.now().astimezone(UTC).date()


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period:
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    @property
    def label(self) -> str:
        return f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}"

    @classmethod
    def last(cls, days: int, today: datetime.date | None = None) -> Period:
        today = today or utc_today()
        return cls(today - timedelta(days=days - 1), today)


class PeriodForm(forms.Form):
    """30, 90 or 365 days up to today, or a custom range of at most five years."""

    period = forms.ChoiceField(
        choices=PERIODS, required=False, initial=DEFAULT_PERIOD, widget=forms.RadioSelect
    )
    start = forms.DateField(required=False, widget=DateInput, label="From")
    end = forms.DateField(required=False, widget=DateInput, label="To")

    def clean(self):
        data = super().clean()
        choice = data.get("period") or DEFAULT_PERIOD
        data["period"] = choice
        if choice != "custom":
            return data
        start, end, today = data.get("start"), data.get("end"), utc_today()
        if "start" not in self.errors and start is None:
            self.add_error("start", "Choose the first day of the period.")
        if "end" not in self.errors and end is None:
            self.add_error("end", "Choose the last day of the period.")
        if start is None or end is None:
            return data
        if end < start:
            self.add_error("end", "The end comes before the start: choose a later day.")
        elif end > today:
            self.add_error("end", f"The end is in the future: choose {today:%-d %B %Y} or earlier.")
        elif (end - start).days + 1 > LONGEST_DAYS:
            self.add_error("end", "A period can be at most five years long: choose a later start.")
        return data

    def period_or_default(self) -> Period:
        """The chosen period; the default one when the form has errors (shown beside it)."""
        if self.is_valid():
            choice = self.cleaned_data["period"]
            if choice == "custom":
                return Period(self.cleaned_data["start"], self.cleaned_data["end"])
            return Period.last(int(choice))
        return Period.last(int(DEFAULT_PERIOD))

    def query(self) -> str:
        """The query string that reproduces this period (for CSV and PDF links)."""
        if self.is_valid() and self.cleaned_data["period"] == "custom":
            data = self.cleaned_data
            return f"period=custom&start={data['start']:%Y-%m-%d}&end={data['end']:%Y-%m-%d}"
        if self.is_valid():
            return f"period={self.cleaned_data['period']}"
        return f"period={DEFAULT_PERIOD}"


# --- value-creation stories ----------------------------------------------------------------------

LINK_PATTERNS = [
    ("threads", re.compile(r"/c/(?P<slug>[\w-]+)/conversations/(?P<key>\d+)/?")),
    ("articles", re.compile(r"/c/(?P<slug>[\w-]+)/library/articles/(?P<key>[\w-]+)/?")),
    ("events", re.compile(r"/c/(?P<slug>[\w-]+)/events/(?P<key>\d+)/?")),
    ("decisions", re.compile(r"/c/(?P<slug>[\w-]+)/evidence/proposals/(?P<key>\d+)/?")),
]


def match_link(line: str):
    """(kind, match) for the first pattern an address fits, else ("", None)."""
    for kind, pattern in LINK_PATTERNS:
        match = pattern.search(line)
        if match:
            return kind, match
    return "", None


def about_link(community, about: str) -> str:
    """The address a prompt's "thread:12" stands for, to prefill the links field."""
    kind, _, key = about.partition(":")
    prefix = f"/c/{community.slug}/"
    return (
        {
            "thread": f"{prefix}conversations/{key}/",
            "event": f"{prefix}events/{key}/",
            "decision": f"{prefix}evidence/proposals/{key}/",
        }.get(kind, "")
        if key.isdigit()
        else ""
    )


class StoryForm(GuardedFormMixin, SubmissionKeyForm):
    title = forms.CharField(
        max_length=150,
        help_text="One line, e.g. “How the handover thread changed our night shift”.",
    )
    took_part_in = forms.CharField(
        label="What did you take part in?", max_length=3000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A thread, an article, a journal club, a decision…",
    )  # fmt: skip
    what_it_gave = forms.CharField(
        label="What did it give you?", max_length=3000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="An idea, a contact, confidence, a tool, an answer.",
    )  # fmt: skip
    did_differently = forms.CharField(
        label="What did you do differently?", required=False, max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    difference = forms.CharField(
        label="What difference did it make?", required=False, max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}), help_text="For patients, colleagues, the service, or you.",
    )  # fmt: skip
    cycles = forms.MultipleChoiceField(
        label="Which kinds of value does it reach?", choices=Cycle.choices, widget=forms.CheckboxSelectMultiple,
        help_text="Immediate: the activity itself. Potential: knowledge for later. Applied: a change in practice. "
        "Realised: a difference in results. Reframing: a new idea of what success is.",
    )  # fmt: skip
    links = forms.CharField(
        label="Where it came from", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Addresses of the threads, articles, events or decisions, one a line.",
    )  # fmt: skip
    consent_to_publish = forms.BooleanField(
        required=False,
        label="I agree that this story may be shown outside the community, in the sponsor's report",
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community

    def _find(self, kind: str, key: str):
        from practica.conversations.models import Thread
        from practica.events.models import Event
        from practica.evidence.models import Decision
        from practica.library.models import Article

        if kind == "threads":
            return Thread.objects.filter(
                community=self.community,
                pk=key,
                status="published",
                deleted_at__isnull=True,
                hidden_at__isnull=True,
            ).first()
        if kind == "articles":
            return Article.objects.filter(community=self.community, slug=key).first()
        if kind == "events":
            return Event.objects.filter(community=self.community, pk=key).first()
        return Decision.objects.filter(community=self.community, proposal_id=key).first()

    def clean_links(self):
        found = {"threads": [], "articles": [], "events": [], "decisions": []}
        for number, line in enumerate(self.cleaned_data["links"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            kind, match = match_link(line)
            if match is None:
                raise ValidationError(
                    f"Line {number} is not the address of a thread, article, event or decision here."
                )
            if match["slug"] != self.community.slug:
                raise ValidationError(
                    f"Line {number} links to another community: link only to {self.community.name}."
                )
            obj = self._find(kind, match["key"])
            if obj is None:
                raise ValidationError(
                    f"Line {number}: there is no such {kind[:-1]} in {self.community.name} (or no decision yet)."
                )
            if obj not in found[kind]:
                found[kind].append(obj)
        return StoryLinks(**found)


def start_of_day(day: datetime.date, *, next_day: bool = False) -> datetime.datetime:
    """The UTC start of `day` (or of the day after), for filtering timestamps by period."""
    if next_day:
        day = day + timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=UTC)


def last_quarter(today: datetime.date | None = None) -> Period:
    """The last full calendar quarter before today: a sponsor's usual reporting period."""
    today = today or utc_today()
    first_month = 3 * ((today.month - 1) // 3) + 1
    this_quarter = datetime.date(today.year, first_month, 1)
    end = this_quarter - timedelta(days=1)
    start = datetime.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return Period(start, end)


def quarter_form() -> PeriodForm:
    """A bound period form for the last full quarter."""
    quarter = last_quarter()
    form = PeriodForm({"period": "custom", "start": quarter.start, "end": quarter.end})
    form.is_valid()
    return form
