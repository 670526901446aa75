"""The policy brief as a PDF, with WeasyPrint.

The template carries its own print stylesheet and the document loads nothing: WeasyPrint
gets no base URL and a fetcher that refuses every URL, so text written by members can't
make the server fetch anything while it renders.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string


def refuse_fetching(url: str, *args, **kwargs):
    raise ValueError(f"PDF rendering does not fetch {url!r}.")


def render_pdf(template: str, context: dict, *, filename: str) -> HttpResponse:
    from weasyprint import HTML

    html = render_to_string(template, context)
    response = HttpResponse(
        HTML(string=html, url_fetcher=refuse_fetching).write_pdf(), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
