"""Template helpers shared by every form."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def fields_with_errors(form) -> list:
    """The form's bound fields that have errors, in the form's order (for the error summary)."""
    return [field for field in form if field.errors]
