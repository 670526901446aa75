"""Every form field of the project cleans control characters out of what was typed."""

import pytest
from allauth.account.forms import LoginForm
from django import forms

from practica.forms import clean_multi_line, clean_single_line


class ExampleForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea)
    email = forms.EmailField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput, strip=False, required=False)


def cleaned(**data):
    form = ExampleForm({"body": "text", **data})
    assert form.is_valid(), form.errors
    return form.cleaned_data


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Journal club\r\nX-Injected: yes", "Journal club X-Injected: yes"),
        ("Handover\x0cnotes", "Handover notes"),
        ("Tab\tseparated", "Tab separated"),
        ("Null\x00byte and bell\x07", "Nullbyte and bell"),
        ("Line\u2028separator", "Line separator"),
        ("C1\x85next\x9bline", "C1 nextline"),
        ("  Plain title  ", "Plain title"),
        ("Crème brûlée – ünïcode ✓", "Crème brûlée – ünïcode ✓"),
    ],
)
def test_a_single_line_field_is_cleaned_of_control_characters(typed, kept):
    assert cleaned(title=typed)["title"] == kept


def test_a_multi_line_field_keeps_its_lines_and_drops_other_controls():
    body = cleaned(title="t", body="First\r\n\tindented\x0csecond\x00\x1b[31m")["body"]
    assert body == "First\r\n\tindented\nsecond[31m"


def test_a_password_is_left_as_typed():
    assert cleaned(title="t", secret=" pass\tword ")["secret"] == " pass\tword "


def test_an_email_field_is_cleaned_too():
    assert cleaned(title="t", email="a@example.org\r\n")["email"] == "a@example.org"


def test_third_party_forms_are_cleaned_too():
    field = LoginForm().fields["login"]
    assert field.clean("someone@example.org\x07\r\n") == "someone@example.org"


def test_the_helpers_agree_with_the_fields():
    assert clean_single_line("a\r\n\r\nb") == "a b"
    assert clean_multi_line("a\r\n\x0b b") == "a\r\n\n b"
