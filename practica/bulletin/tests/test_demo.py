import pytest

from practica.bulletin.models import Article, Bulletin, Delivery, Issue, IssueStatus, Subscriber
from practica.demo import bulletin as demo

pytestmark = pytest.mark.django_db


def test_the_demo_bulletin_is_seeded_once_with_its_archive_subscribers_and_send_log(client):
    summary = demo.seed()
    assert "18 published issues" in summary
    assert demo.seed() == "bulletin already there"
    bulletin = Bulletin.objects.get(slug=demo.SLUG)
    assert set(Issue.objects.filter(bulletin=bulletin).values_list("volume", flat=True)) == {
        9,
        10,
        11,
    }
    assert Issue.objects.filter(status=IssueStatus.DRAFT).count() == 1
    assert 28 <= Article.objects.filter(issue__status=IssueStatus.PUBLISHED).count() <= 32
    assert Subscriber.objects.filter(status="pending").exists()
    assert (
        Delivery.objects.filter(status="sent").exists()
        and Delivery.objects.filter(status="failed").exists()
    )
    focus = Article.objects.get(title__startswith="FOCUS on")
    assert focus.issue.citation == "Volume 11, Issue 5, June 2026"
    assert "Wenger" in focus.body_html and 'id="fn3"' in focus.body_html
    response = client.get(focus.get_absolute_url())
    assert response.status_code == 200
    assert "Related topic searches (3)" in response.content.decode()
