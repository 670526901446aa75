"""Text that arrives through any form of the project, cleaned of control characters once.

A title with a CR/LF or a form feed looks like nothing in a browser but breaks what is
built from it later: calendar lines (`X-WR-CALNAME`), XML feeds (XML 1.0 forbids most
control characters), email headers, PDFs. So every `forms.CharField` (and its subclasses:
email, URL, slug fields, model-form text fields, allauth's forms) cleans its input before
Django's own `to_python`:

- a single-line field turns line breaks and tabs into one space and drops every other
  control character;
- a multi-line field (a `Textarea`) keeps line breaks and tabs (a form feed becomes a
  line break) and drops the rest;
- a password is left exactly as typed.

`install()` runs once from `PracticaConfig.ready()`; docs/decisions/form-text-cleaning.md
says why this is done on the field class rather than form by form.
"""

from __future__ import annotations

import re

from django import forms

# What str.splitlines() treats as a line break, plus the tab.
_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_PAGE_BREAKS = re.compile(r"[\x0b\x0c\x85\u2028\u2029]")
# Every C0 and C1 control character (Unicode category Cc) but tab, LF and CR.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_single_line(value: str) -> str:
    """`value` on one line: line breaks and tabs become a space, other controls go."""
    return _CONTROLS.sub("", _BREAKS.sub(" ", value))


def has_control_characters(value: str) -> bool:
    """Whether `value` holds anything clean_single_line would change."""
    return bool(_CONTROLS.search(value) or _BREAKS.search(value))


def clean_multi_line(value: str) -> str:
    """`value` with its tabs and line breaks (CR/LF) kept and every other control gone."""
    return _CONTROLS.sub("", _PAGE_BREAKS.sub("\n", value))


def install() -> None:
    """Make every CharField clean its text before Django converts it (idempotent)."""
    original = forms.CharField.to_python
    if getattr(original, "cleans_control_characters", False):
        return

    def to_python(self, value):
        if isinstance(value, str) and not isinstance(self.widget, forms.PasswordInput):
            multi = isinstance(self.widget, forms.Textarea)
            value = clean_multi_line(value) if multi else clean_single_line(value)
        return original(self, value)

    to_python.cleans_control_characters = True
    forms.CharField.to_python = to_python


def form_status(*forms_shown) -> int:
    """The status of a page that shows `forms_shown` again: 400 when any was refused.

    The project's one rule for invalid POSTs (docs/decisions/invalid-form-status.md): the
    page comes back with the errors beside the fields and what was typed, answering 400
    so that scripts, tests and assistive tools can tell a refusal from a success.
    """
    refused = any(f is not None and f.is_bound and f.errors for f in forms_shown)
    return 400 if refused else 200
