import pytest

from practica.bulletin.tests.factories import (
    ArticleFactory,
    BulletinFactory,
    IssueFactory,
    SubscriberFactory,
)
from practica.tests.factories import UserFactory


@pytest.fixture
def bulletin(db):
    return BulletinFactory(name="Riverside Research Bulletin", slug="riverside", issn="1832-620X")


@pytest.fixture
def editor(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def draft_issue(bulletin):
    issue = IssueFactory(bulletin=bulletin, volume=11, number=5, year=2007, month=6)
    ArticleFactory(issue=issue, title="FOCUS on communities of practice", slug="focus-on-cops")
    return issue


@pytest.fixture
def subscribers(bulletin):
    return SubscriberFactory.create_batch(5, bulletin=bulletin)
