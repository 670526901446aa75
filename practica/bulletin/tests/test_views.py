"""The bulletin's pages, as readers and editors use them."""

import pytest
from django.core import mail
from django.urls import reverse

from practica.bulletin.models import Delivery, Issue, IssueStatus
from practica.bulletin.tests.factories import (
    ArticleFactory,
    BulletinFactory,
    IssueFactory,
    SubscriberFactory,
    TopicFactory,
)
from practica.communities.models import Visibility
from practica.communities.stages import Stage
from practica.tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(bulletin):
    cops = TopicFactory(name="Communities of practice")
    km = TopicFactory(name="Knowledge management")
    issues = []
    for number, month in enumerate([4, 5, 6], start=3):
        issue = IssueFactory(
            bulletin=bulletin, volume=11, number=number, year=2007, month=month, published=True
        )
        ArticleFactory(
            issue=issue, title=f"Article of month {month}", slug=f"month-{month}", topics=[cops]
        )
        issues.append(issue)
    ArticleFactory(
        issue=issues[-1], title="FOCUS on communities of practice", slug="focus-on-communities-of-practice",
        summary="PHCRIS has developed a new publication.", topics=[cops, km],
        authors=[("Eleanor Jackson Bowers", "Research Associate, PHCRIS")],
    )  # fmt: skip
    return issues


def test_bulletin_home_shows_the_latest_issue_and_the_archive(client, published):
    html = client.get("/bulletin/").content.decode()
    assert "Latest issue" in html and "June 2007" in html
    assert "FOCUS on communities of practice" in html
    assert "/bulletin/riverside/2007/04/" in html  # archive by year → month
    assert "ISSN 1832-620X" in html


def test_article_page_reads_like_the_source_newsletter(client, published):
    response = client.get("/bulletin/riverside/2007/06/focus-on-communities-of-practice/")
    html = response.content.decode()
    assert response.status_code == 200
    # Home › Archive › Bulletin › June 2007 › article
    crumbs = html[html.index('class="breadcrumbs"') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    order = [
        crumbs.index(x)
        for x in ("Home", "Archive", "Riverside Research Bulletin", "June 2007", "FOCUS on")
    ]
    assert order == sorted(order)
    assert "Riverside Research Bulletin, Volume 11, Issue 5, June 2007, ISSN 1832-620X" in html
    assert "Eleanor Jackson Bowers" in html and "Research Associate, PHCRIS" in html
    assert "Related topic searches (2)" in html
    assert 'Communities of practice</a> <span class="meta">(4)</span>' in html
    assert "Access other issues and articles from Riverside Research Bulletin" in html
    assert 'id="fn1"' in html and "References" in html
    assert 'rel="prev"' in html  # previous article in the issue
    for network in ("Email", "LinkedIn", "X", "Facebook", "Mastodon"):
        assert f"Share via {network}" in html
    assert "Copy link" in html
    assert '<meta property="og:title" content="FOCUS on communities of practice">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<script src="http' not in html and '<img src="http' not in html


def test_issue_page_has_previous_and_next_issue_links(client, published):
    html = client.get("/bulletin/riverside/2007/05/").content.decode()
    assert "Previous issue: April 2007" in html and "Next issue: June 2007" in html


def test_year_page_lists_the_issues_of_that_year(client, published):
    html = client.get("/bulletin/riverside/2007/").content.decode()
    assert html.index("June 2007") < html.index("April 2007")
    assert client.get("/bulletin/riverside/1999/").status_code == 404


def test_archive_lists_every_readable_bulletin(client, published):
    private = CommunityFactory(visibility=Visibility.PRIVATE)
    BulletinFactory(community=private, name="Private news")
    html = client.get("/bulletin/archive/").content.decode()
    assert "Riverside Research Bulletin" in html and "Private news" not in html


def test_a_private_communitys_bulletin_is_hidden_from_outsiders(client, member_at):
    community = CommunityFactory(visibility=Visibility.PRIVATE)
    bulletin = BulletinFactory(community=community)
    assert client.get(bulletin.get_absolute_url()).status_code == 404
    client.force_login(UserFactory())
    assert client.get(bulletin.get_absolute_url()).status_code == 404


def test_draft_issues_are_shown_to_editors_only(client, bulletin, draft_issue, editor):
    url = draft_issue.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(editor)
    assert "only editors can see it" in client.get(url).content.decode()


def test_missing_pages_are_404(client, published):
    for url in [
        "/bulletin/nope/",
        "/bulletin/riverside/2007/13/",
        "/bulletin/riverside/2007/06/nope/",
        "/bulletin/topics/nope/",
    ]:
        assert client.get(url).status_code == 404, url


def test_topic_page_lists_articles_with_that_topic(client, published):
    html = client.get("/bulletin/topics/knowledge-management/").content.decode()
    assert "Topic search: Knowledge management" in html
    assert "FOCUS on communities of practice" in html and "Article of month 4" not in html
    assert "Knowledge management" in client.get("/bulletin/topics/").content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "focus"}, {"FOCUS on communities of practice"}),
        ({"author": "bowers"}, {"FOCUS on communities of practice"}),
        ({"topic": "communities-of-practice", "number": "3"}, {"Article of month 4"}),
        ({"date_from": "2007-05-01", "date_to": "2007-05-31"}, {"Article of month 5"}),
        (
            {"volume": "11", "q": "month"},
            {"Article of month 4", "Article of month 5", "Article of month 6"},
        ),
        ({"q": "nothing-matches-this"}, set()),
    ],
)
def test_search_and_advanced_search(client, published, query, expected):
    response = client.get("/bulletin/search/", query)
    found = {a.title for a in response.context["articles"]}
    assert found == expected


