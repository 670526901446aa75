"""Widgets every form shares: the browser's date and time pickers, fed ISO values.

`<input type="date">`, `type="time"` and `type="datetime-local"` accept only ISO values
(2026-11-13, 14:30, 2026-11-13T14:30). Django's own widgets render the locale's first
input format instead (13/11/2026 for en-gb), which the browser shows as blank and then
submits as empty, so an edit form silently loses its dates. Use these in every form;
`practica/tests/test_widgets.py` checks that every date, time and datetime field does.
"""

from __future__ import annotations

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 (Django's own argument name)
        super().__init__(attrs, format=format or ISO_DATE)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None, format=None):  # noqa: A002
        super().__init__(attrs, format=format or ISO_TIME)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):  # noqa: A002
        super().__init__(attrs, format=format or ISO_DATETIME)


class RadioSelect(forms.RadioSelect):
    """Radio buttons without the "---------" choice a select list would have.

    A model field without a default gives its form field a blank choice; as a radio it
    shows as a pre-selected "---------" button. With radios, none checked already means
    "not chosen yet", and a required field still says so when left unanswered.
    """

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        kept = []
        for group_name, options, index in groups:
            options = [o for o in options if o["value"] not in ("", None)]
            if options:
                kept.append((group_name, options, index))
        return kept
