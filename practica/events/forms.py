"""Forms for planning events, answering RSVPs and taking attendance."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from practica.communities.models import Topic
from practica.events.models import MAX_SERIES_DAYS, EventType, Repeat
from practica.events.timezones import EARLIER, LATER, local_parts, place, to_utc
from practica.people.models import available_timezones
from practica.privacy.forms import GuardedFormMixin
from practica.reliability.idempotency import SubmissionKeyForm
from practica.widgets import DateInput, TimeInput


def zone_choices() -> list[str]:
    return sorted(available_timezones())


class EventForm(GuardedFormMixin, SubmissionKeyForm):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(label="Type", choices=EventType.choices)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20000,
        help_text="Markdown. What it is about, what to read or prepare.",
    )
    case_summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
        help_text="Case discussions only. Describe the case without anything that could "
        "identify the patient: no names, dates of birth, record numbers or addresses.",
    )
    timezone = forms.CharField(
        label="Time zone",
        max_length=64,
        help_text="The zone the times below are in, e.g. Europe/London or Australia/Sydney. "
        "Everyone else sees them converted to their own zone.",
        widget=forms.TextInput(attrs={"list": "zone-names", "autocomplete": "off"}),
    )
    start_date = forms.DateField(widget=DateInput())
    start_time = forms.TimeField(widget=TimeInput())
    end_date = forms.DateField(
        required=False,
        widget=DateInput(),
        help_text="Leave empty if it ends the same day.",
    )
    end_time = forms.TimeField(widget=TimeInput())
    clock_change = forms.ChoiceField(
        label="The clocks go back that night: which time do you mean?",
        required=False,
        choices=[
            ("", "—"),
            (EARLIER, "The first one (before the clocks go back)"),
            (LATER, "The second one (after the clocks go back)"),
        ],
    )
    join_url = forms.URLField(
        label="Online join link", required=False, max_length=500, assume_scheme="https"
    )
    location = forms.CharField(
        required=False, max_length=300, help_text="A room, a ward, an address."
    )
    capacity = forms.IntegerField(
        required=False, min_value=1, help_text="Leave empty for no limit."
    )
    organisers = forms.MultipleChoiceField(
        required=False,
        help_text="Members who can change the event and take attendance, besides you.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    confirm_past = forms.BooleanField(
        label="Yes, it is in the past: record it anyway",
        required=False,
        help_text="For a meeting that already happened, e.g. to take its attendance.",
    )
    repeat = forms.ChoiceField(choices=Repeat.choices, required=False)
    repeat_until = forms.DateField(
        label="Repeat until",
        required=False,
        widget=DateInput(),
    )
    exception_dates = forms.CharField(
        label="Except on",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Dates the series skips, one a line (YYYY-MM-DD), e.g. a public holiday.",
    )

    def __init__(self, *args, members=(), creating: bool = False, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.fields["organisers"].choices = [(str(u.pk), u.name) for u in members]
        self.fields["topics"] = forms.ModelMultipleChoiceField(
            queryset=Topic.objects.filter(community=community).order_by("name"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="The community's topics it is about; its topic pages list it.",
        )

    @property
    def needs_past_confirmation(self) -> bool:
        """Show the "it is in the past" box: only once a past start was refused (or ticked)."""
        return bool(self.data.get("confirm_past")) or any(
            getattr(e, "code", "") == "in_the_past"
            for e in self.errors.as_data().get("start_date", [])
        )

    @property
    def needs_clock_choice(self) -> bool:
        return bool(self.data.get("clock_change")) or any(
            getattr(e, "code", "") == "ambiguous_time"
            for e in self.errors.as_data().get("start_time", [])
            + self.errors.as_data().get("end_time", [])
        )

    def clean_exception_dates(self) -> list[date]:
        days = []
        for line in self.cleaned_data["exception_dates"].split():
            try:
                days.append(date.fromisoformat(line.strip().strip(",")))
            except ValueError as error:
                raise ValidationError(
                    "“%(line)s” isn't a date: write each as YYYY-MM-DD, one a line.",
                    params={"line": line},
                ) from error
        return sorted(set(days))

    def clean_timezone(self) -> str:
        name = self.cleaned_data["timezone"].strip()
        if name not in available_timezones():
            raise ValidationError(
                "“%(name)s” is not a time zone we know. Use a name such as Europe/London, "
                "America/Toronto or Australia/Sydney.",
                params={"name": name},
            )
        return name

    def clean(self):
        data = super().clean()
        zone_name = data.get("timezone")
        fold = data.get("clock_change", "")
        starts_at = ends_at = None
        if zone_name and data.get("start_date") and data.get("start_time"):
            try:
                starts_at = to_utc(
                    data["start_date"], data["start_time"], zone_name, fold_choice=fold
                )
            except ValidationError as error:
                self.add_error("start_time", error)
        end_day = data.get("end_date") or data.get("start_date")
        if zone_name and end_day and data.get("end_time"):
            try:
                ends_at = to_utc(
                    end_day, data["end_time"], zone_name, fold_choice=fold, what="The end"
                )
            except ValidationError as error:
                self.add_error("end_time", error)
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error(
                "end_time",
                "The end must be after the start. If it runs past midnight, give the end date.",
            )
        if data.get("repeat"):
            until = data.get("repeat_until")
            if not until:
                self.add_error("repeat_until", "Say when the series ends.")
            elif data.get("start_date") and until < data["start_date"]:
                self.add_error("repeat_until", "The series can't end before it starts.")
            elif data.get("start_date") and (until - data["start_date"]).days > MAX_SERIES_DAYS:
                self.add_error("repeat_until", "A series can run for at most two years.")
        if (
            self.creating
            and starts_at
            and starts_at < timezone.now()
            and not data.get("confirm_past")
        ):
            local = starts_at.astimezone(ZoneInfo(zone_name))
            self.add_error(
                "start_date",
                ValidationError(
                    "This starts in the past (%(when)s). Check the date, or tick "
                    "“Yes, it is in the past” below to record a meeting that already happened.",
                    params={"when": local.strftime("%-d %B %Y at %H:%M")},
                    code="in_the_past",
                ),
            )
        if not data.get("join_url") and not data.get("location"):
            self.add_error(
                "location", "Give an online join link, a location, or both, so people can come."
            )
        data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "topics": list(data.get("topics") or []),
            "title": data["title"],
            "kind": data["kind"],
            "description": data["description"],
            "case_summary": data["case_summary"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "timezone_name": data["timezone"],
            "join_url": data["join_url"],
            "location": data["location"],
            "capacity": data["capacity"],
            "repeat": data["repeat"] or "",
            "repeat_until": data["repeat_until"] if data["repeat"] else None,
            "exception_dates": data["exception_dates"] if data["repeat"] else [],
            "confirm_guard": self.guard_confirmed,
        }

    @staticmethod
    def initial_for(event) -> dict:
        start_day, start_time, fold = local_parts(event.starts_at, event.timezone)
        end_day, end_time, _ = local_parts(event.ends_at, event.timezone)
        return {
            "topics": [t.pk for t in event.topics.all()],
            "title": event.title,
            "kind": event.kind,
            "description": event.description,
            "case_summary": event.case_summary,
            "timezone": event.timezone,
            "start_date": start_day,
            "start_time": start_time,
            "end_date": end_day if end_day != start_day else None,
            "end_time": end_time,
            "clock_change": fold,
            "join_url": event.join_url,
            "location": event.location,
            "capacity": event.capacity,
            "organisers": [str(u.pk) for u in event.organisers.all()],
            "repeat": event.repeat,
            "repeat_until": event.repeat_until,
            "exception_dates": "\n".join(event.exception_dates),
        }


def zone_label(name: str) -> str:
    return f"{name} ({place(name)})"


class EventNotesForm(GuardedFormMixin, forms.Form):
    notes = forms.CharField(
        label="Notes and outcomes (Markdown)",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
