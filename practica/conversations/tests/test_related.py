"""Related questions on a question page: ranked once per thread change, shown as they read now."""

import pytest

from practica.communities.stages import Stage
from practica.conversations.tests.factories import ThreadFactory
from practica.search.indexing import index_thread
from practica.search.models import SearchEntry
from practica.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(community):
    made = [
        ThreadFactory(
            community=community,
            title=title,
            body="Pressure ulcer prevention on a busy ward: turning, mattresses and skin checks.",
        )
        for title in (
            "How often should we turn patients to prevent pressure ulcers?",
            "Which mattresses prevent pressure ulcers best?",
            "Who checks the skin for pressure ulcers at night?",
        )
    ]
    for thread in made:
        index_thread(thread)
    return made


@pytest.fixture
def reader(client, community):
    client.force_login(MembershipFactory(community=community, stage=Stage.PARTICIPANT).user)
    return client


def _related(html: str) -> str:
    return html.split('id="related-title"', 1)[1].split("</section>", 1)[0]


def test_a_second_view_reads_the_ranked_questions_by_id_instead_of_ranking_again(
    reader, questions, django_assert_max_num_queries
):
    url = questions[0].get_absolute_url()
    with django_assert_max_num_queries(60) as first:
        html = reader.get(url).content.decode()
    assert "Which mattresses prevent pressure ulcers best?" in _related(html)
    with django_assert_max_num_queries(len(first.captured_queries) - 1) as second:
        again = reader.get(url).content.decode()
    assert _related(again) == _related(html)
    entry_reads = [q for q in second.captured_queries if "search_searchentry" in q["sql"]]
    assert len(entry_reads) == 1


def test_a_question_hidden_since_it_was_ranked_is_not_shown(reader, questions):
    url = questions[0].get_absolute_url()
    assert "Which mattresses" in _related(reader.get(url).content.decode())
    SearchEntry.objects.filter(kind="question", object_id=questions[1].pk).update(is_public=False)
    html = reader.get(url).content.decode()
    assert "Which mattresses" not in html
    assert "Who checks the skin" in _related(html)


def test_an_edited_question_is_ranked_again_at_once(reader, questions):
    url = questions[0].get_absolute_url()
    reader.get(url)
    questions[0].title = "Which mattresses do we order for pressure ulcers?"
    questions[0].save()
    index_thread(questions[0])
    html = reader.get(url).content.decode()
    assert "Which mattresses prevent pressure ulcers best?" in _related(html)
