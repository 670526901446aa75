"""Feeds validate with a real feed parser; PDFs are real PDFs."""

import feedparser
import pytest

from practica.bulletin.tests.factories import ArticleFactory, IssueFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(bulletin):
    topic = TopicFactory(name="Communities of practice")
    issue = IssueFactory(bulletin=bulletin, volume=11, number=5, year=2007, month=6, published=True)
    ArticleFactory(
        issue=issue, title="FOCUS on communities of practice", slug="focus", topics=[topic]
    )
    ArticleFactory(issue=issue, title="Practice nurses & chronic disease <care>", slug="nurses")
    IssueFactory(
        bulletin=bulletin, volume=11, number=6, year=2007, month=7
    )  # a draft: not in feeds
    ArticleFactory(
        issue__bulletin=bulletin,
        issue__number=7,
        issue__year=2007,
        issue__month=8,
        title="Draft article",
    )
    return issue


@pytest.mark.parametrize(
    ("url", "version", "titles"),
    [
        (
            "/bulletin/rss.xml",
            "rss20",
            {"FOCUS on communities of practice", "Practice nurses & chronic disease <care>"},
        ),
        (
            "/bulletin/atom.xml",
            "atom10",
            {"FOCUS on communities of practice", "Practice nurses & chronic disease <care>"},
        ),
        (
            "/bulletin/riverside/rss.xml",
            "rss20",
            {"FOCUS on communities of practice", "Practice nurses & chronic disease <care>"},
        ),
        (
            "/bulletin/topics/communities-of-practice/rss.xml",
            "rss20",
            {"FOCUS on communities of practice"},
        ),
        (
            "/bulletin/topics/communities-of-practice/atom.xml",
            "atom10",
            {"FOCUS on communities of practice"},
        ),
    ],
)
def test_feeds_parse_without_errors(client, published, url, version, titles):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == version
    assert {entry.title for entry in feed.entries} == titles
    entry = feed.entries[0]
    assert entry.link.startswith("http") and entry.get("published") or entry.get("updated")
    assert entry.get("author") == "Eleanor Jackson"


def test_pages_advertise_their_feeds(client, published):
    html = client.get("/bulletin/").content.decode()
    assert 'type="application/rss+xml"' in html and 'type="application/atom+xml"' in html


def test_article_and_issue_pdfs_are_served_at_the_page_url_plus_pdf(client, published):
    for url in ["/bulletin/riverside/2007/06/focus.pdf", "/bulletin/riverside/2007/06.pdf"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


def test_a_draft_issue_has_no_public_pdf(client, bulletin, published):
    assert client.get("/bulletin/riverside/2007/08.pdf").status_code == 404


def test_a_form_feed_typed_into_a_title_cannot_break_the_feeds(client, published, editor):
    article = published.articles.get(slug="focus")
    client.force_login(editor)
    client.post(
        f"/bulletin/riverside/edit/articles/{article.pk}/",
        {"title": "FOCUS\x0con communities of practice", "body": "Text.", "topics": ""},
    )
    article.refresh_from_db()
    assert article.title == "FOCUS on communities of practice"
    for url in ["/bulletin/rss.xml", "/bulletin/atom.xml", "/bulletin/riverside/rss.xml"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not feedparser.parse(response.content).bozo
