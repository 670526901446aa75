import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.bulletin.models import Bulletin, Delivery, IssueStatus
from practica.bulletin.permissions import can_edit
from practica.bulletin.services import publication
from practica.bulletin.tests.factories import (
    ArticleFactory,
    BulletinFactory,
    IssueFactory,
    SubscriberFactory,
    TopicFactory,
)
from practica.communities.stages import Stage
from practica.tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_issn_must_have_a_valid_check_digit():
    bulletin = Bulletin(name="B", slug="b", issn="1832-6201")
    with pytest.raises(ValidationError, match="check digit"):
        bulletin.full_clean()
    Bulletin(name="B", slug="b", issn="0317-8471").full_clean()


def test_there_is_only_one_instance_bulletin():
    BulletinFactory()
    with pytest.raises(ValidationError):
        Bulletin(name="Another", slug="another").full_clean()


def test_bulletin_slug_cannot_take_a_reserved_word():
    with pytest.raises(ValidationError, match="used by the bulletin"):
        Bulletin(name="B", slug="archive").full_clean()


def test_staff_and_designated_editors_edit_the_instance_bulletin(bulletin):
    staff, designated, other = UserFactory(is_staff=True), UserFactory(), UserFactory()
    publication.add_editor(actor=staff, bulletin=bulletin, user=designated)
    assert can_edit(staff, bulletin)
    assert can_edit(designated, bulletin)
    assert not can_edit(other, bulletin)
    with pytest.raises(PermissionDenied, match="Only the editors"):
        publication.create_issue(
            actor=other, bulletin=bulletin, volume=1, number=1, year=2024, month=1
        )


@pytest.mark.parametrize(
    ("stage", "allowed"),
    [
        (Stage.PERIPHERAL, False),
        (Stage.PARTICIPANT, False),
        (Stage.FULL, False),
        (Stage.STEWARD, True),
    ],
)
def test_only_stewards_edit_a_community_bulletin_by_default(community, member_at, stage, allowed):
    bulletin = BulletinFactory(community=community)
    member = member_at(stage)
    assert can_edit(member, bulletin) is allowed
    if not allowed:
        with pytest.raises(PermissionDenied):
            publication.create_issue(
                actor=member, bulletin=bulletin, volume=1, number=1, year=2024, month=1
            )


def test_a_designated_editor_edits_a_community_bulletin_at_any_stage(community, member_at):
    bulletin = BulletinFactory(community=community)
    steward, learner = member_at(Stage.STEWARD), member_at(Stage.PERIPHERAL)
    publication.add_editor(actor=steward, bulletin=bulletin, user=learner)
    issue = publication.create_issue(
        actor=learner, bulletin=bulletin, volume=1, number=1, year=2024, month=3
    )
    assert issue.bulletin == bulletin


def test_two_issues_cannot_share_a_month_or_a_number(bulletin, editor):
    publication.create_issue(
        actor=editor, bulletin=bulletin, volume=1, number=1, year=2024, month=3
    )
    with pytest.raises(ValidationError):
        publication.create_issue(
            actor=editor, bulletin=bulletin, volume=1, number=2, year=2024, month=3
        )
    with pytest.raises(ValidationError):
        publication.create_issue(
            actor=editor, bulletin=bulletin, volume=1, number=1, year=2024, month=4
        )


def test_create_article_keeps_authors_topics_related_items_and_order(draft_issue, editor):
    article = publication.create_article(
        actor=editor,
        issue=draft_issue,
        title="Evidence into practice",
        body="Text.[^1]\n\n[^1]: Lave, J. & Wenger, E. (1991) Situated learning.",
        contact="Eleanor Jackson, Research Associate",
        topics=["Knowledge management", "knowledge management", "Evidence"],
        authors=[("Eleanor Jackson", "Research Associate"), ("Sam Lee", "")],
        related=[("Handover checklist", "/c/ward-care/library/handover/")],
    )
    assert article.slug == "evidence-into-practice"
    assert article.position == 1
    assert [t.slug for t in article.topics.order_by("slug")] == ["evidence", "knowledge-management"]
    assert [a.name for a in article.authors.all()] == ["Eleanor Jackson", "Sam Lee"]
    assert article.related_items.get().url == "/c/ward-care/library/handover/"
    assert 'id="fn1"' in article.body_html
    publication.move_article(actor=editor, article=article, offset=-1)
    assert list(draft_issue.articles.order_by("position").values_list("slug", flat=True))[0] == (
        "evidence-into-practice"
    )


def test_related_items_must_point_at_this_site(draft_issue, editor):
    with pytest.raises(ValidationError, match="Link to a page on this site"):
        publication.create_article(
            actor=editor, issue=draft_issue, title="T", body="B",
            related=[("Elsewhere", "https://evil.example/x")],
        )  # fmt: skip