def test_search_refuses_an_inverted_date_range_beside_the_field(client, published):
    html = client.get(
        "/bulletin/search/", {"date_from": "2008-01-01", "date_to": "2007-01-01"}
    ).content.decode()
    assert "The end date is before the start date" in html


def test_mastodon_share_asks_for_the_server_then_redirects(client, published, settings):
    url = settings.SITE_URL + "/bulletin/riverside/2007/06/focus-on-communities-of-practice/"
    page = client.get("/bulletin/share/mastodon/", {"url": url, "text": "FOCUS"})
    assert "Which Mastodon server" in page.content.decode()
    response = client.get(
        "/bulletin/share/mastodon/",
        {"url": url, "text": "FOCUS", "server": "https://mastodon.social/"},
    )
    assert response.status_code == 302 and response["Location"].startswith(
        "https://mastodon.social/share?text="
    )
    assert (
        client.get("/bulletin/share/mastodon/", {"url": "https://evil.example/"}).status_code == 404
    )


@pytest.mark.parametrize(
    "server",
    [
        "evil.example/phish?x=",
        "evil.example/phish#",
        "user@evil.example",
        "evil.example:8443",
        "evil.example\\phish",
        "javascript:alert(1)",
        "-evil.example",
        "a" * 300,
    ],
)
def test_mastodon_share_accepts_a_bare_host_name_only(client, published, settings, server):
    url = settings.SITE_URL + "/bulletin/riverside/2007/06/focus-on-communities-of-practice/"
    response = client.get("/bulletin/share/mastodon/", {"url": url, "text": "hi", "server": server})
    assert response.status_code == 200
    assert "doesn’t look like a Mastodon server name" in response.content.decode()


@pytest.mark.parametrize("url_name", ["home", "issue", "article", "year"])
def test_pages_use_a_constant_number_of_queries(
    client, bulletin, django_assert_max_num_queries, url_name
):
    def build(n):
        Issue.objects.filter(bulletin=bulletin).delete()
        for month in range(1, n + 1):
            issue = IssueFactory(
                bulletin=bulletin, volume=1, number=month, year=2010, month=month, published=True
            )
            for i in range(n):
                ArticleFactory(
                    issue=issue,
                    slug=f"a{i}",
                    topics=[TopicFactory(name=f"T{i}")],
                    authors=[("A", "r"), ("B", "s")],
                )
        urls = {
            "home": "/bulletin/",
            "issue": "/bulletin/riverside/2010/01/",
            "article": "/bulletin/riverside/2010/01/a0/",
            "year": "/bulletin/riverside/2010/",
        }
        return urls[url_name]

    url = build(2)
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    url = build(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_steward_publishes_from_the_editor_and_subscribers_get_it(
    client, django_capture_on_commit_callbacks
):
    community = CommunityFactory(name="Ward care")
    bulletin = BulletinFactory(community=community, name="Ward news", slug="ward-news")
    reader = SubscriberFactory(bulletin=bulletin)
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    client.force_login(steward)
    assert client.get(reverse("bulletin:edit", args=["ward-news"])).status_code == 200
    response = client.post(
        reverse("bulletin:issue-create", args=["ward-news"]),
        {"volume": 1, "number": 1, "month": 3, "year": 2025, "title": "", "editorial": "Hello"},
    )
    issue = Issue.objects.get(bulletin=bulletin)
    assert response["Location"] == reverse("bulletin:issue-edit", args=["ward-news", issue.pk])
    response = client.post(
        reverse("bulletin:article-create", args=["ward-news", issue.pk]),
        {
            "title": "Safer handover",
            "authors": "Mira Okafor | Nurse consultant",
            "body": "Handover matters.[^1]\n\n[^1]: Someone (2020) A study.",
            "topics": "clinical handover, safety",
            "related": "Handover checklist | /c/ward-care/library/handover/",
        },
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("bulletin:issue-publish", args=["ward-news", issue.pk]))
    assert response["Location"] == reverse("bulletin:issue-sending", args=["ward-news", issue.pk])
    assert [m.to for m in mail.outbox] == [[reader.email]]
    page = client.get(response["Location"]).content.decode()
    assert "Per-recipient log" in page and reader.email in page
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'id="send-progress"' in fragment and "<html" not in fragment
    again = client.post(
        reverse("bulletin:issue-publish", args=["ward-news", issue.pk]), follow=True
    )
    assert "already published" in again.content.decode()
    assert Delivery.objects.count() == 1 and len(mail.outbox) == 1


def test_a_full_member_cannot_open_the_editor(client):
    community = CommunityFactory()
    bulletin = BulletinFactory(community=community)
    client.force_login(MembershipFactory(community=community, stage=Stage.FULL).user)
    response = client.get(reverse("bulletin:edit", args=[bulletin.slug]))
    assert response.status_code == 403
    assert "Publish the bulletin".lower() in response.content.decode().lower()


def test_article_form_keeps_what_was_typed_and_shows_errors_beside_fields(
    client, bulletin, draft_issue, editor
):
    client.force_login(editor)
    response = client.post(
        reverse("bulletin:article-create", args=[bulletin.slug, draft_issue.pk]),
        {"title": "Kept title", "body": "Kept body", "related": "Bad | https://elsewhere.example/"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Kept title" in html and "Kept body" in html
    assert 'id="id_related_error"' in html


def test_scheduling_in_the_past_from_the_editor_shows_the_reason(
    client, bulletin, draft_issue, editor
):
    client.force_login(editor)
    response = client.post(
        reverse("bulletin:issue-schedule", args=[bulletin.slug, draft_issue.pk]),
        {"when": "2001-01-01T09:00"},
    )
    assert response.status_code == 400
    assert "That time has passed" in response.content.decode()
    draft_issue.refresh_from_db()
    assert draft_issue.status == IssueStatus.DRAFT
