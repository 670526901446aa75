"""Rendering learning pages to PDF with WeasyPrint.

The PDF templates carry their own print stylesheet and load nothing from the network:
WeasyPrint is given no base URL, so a module's Markdown can't make the server fetch
anything while it renders.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string


def url_fetcher_refusing_everything(url: str, *args, **kwargs):
    raise ValueError(f"PDF rendering does not fetch {url!r}.")


def render_pdf(template: str, context: dict, *, filename: str, request=None) -> HttpResponse:
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    document = HTML(string=html, url_fetcher=url_fetcher_refusing_everything)
    response = HttpResponse(document.write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
