"""Glossary terms in posts: linked on every page that shows a post's body, one query a page."""

import pytest
from django.urls import reverse

from practica.communities.stages import Stage
from practica.conversations.models import Flag
from practica.conversations.tests.factories import PostFactory, ThreadFactory
from practica.library.services.sources import distil_thread
from practica.library.tests.factories import GlossaryTermFactory
from practica.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

GLOSSARY_LINK = 'class="glossary-term"'


@pytest.fixture
def glossary(community):
    GlossaryTermFactory(community=community, term="ISBAR", definition="A handover structure.")
    GlossaryTermFactory(community=community, term="handover", synonyms=["handoff"])


def test_thread_page_links_glossary_terms_in_posts_but_not_in_code(
    client, community, learner, glossary
):
    thread = ThreadFactory(community=community, body="How do we use ISBAR at `ISBAR` time?")
    PostFactory(thread=thread, body="Every handover starts with identifying yourself.")
    client.force_login(learner)
    html = client.get(thread.get_absolute_url()).content.decode()
    glossary_url = reverse("library:glossary", args=[community.slug])
    assert f'href="{glossary_url}#' in html
    assert f'{GLOSSARY_LINK} href="{glossary_url}#' in html
    assert ">ISBAR</a> at <code>ISBAR</code>" in html
    assert ">handover</a> starts" in html


def test_glossary_terms_from_another_community_are_not_linked(client, community, learner):
    other = MembershipFactory(stage=Stage.FULL).community
    GlossaryTermFactory(community=other, term="ISBAR")
    thread = ThreadFactory(community=community, body="How do we use ISBAR?")
    client.force_login(learner)
    assert GLOSSARY_LINK not in client.get(thread.get_absolute_url()).content.decode()


@pytest.mark.parametrize("posts", [5, 200])
def test_thread_page_with_glossary_and_distilled_article_keeps_a_constant_query_count(
    client, community, learner, glossary, posts, django_assert_max_num_queries
):
    thread = ThreadFactory(community=community, body="What belongs in an ISBAR handover?")
    replies = [
        PostFactory(
            thread=thread,
            author=MembershipFactory(community=community).user,
            body="Say the ISBAR steps out loud at every handover.",
        )
        for _ in range(posts - 1)
    ]
    thread.accepted_post = replies[0]
    thread.save()
    full = MembershipFactory(community=community, stage=Stage.FULL).user
    distil_thread(actor=full, thread=thread)
    client.force_login(full)
    # The related-questions search runs a query per distinct word, hence the wider bound
    # than the plain thread page test; what matters is that it doesn't grow with posts.
    with django_assert_max_num_queries(30) as first_page:
        html = client.get(thread.get_absolute_url()).content.decode()
    assert "Distilled into:" in html and GLOSSARY_LINK in html
    with django_assert_max_num_queries(len(first_page.captured_queries)) as later_page:
        html = client.get(thread.get_absolute_url() + "?page=3").content.decode()
    # The first load also reads the glossary's synonyms for the related-questions ranking
    # (then cached); linking terms in the posts is one query per page whatever its length.
    for table in ("library_glossaryterm", "library_article"):
        assert sum(table in q["sql"] for q in later_page.captured_queries) == 1, table


def test_flag_hide_and_moderation_pages_link_glossary_terms_in_the_post(
    client, community, glossary
):
    steward = MembershipFactory(community=community, stage=Stage.STEWARD).user
    thread = ThreadFactory(community=community)
    post = PostFactory(thread=thread, body="Skip the handover, it is a waste of time.")
    Flag.objects.create(post=post, flagged_by=thread.author, reason="unsafe")
    client.force_login(steward)
    for name, kwargs in [
        ("post-flag", {"post_id": post.pk}),
        ("post-hide", {"post_id": post.pk}),
        ("moderation", {}),
    ]:
        path = reverse(f"conversations:{name}", kwargs={"community_slug": community.slug, **kwargs})
        assert ">handover</a>" in client.get(path).content.decode(), name
