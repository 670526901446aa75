"""The bulletin as readers see it: home, archive, issues, articles, topics and search."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import DomainNameValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from practica.bulletin import querysets
from practica.bulletin.forms import SearchForm
from practica.bulletin.models import Bulletin, Topic
from practica.bulletin.permissions import can_edit
from practica.site import absolute_url, is_on_site


def _bulletin_context(request: HttpRequest, bulletin: Bulletin) -> dict:
    return {"bulletin": bulletin, "can_edit": can_edit(request.user, bulletin)}


def home(request: HttpRequest) -> HttpResponse:
    """/bulletin/: the instance bulletin's latest issue, or the list of bulletins."""
    bulletin = querysets.instance_bulletin()
    if bulletin is None:
        return archive_all(request)
    return _bulletin_page(request, bulletin)


def bulletin(request: HttpRequest, bulletin_slug: str) -> HttpResponse:
    return _bulletin_page(request, querysets.bulletin_for(request.user, bulletin_slug))


def _bulletin_page(request: HttpRequest, bulletin: Bulletin) -> HttpResponse:
    latest = querysets.latest_issue(bulletin)
    articles = querysets.articles_of(latest) if latest else []
    return render(
        request,
        "bulletin/bulletin_home.html",
        {
            **_bulletin_context(request, bulletin),
            "latest": latest,
            "articles": articles,
            "years": querysets.archive(bulletin),
            "topics": querysets.popular_topics(bulletin, limit=15),
        },
    )


def archive_all(request: HttpRequest) -> HttpResponse:
    """Every bulletin the visitor may read, each with its years of issues."""
    bulletins = list(querysets.readable_bulletins(request.user))
    for item in bulletins:
        item.years = querysets.archive(item)
    return render(request, "bulletin/archive.html", {"bulletins": bulletins})


def year(request: HttpRequest, bulletin_slug: str, year: int) -> HttpResponse:
    bulletin = querysets.bulletin_for(request.user, bulletin_slug)
    years = querysets.archive(bulletin, year=year)
    if not years:
        raise Http404("No issues that year.")
    return render(
        request,
        "bulletin/year.html",
        {**_bulletin_context(request, bulletin), "year": years[0]},
    )


def issue(request: HttpRequest, bulletin_slug: str, year: int, month: int) -> HttpResponse:
    bulletin = querysets.bulletin_for(request.user, bulletin_slug)
    editor = can_edit(request.user, bulletin)
    the_issue = querysets.issue_for(bulletin, year, month, editor=editor)
    before, after = querysets.neighbours(the_issue)
    return render(
        request,
        "bulletin/issue.html",
        {
            "bulletin": bulletin,
            "can_edit": editor,
            "issue": the_issue,
            "articles": querysets.articles_of(the_issue),
            "previous_issue": before,
            "next_issue": after,
            **share_context(the_issue.get_absolute_url(), f"{bulletin.name}: {the_issue.citation}"),
        },
    )


def article(
    request: HttpRequest, bulletin_slug: str, year: int, month: int, article_slug: str
) -> HttpResponse:
    bulletin = querysets.bulletin_for(request.user, bulletin_slug)
    editor = can_edit(request.user, bulletin)
    the_issue = querysets.issue_for(bulletin, year, month, editor=editor)
    the_article = querysets.article_for(the_issue, article_slug)
    in_issue = querysets.articles_of(the_issue)
    index = next(i for i, a in enumerate(in_issue) if a.pk == the_article.pk)
    topics = list(the_article.topics.all())
    counts = querysets.topic_counts(topics, request.user)
    for topic in topics:
        topic.article_count = counts.get(topic.pk, 0)
    return render(
        request,
        "bulletin/article.html",
        {
            "bulletin": bulletin,
            "can_edit": editor,
            "issue": the_issue,
            "article": the_article,
            "topics": topics,
            "in_issue": in_issue,
            "previous_article": in_issue[index - 1] if index > 0 else None,
            "next_article": in_issue[index + 1] if index + 1 < len(in_issue) else None,
            **share_context(the_article.get_absolute_url(), the_article.title),
        },
    )


def share_context(path: str, title: str) -> dict:
    """Plain share links: no third-party script or image is ever loaded."""
    url = absolute_url(path)
    q_url, q_title = quote(url, safe=""), quote(title, safe="")
    return {
        "share_url": url,
        "share_title": title,
        "share_links": [
            ("Email", f"mailto:?subject={q_title}&body={q_title}%0A%0A{q_url}"),
            ("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={q_url}"),
            ("X", f"https://x.com/intent/post?text={q_title}&url={q_url}"),
            ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={q_url}"),
            (
                "Mastodon",
                reverse("bulletin:share-mastodon") + "?" + urlencode({"url": url, "text": title}),
            ),
        ],
    }


def share_mastodon(request: HttpRequest) -> HttpResponse:
    """Mastodon has no single site: ask for the reader's server, then send them there."""
    url = request.GET.get("url", "")
    text = request.GET.get("text", "")[:300]
    if not is_on_site(url):
        raise Http404("Only pages of this site can be shared from here.")
    server = request.GET.get("server", "").strip().lower()
    server = server.removeprefix("https://").removeprefix("http://").strip("/")
    error = ""
    if server:
        try:
            # A bare host name only: a path, query, fragment, port or user@ would let this
            # page send readers anywhere under our name.
            DomainNameValidator()(server)
        except ValidationError:
            error = (
                f"“{server[:60]}” doesn’t look like a Mastodon server name, e.g. mastodon.social."
            )
        else:
            return redirect(f"https://{server}/share?" + urlencode({"text": f"{text} {url}"}))
    response = render(
        request,
        "bulletin/share_mastodon.html",
        {"url": url, "text": text, "server": server, "error": error},
    )
    # The form's answer is a redirect to the reader's own server, which the policy's
    # form-action must allow (any https host: the server is theirs to choose).
    response.csp_form_action = "'self' https:"
    return response


def topics(request: HttpRequest) -> HttpResponse:
    """Every topic search, with how many readable articles each finds."""
    return render(request, "bulletin/topics.html", {"topics": querysets.topic_index(request.user)})


def topic(request: HttpRequest, topic_slug: str) -> HttpResponse:
    """A saved topic search: every published article with this topic, newest first."""
    the_topic = get_object_or_404(
        Topic.objects.select_related("community_topic__community"), slug=topic_slug
    )
    articles = querysets.topic_articles(the_topic, request.user)
    page = Paginator(articles, settings.PRACTICA_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "bulletin/topic.html",
        {"topic": the_topic, "page_obj": page, "articles": page.object_list},
    )


def search(request: HttpRequest) -> HttpResponse:
    """Search the bulletin; the advanced form adds author, topic, dates, volume and issue."""
    form = SearchForm(request.GET or None)
    page = None
    filters = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = querysets.SearchFilters(
            words=data["q"], author=data["author"], topic=data["topic"],
            date_from=data["date_from"], date_to=data["date_to"], volume=data["volume"],
            number=data["number"],
        )  # fmt: skip
        if filters.any:
            results = querysets.search(request.user, filters)
            page = Paginator(results, settings.PRACTICA_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    advanced = any(
        request.GET.get(k) for k in ("author", "topic", "date_from", "date_to", "volume", "number")
    )
    return render(
        request,
        "bulletin/search.html",
        {
            "form": form,
            "page_obj": page,
            "articles": page.object_list if page else [],
            "searched": bool(filters and filters.any),
            "query": query.urlencode(),
            "advanced": advanced or request.GET.get("advanced") == "1",
        },
    )
