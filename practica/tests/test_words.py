"""Counts and articles come from one helper, so no page says "1 replies" or "a allied"."""

import pytest
from django.template import Context, Template

from practica.words import counted, with_article


@pytest.mark.parametrize(
    ("count", "forms", "expected"),
    [
        (1, "reply,replies", "1 reply"),
        (0, "reply,replies", "0 replies"),
        (2, "reply,replies", "2 replies"),
        (1, "member", "1 member"),
        (1204, "member", "1,204 members"),
        (None, "article", "0 articles"),
    ],
)
def test_counted_picks_the_form_for_the_number(count, forms, expected):
    assert counted(count, forms) == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("allied health / therapist", "an allied health / therapist"),
        ("administrator", "an administrator"),
        ("nurse", "a nurse"),
        ("pharmacist", "a pharmacist"),
        ("hour", "an hour"),
        ("user", "a user"),
        ("university lecturer", "a university lecturer"),
        ("MRI", "an MRI"),
        ("GP", "a GP"),
        ("", "a "),
    ],
)
def test_with_article_picks_a_or_an_by_sound(phrase, expected):
    assert with_article(phrase) == expected


def test_the_filters_are_built_into_every_template():
    html = Template('{{ n|counted:"reply,replies" }} · {{ job|with_article }}').render(
        Context({"n": 1, "job": "allied health / therapist"})
    )
    assert html == "1 reply · an allied health / therapist"


@pytest.mark.django_db
def test_pages_say_1_reply_and_endorse_as_an_allied_health_therapist(client, community, member_at):
    from practica.communities.stages import Stage
    from practica.conversations.models import ConversationSettings
    from practica.conversations.tests.factories import PostFactory, ThreadFactory
    from practica.people.models import User

    ConversationSettings.objects.create(community=community, profession_endorsements=True)
    thread = ThreadFactory(community=community, reply_count=1)
    PostFactory(thread=thread)
    therapist = member_at(Stage.FULL)
    User.objects.filter(pk=therapist.pk).update(profession="allied_health")
    client.force_login(User.objects.get(pk=therapist.pk))
    listing = client.get(f"/c/{community.slug}/conversations/").content.decode()
    assert "1 replies" not in listing and "1 reply," in listing
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Endorse as an allied health / therapist" in page
    from practica.conversations.services.marks import endorse_answer

    endorse_answer(actor=User.objects.get(pk=therapist.pk), post=thread.posts.last())
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Endorsed by an allied health / therapist" in page
    assert "Endorsed by a allied" not in page
