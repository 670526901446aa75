import pytest

from practica.communities.stages import Stage
from practica.library.models import ArticleComment, ProposedEdit
from practica.library.services.articles import save_revision
from practica.library.services.proposals import propose_edit
from practica.library.tests.factories import GlossaryTermFactory, make_article

pytestmark = pytest.mark.django_db


def url(community, rest=""):
    return f"/c/{community.slug}/{rest}"


def article_url(article, rest=""):
    return f"/c/{article.community.slug}/library/articles/{article.slug}/{rest}"


def test_library_page_lists_published_articles_not_drafts(client, community, member_at):
    make_article(community, title="ISBAR handover guide")
    make_article(community, title="Secret draft", publish=False)
    html = client.get(url(community, "library/")).content.decode()
    assert "ISBAR handover guide" in html
    assert "Secret draft" not in html


def test_a_draft_is_hidden_from_others_like_a_missing_page(client, community, member_at):
    draft = make_article(community, title="Draft", publish=False)
    client.force_login(member_at(Stage.PERIPHERAL))
    assert client.get(article_url(draft)).status_code == 404


def test_library_filters_by_topic_and_type(client, community):
    from practica.tests.factories import TopicFactory

    falls = TopicFactory(community=community, name="Falls", slug="falls")
    make_article(community, title="Falls risk", kind="how_to", topics=[falls])
    make_article(community, title="Handover policy", kind="policy")
    html = client.get(url(community, "library/?topic=falls")).content.decode()
    assert "Falls risk" in html and "Handover policy" not in html
    html = client.get(url(community, "library/?type=policy")).content.decode()
    assert "Handover policy" in html and "Falls risk" not in html


def _many_revisions(article, n):
    editor = article.created_by
    for i in range(n):
        save_revision(
            actor=editor,
            article=article,
            base_revision_id=article.current_revision_id,
            title=article.title,
            summary="",
            body=f"{article.body} step {i}",
        )


def test_library_list_query_count_does_not_grow(
    client, community, member_at, django_assert_max_num_queries
):
    client.force_login(member_at(Stage.FULL))
    make_article(community, title="One")
    with django_assert_max_num_queries(14) as few:
        client.get(url(community, "library/"))
    for i in range(12):
        _many_revisions(make_article(community, title=f"Article {i}"), 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(community, "library/"))
    assert "Article 11" in response.content.decode()


def test_article_page_query_count_does_not_grow(
    client, community, member_at, django_assert_max_num_queries
):
    viewer = member_at(Stage.FULL)
    client.force_login(viewer)
    GlossaryTermFactory(community=community, term="ISBAR", slug="isbar")
    article = make_article(community)
    with django_assert_max_num_queries(20) as few:
        client.get(article_url(article))
    _many_revisions(article, 10)
    for _ in range(3):
        learner = member_at(Stage.PERIPHERAL)
        propose_edit(
            actor=learner,
            article=article,
            base_revision_id=article.current_revision_id,
            title=article.title,
            summary="",
            body=article.body + " more",
        )
        ArticleComment.objects.create(
            article=article, author=learner, body="x", body_html="<p>x</p>"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(article_url(article))
    html = response.content.decode()
    assert "Proposed edits waiting for review (3)" in html
    assert 'class="glossary-term"' in html


def test_full_member_edits_and_an_empty_save_is_a_noop(client, community, member_at):
    editor = member_at(Stage.FULL)
    article = make_article(community, author=editor, body="Start.")
    client.force_login(editor)
    form = client.get(article_url(article, "edit/")).content.decode()
    assert f'name="base_revision" value="{article.current_revision_id}"' in form
    data = {
        "title": article.title,
        "summary": "",
        "body": "Start.",
        "edit_summary": "",
        "base_revision": article.current_revision_id,
        "kind": "guide",
    }
    response = client.post(article_url(article, "edit/"), data, follow=True)
    assert "no new revision" in response.content.decode()
    assert article.revisions.count() == 1


def test_two_people_editing_at_once_both_keep_their_text(client, community, member_at):
    alice, bob = member_at(Stage.FULL), member_at(Stage.FULL)
    article = make_article(community, body="Shared start.")
    base = article.current_revision_id
    data = {"title": article.title, "summary": "", "kind": "guide", "base_revision": base}
    client.force_login(alice)
    client.post(article_url(article, "edit/"), {**data, "body": "Shared start. Alice's paragraph."})
    client.force_login(bob)
    response = client.post(
        article_url(article, "edit/"), {**data, "body": "Shared start. Bob's paragraph."}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this article" in html
    assert "Bob&#x27;s paragraph." in html  # Bob's text is still in the editor
    assert "Alice&#x27;s paragraph." in html  # and Alice's is shown beside it
    new_base = article.revisions.get(number=2).pk
    assert f'name="base_revision" value="{new_base}"' in html
    assert article.revisions.count() == 2


def test_learner_proposes_and_full_member_approves_over_http(client, community, member_at):
    learner, full = member_at(Stage.PERIPHERAL), member_at(Stage.FULL)
    article = make_article(community, body="Check the chart.")
    client.force_login(learner)
    page = client.get(article_url(article, "edit/")).content.decode()
    assert "Propose this edit" in page
    client.post(
        article_url(article, "edit/"),
        {
            "title": article.title,
            "summary": "",
            "body": "Check the drug chart.",
            "edit_summary": "Be specific",
            "base_revision": article.current_revision_id,
        },
    )
    proposal = ProposedEdit.objects.get()
    client.force_login(full)
    html = client.get(article_url(article)).content.decode()
    assert "<ins>drug </ins>" in html
    response = client.post(
        article_url(article, f"proposals/{proposal.pk}/decide/"), {"decision": "approve"}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "Check the drug chart."


def test_compare_shows_a_word_diff_between_any_two_revisions(client, community):
    article = make_article(community, body="Alpha beta.")
    _many_revisions(article, 2)
    html = client.get(article_url(article, "compare/?from=1&to=3")).content.decode()
    assert "<ins> step 0 step 1</ins>" in html or "<ins>" in html
    assert client.get(article_url(article, "compare/?from=1&to=9")).status_code == 404


@pytest.mark.parametrize("number", ["99999999999999999999", "-99999999999999999999", "1e9"])
def test_compare_with_a_number_no_revision_can_have_is_a_page_not_an_error(
    client, community, number
):
    article = make_article(community, body="Alpha beta.")
    _many_revisions(article, 2)
    response = client.get(article_url(article, f"compare/?from={number}&to=3"))
    assert response.status_code == 200


def test_glossary_page_lists_terms_a_to_z(client, community):
    GlossaryTermFactory(
        community=community,
        term="NEWS2",
        slug="news2",
        definition="National Early Warning Score 2.",
    )
    GlossaryTermFactory(community=community, term="handover", slug="handover")
    html = client.get(url(community, "glossary/")).content.decode()
    assert 'id="term-news2"' in html and 'href="#letter-H"' in html
    assert html.index("handover") < html.index("NEWS2")


def test_learner_comments_on_an_article(client, community, member_at):
    article = make_article(community)
    client.force_login(member_at(Stage.PERIPHERAL))
    client.post(article_url(article, "comments/"), {"body": "Does this apply at night?"})
    assert "Does this apply at night?" in client.get(article_url(article)).content.decode()


def test_visitor_cannot_open_the_editor(client, community):
    article = make_article(community)
    assert client.get(article_url(article, "edit/")).status_code == 302  # to log in
