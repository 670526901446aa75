"""What the library's views share: fetching an article the requester may see."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from practica.communities.views.browse import community_for
from practica.library.models import Article
from practica.library.querysets import article_for_page
from practica.library.services.articles import may_read
from practica.privacy.forms import apply_service_error


def article_or_404(request, community_slug: str, article_slug: str, *, full: bool = False):
    """The community and the article, if the requester may see it.

    A draft someone may not see answers 404, like a missing article: its title is
    nobody else's business until it is published.
    """
    community = community_for(request, community_slug)
    if full:
        article = article_for_page(community, article_slug)
    else:
        article = (
            Article.objects.filter(community=community, slug=article_slug)
            .select_related("current_revision")
            .first()
        )
    if article is None:
        raise Http404("No such article.")
    article.community = community
    if not may_read(request.user, article):
        raise Http404("No such article.")
    return community, article


def add_validation_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: beside a field when it names one (and
    the patient-data guard's warning panel when that is what it is)."""
    apply_service_error(form, error)
