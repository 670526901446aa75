"""Every date, time and datetime input renders a value the browser's picker can show."""

import datetime
import importlib
import pkgutil
import re

import pytest
from django import forms

import practica
from practica.widgets import DateInput, DateTimeInput, TimeInput

SAMPLES = [
    (forms.DateTimeField, datetime.datetime(2026, 11, 13, 14, 30), r"2026-11-13T14:30"),
    (forms.DateField, datetime.date(2026, 11, 13), r"2026-11-13"),
    (forms.TimeField, datetime.time(14, 30), r"14:30"),
]


def practica_forms() -> list[type[forms.BaseForm]]:
    """Every form class Practica defines, found by importing each app's forms and views."""
    for module in pkgutil.walk_packages(practica.__path__, "practica."):
        parts = module.name.split(".")
        if "tests" not in parts and ({"forms", "views"} & set(parts)):
            importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("practica."):
                found.append(sub)
    return found


def test_the_shared_widgets_render_iso_values_in_the_en_gb_locale(settings):
    settings.LANGUAGE_CODE = "en-gb"
    assert 'value="2026-11-13"' in DateInput().render("d", datetime.date(2026, 11, 13))
    assert 'type="date"' in DateInput().render("d", None)
    assert 'value="14:30"' in TimeInput().render("t", datetime.time(14, 30))
    assert 'value="2026-11-13T14:30"' in DateTimeInput().render(
        "w", datetime.datetime(2026, 11, 13, 14, 30)
    )


def test_every_date_and_time_field_in_every_form_renders_an_iso_value():
    classes = practica_forms()
    assert len(classes) > 20, "the forms modules were not found"
    wrong = []
    checked = 0
    for form_class in classes:
        for name, field in form_class.base_fields.items():
            for field_type, value, pattern in SAMPLES:
                if isinstance(field, field_type):
                    checked += 1
                    html = field.widget.render(name, field.prepare_value(value))
                    if not re.search(rf'value="{pattern}"', html) or 'type="text"' in html:
                        wrong.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
                    break
    assert checked >= 10
    assert wrong == [], "use practica.widgets for these fields: " + ", ".join(wrong)


@pytest.mark.parametrize("widget", [DateInput(), TimeInput(), DateTimeInput()])
def test_the_browser_picker_type_is_kept_when_other_attributes_are_given(widget):
    widget = type(widget)(attrs={"class": "narrow"})
    assert widget.input_type in widget.render("x", None)


def test_no_radio_group_in_any_form_offers_a_blank_dash_choice():
    """The appraisal form pre-selected "---------" on each question; no form may."""
    wrong = []
    for form_class in practica_forms():
        for name, field in form_class.base_fields.items():
            if isinstance(field.widget, forms.RadioSelect):
                if getattr(field, "queryset", "") is None:
                    continue  # its choices are set per form instance
                field.widget.choices = field.choices
                html = field.widget.render(name, None)
                if 'value=""' in html or "---------" in html or "checked" in html:
                    wrong.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert not wrong, f"radios with a blank choice: {wrong}"


@pytest.mark.django_db
def test_the_appraisal_form_starts_with_nothing_chosen_and_still_requires_an_answer():
    from practica.evidence.forms import AppraisalForm

    html = str(AppraisalForm()["validity"])
    assert "---------" not in html and "checked" not in html
    form = AppraisalForm(data={"results": "2", "applicability": "2"})
    assert not form.is_valid() and "validity" in form.errors
