"""Rendering learning pages to PDF (WeasyPrint through `practica.pdf`).

The PDF templates carry their own print stylesheet; the shared fetcher embeds images
uploaded to a library the reader may read and fetches nothing else.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string

from practica.pdf import render_pdf_bytes


def render_pdf(template: str, context: dict, *, filename: str, request=None) -> HttpResponse:
    html = render_to_string(template, context, request=request)
    reader = request.user if request is not None else None
    response = HttpResponse(render_pdf_bytes(html, reader=reader), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
