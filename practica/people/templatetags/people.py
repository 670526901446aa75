"""Template helpers for people and account pages."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def demo_mail_dir() -> str:
    """Where the demo writes the emails it sends, so the pages can say where to read them."""
    return str(getattr(settings, "EMAIL_FILE_PATH", "var/mail"))
