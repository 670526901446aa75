"""PDFs of articles and issues, at the page's URL with .pdf added (WeasyPrint)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from practica.bulletin import querysets
from practica.bulletin.permissions import can_edit
from practica.pdf import render_pdf_bytes
from practica.site import site_url


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def article_pdf(
    request: HttpRequest, bulletin_slug: str, year: int, month: int, article_slug: str
) -> HttpResponse:
    bulletin = querysets.bulletin_for(request.user, bulletin_slug)
    issue = querysets.issue_for(bulletin, year, month, editor=can_edit(request.user, bulletin))
    article = querysets.article_for(issue, article_slug)
    html = render_to_string(
        "bulletin/pdf/article.html",
        {
            "bulletin": bulletin,
            "issue": issue,
            "articles": [article],
            "site_url": site_url(),
            "generated": timezone.now(),
        },
    )
    return _pdf_response(render_pdf_bytes(html, reader=request.user), f"{article.slug}.pdf")


def issue_pdf(request: HttpRequest, bulletin_slug: str, year: int, month: int) -> HttpResponse:
    bulletin = querysets.bulletin_for(request.user, bulletin_slug)
    issue = querysets.issue_for(bulletin, year, month, editor=can_edit(request.user, bulletin))
    articles = querysets.articles_of(issue, with_body=True)
    html = render_to_string(
        "bulletin/pdf/issue.html",
        {
            "bulletin": bulletin,
            "issue": issue,
            "articles": articles,
            "site_url": site_url(),
            "generated": timezone.now(),
        },
    )
    return _pdf_response(
        render_pdf_bytes(html, reader=request.user), f"{bulletin.slug}-{year}-{month:02d}.pdf"
    )
