"""Value-creation stories, prompts, the matrix and the sponsor's report."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities.capabilities import CapabilityDenied
from practica.communities.stages import Stage
from practica.conversations.tests.factories import ThreadFactory
from practica.events.models import Attendance, Event
from practica.insights import services
from practica.insights.models import StoryPrompt, ValueStory
from practica.insights.prompts import send_prompts
from practica.insights.rollups import rollup
from practica.notifications.models import Delivery, Notification
from practica.notifications.preferences import set_preferences
from practica.privacy.guard import PatientDataFound

pytestmark = pytest.mark.django_db

STORY = {
    "title": "Safer handover on nights",
    "took_part_in": "The handover thread and the journal club on ISBAR.",
    "what_it_gave": "A checklist and the confidence to use it.",
    "did_differently": "We hand over at the bedside with ISBAR.",
    "difference": "Fewer missed observations on the first round.",
}


def tell(actor, community, **extra):
    return services.tell_story(
        actor=actor,
        community=community,
        cycles=extra.pop("cycles", ["applied"]),
        **{**STORY, **extra},
    )


def test_a_member_tells_a_story_with_links(client, community, member_at):
    learner = member_at(Stage.PERIPHERAL)
    thread = ThreadFactory(community=community, author=learner)
    client.force_login(learner)
    page = client.get(
        f"/c/{community.slug}/insights/stories/new/?about=thread:{thread.pk}"
    ).content.decode()
    assert f"/c/{community.slug}/conversations/{thread.pk}/" in page
    response = client.post(
        f"/c/{community.slug}/insights/stories/new/",
        {
            **STORY,
            "cycles": ["immediate", "applied"],
            "links": f"https://x.example/c/{community.slug}/conversations/{thread.pk}/",
        },
    )
    story = ValueStory.objects.get()
    assert response.status_code == 302 and story.cycles == ["immediate", "applied"]
    assert list(story.threads.all()) == [thread] and not story.consent_to_publish
    assert thread.title in client.get(story.get_absolute_url()).content.decode()


def test_a_story_needs_a_cycle_and_real_links_with_the_message_beside_the_field(
    client, community, member_at
):
    client.force_login(member_at(Stage.PERIPHERAL))
    response = client.post(
        f"/c/{community.slug}/insights/stories/new/",
        {**STORY, "links": "/c/other/conversations/1/"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "links to another community" in page
    assert 'id="id_cycles_error"' in page and STORY["what_it_gave"] in page


def test_the_patient_data_guard_screens_a_story(community, member_at):
    with pytest.raises(PatientDataFound):
        tell(
            member_at(Stage.PERIPHERAL),
            community,
            difference="Mrs Jones, NHS number 943 476 5919, went home sooner.",
        )
    assert not ValueStory.objects.exists()


def test_visitors_cannot_read_or_tell_stories(client, community, user):
    client.force_login(user)
    assert client.get(f"/c/{community.slug}/insights/stories/").status_code == 403
    with pytest.raises(CapabilityDenied):
        tell(user, community)


def test_the_report_shows_only_chosen_stories_with_consent(client, community, member_at):
    steward, author = member_at(Stage.STEWARD), member_at(Stage.PARTICIPANT)
    private = tell(author, community, title="Kept inside the community")
    public = tell(author, community, title="Shared with the sponsor", consent_to_publish=True)
    for story in (private, public):
        services.choose_story(actor=steward, story=story, chosen=True)
    with pytest.raises(CapabilityDenied):
        services.choose_story(actor=author, story=public, chosen=False)
    with pytest.raises(CapabilityDenied):
        services.set_story_consent(actor=steward, story=private, consent=True)
    rollup((timezone.now() - timedelta(days=3)).date())
    client.force_login(steward)
    assert (
        "Sponsor's report" in client.get(f"/c/{community.slug}/insights/report/").content.decode()
    )
    page = client.get(f"/c/{community.slug}/insights/report/?period=30").content.decode()
    assert "Shared with the sponsor" in page and "Kept inside the community" not in page
    pdf = client.get(f"/c/{community.slug}/insights/report.pdf?period=30")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    matrix = client.get(f"/c/{community.slug}/insights/value/").content.decode()
    assert (
        "Applied value" in matrix and "Kept inside the community" in matrix
    )  # stewards are inside
    client.force_login(author)
    assert client.get(f"/c/{community.slug}/insights/report/").status_code == 403


def test_prompts_come_at_natural_moments_at_most_monthly_and_can_be_switched_off(
    community, member_at
):
    asker, other = member_at(Stage.PERIPHERAL), member_at(Stage.PERIPHERAL)
    now = timezone.now()
    ThreadFactory(community=community, author=asker, accepted_at=now - timedelta(days=7, hours=3))
    event = Event.objects.create(
        community=community, title="Journal club", kind="journal_club", starts_at=now - timedelta(hours=5),
        ends_at=now - timedelta(hours=4), timezone="Europe/London", last_ends_at=now - timedelta(hours=4),
    )  # fmt: skip
    Attendance.objects.create(event=event, user=asker, occurrence_start=event.starts_at)
    Attendance.objects.create(event=event, user=other, occurrence_start=event.starts_at)
    set_preferences(user=other, choices={(None, Notification.Kind.STORY): Delivery.OFF})
    assert send_prompts(now) == 1
    note = Notification.objects.get(kind="story")
    assert note.recipient == asker and "/insights/stories/new/?about=thread:" in note.url
    assert StoryPrompt.objects.filter(user=asker).count() == 1
    assert not Notification.objects.filter(recipient=other).exists()
    assert send_prompts(now + timedelta(days=1)) == 0  # once a month


def test_the_report_defaults_to_the_last_full_quarter():
    import datetime

    from practica.insights.forms import last_quarter

    quarter = last_quarter(datetime.date(2026, 12, 3))
    assert (quarter.start, quarter.end) == (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    quarter = last_quarter(datetime.date(2026, 2, 10))
    assert (quarter.start, quarter.end) == (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))


def test_a_steward_leaving_keeps_the_stories_they_chose_and_an_author_leaving_takes_theirs(
    community, member_at
):
    from practica.privacy import account

    steward, author = member_at(Stage.STEWARD), member_at(Stage.PARTICIPANT)
    story = tell(author, community, title="Chosen by a steward who then left")
    services.choose_story(actor=steward, story=story, chosen=True)
    steward.set_unusable_password()
    steward.save()
    account.delete_account(user=steward, mode=account.Mode.DELETE, phrase="Delete my account")
    assert ValueStory.objects.filter(pk=story.pk, chosen_at__isnull=False).exists()
    author.set_unusable_password()
    author.save()
    account.delete_account(user=author, mode=account.Mode.ANONYMISE, phrase="Delete my account")
    assert not ValueStory.objects.filter(pk=story.pk).exists()
