"""Events, modules, glossary entries and evidence summaries take topics like threads and
articles do, and topic pages and topic searches include them."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from practica.communities.stages import Stage
from practica.events import services as events
from practica.events.models import EventType
from practica.evidence.services.summaries import tag_summary
from practica.evidence.tests.factories import EvidenceSummaryFactory
from practica.learning.services.authoring import update_module
from practica.learning.tests.factories import make_module
from practica.library.services.glossary import save_term
from practica.search import engine
from practica.tests.factories import CommunityFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def falls(community):
    return TopicFactory(community=community, name="Falls prevention", slug="falls-prevention")


def tag_one_of_each(community, falls, steward):
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=4)
    event = events.create_event(
        actor=steward,
        community=community,
        title="Bed rails workshop",
        kind=EventType.WORKSHOP,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        timezone_name="Europe/London",
        location="Skills lab",
        topics=[falls, TopicFactory()],  # another community's topic is ignored
    )
    module = make_module(community=community, author=steward, title="Bed rails module")
    update_module(
        actor=steward,
        module=module,
        title=module.title,
        overview=module.overview,
        outcomes=module.outcomes,
        estimated_minutes=module.estimated_minutes,
        topics=[falls],
    )
    term = save_term(
        actor=steward,
        community=community,
        term="Bed rails",
        definition="Rails on the sides of a bed.",
        synonyms=[],
        topics=[falls],
    )
    summary = EvidenceSummaryFactory(community=community, title="Bed rails and falls evidence")
    tag_summary(actor=steward, summary=summary, topics=[falls])
    return event, module, term, summary


def test_each_kind_takes_only_its_communitys_topics(community, member_at, falls):
    steward = member_at(Stage.STEWARD)
    event, module, term, summary = tag_one_of_each(community, falls, steward)
    for item in (event, module, term, summary):
        assert list(item.topics.all()) == [falls]


def test_the_topic_page_and_topic_search_include_them(
    client, community, member_at, falls, django_capture_on_commit_callbacks
):
    steward = member_at(Stage.STEWARD)
    with django_capture_on_commit_callbacks(execute=True):
        tag_one_of_each(community, falls, steward)
    client.force_login(steward)
    url = reverse("search:topic", args=[community.slug, falls.slug])
    page = client.get(url).content.decode()
    for title in ("Bed rails workshop", "Bed rails module", "Bed rails", "Bed rails and falls"):
        assert title in page, title
    results = engine.search(
        None, user=steward, filters=engine.Filters(topic_slug=falls.slug), page_size=100
    )
    found = {hit.entry.title for hit in results.hits}
    assert {"Bed rails workshop", "Bed rails module", "Bed rails"} <= found
    assert "Bed rails and falls evidence" in found


def test_forms_offer_the_communitys_topics_and_pages_link_them(client, community, member_at, falls):
    steward = member_at(Stage.STEWARD)
    event, module, term, summary = tag_one_of_each(community, falls, steward)
    CommunityFactory()
    client.force_login(steward)
    topic_url = reverse("search:topic", args=[community.slug, falls.slug])
    for page_url in (
        event.get_absolute_url(),
        summary.get_absolute_url(),
        reverse("library:glossary", args=[community.slug]),
    ):
        assert f'href="{topic_url}"' in client.get(page_url).content.decode(), page_url
    for form_url in (
        reverse("events:edit", args=[community.slug, event.pk]),
        reverse("evidence:summary-new", args=[community.slug]),
        reverse("library:glossary-edit", args=[community.slug, term.slug]),
        f"/learning/{module.slug}/edit/",
    ):
        form = client.get(form_url).content.decode()
        assert 'name="topics"' in form and f'value="{falls.pk}"' in form, form_url