def test_a_community_topic_is_linked_when_its_slug_matches(community, member_at):
    from practica.tests.factories import TopicFactory as CommunityTopicFactory

    bulletin = BulletinFactory(community=community)
    handover = CommunityTopicFactory(
        community=community, name="Clinical handover", slug="clinical-handover"
    )
    issue = IssueFactory(bulletin=bulletin)
    article = publication.create_article(
        actor=member_at(Stage.STEWARD),
        issue=issue,
        title="T",
        body="B",
        topics=["Clinical handover"],
    )
    assert article.topics.get().community_topic == handover


def test_publishing_queues_one_delivery_per_confirmed_subscriber_who_wants_it(
    bulletin, draft_issue, editor, django_capture_on_commit_callbacks
):
    wanted = TopicFactory(name="Communities of practice")
    draft_issue.articles.first().topics.add(wanted)
    everyone = SubscriberFactory(bulletin=bulletin)
    by_topic = SubscriberFactory(bulletin=bulletin, all_topics=False)
    by_topic.topics.add(wanted)
    other_topic = SubscriberFactory(bulletin=bulletin, all_topics=False)
    other_topic.topics.add(TopicFactory(name="Nutrition"))
    SubscriberFactory(bulletin=bulletin, status="pending")
    SubscriberFactory(bulletin=bulletin, status="unsubscribed")
    SubscriberFactory(bulletin=BulletinFactory(community=CommunityFactory()))  # another's
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = publication.publish_issue(actor=editor, issue=draft_issue)
    assert queued == 2
    assert set(Delivery.objects.values_list("subscriber", flat=True)) == {everyone.pk, by_topic.pk}
    # Nothing is sent before the commit; the commit starts the sending.
    assert set(Delivery.objects.values_list("status", flat=True)) == {"queued"}
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([everyone.email, by_topic.email])
    draft_issue.refresh_from_db()
    assert draft_issue.status == IssueStatus.PUBLISHED and draft_issue.published_by == editor


def test_publishing_an_issue_twice_is_refused_and_sends_nothing_more(
    draft_issue, editor, subscribers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_issue(actor=editor, issue=draft_issue)
    with pytest.raises(ValidationError, match="already published on"):
        publication.publish_issue(actor=editor, issue=draft_issue)
    assert Delivery.objects.count() == len(subscribers)


def test_an_issue_without_articles_cannot_be_published(bulletin, editor):
    issue = IssueFactory(bulletin=bulletin)
    with pytest.raises(ValidationError, match="at least one article"):
        publication.publish_issue(actor=editor, issue=issue)


def test_scheduling_in_the_past_is_refused_with_a_clear_message(draft_issue, editor):
    with pytest.raises(ValidationError, match="Choose a time in the future"):
        publication.schedule_issue(
            actor=editor, issue=draft_issue, when=timezone.now() - datetime.timedelta(minutes=1)
        )
    draft_issue.refresh_from_db()
    assert draft_issue.status == IssueStatus.DRAFT


def test_a_scheduled_issue_is_published_when_due(draft_issue, editor, subscribers):
    when = timezone.now() + datetime.timedelta(hours=2)
    publication.schedule_issue(actor=editor, issue=draft_issue, when=when)
    assert publication.publish_due_issues() == []
    published = publication.publish_due_issues(now=when + datetime.timedelta(seconds=1))
    assert [i.pk for i in published] == [draft_issue.pk]
    draft_issue.refresh_from_db()
    assert draft_issue.status == IssueStatus.PUBLISHED
    assert Delivery.objects.filter(issue=draft_issue).count() == len(subscribers)


def test_a_published_issue_keeps_its_number_and_date(draft_issue, editor):
    publication.publish_issue(actor=editor, issue=draft_issue)
    with pytest.raises(ValidationError, match="can’t change"):
        publication.update_issue(
            actor=editor, issue=draft_issue, volume=11, number=6, year=2007, month=6,
            title="", editorial="",
        )  # fmt: skip
    publication.update_issue(
        actor=editor, issue=draft_issue, volume=11, number=5, year=2007, month=6,
        title="Corrected", editorial="Now corrected.",
    )  # fmt: skip


def test_articles_of_a_published_issue_cannot_be_deleted(draft_issue, editor):
    publication.publish_issue(actor=editor, issue=draft_issue)
    with pytest.raises(ValidationError, match="stay in the archive"):
        publication.delete_article(actor=editor, article=draft_issue.articles.first())


def test_article_factory_makes_an_article():
    assert ArticleFactory().authors.count() == 1
