"""Factories for the bulletin; published issues come from services in the tests that care."""

import factory
from django.utils import timezone

from practica.bulletin.models import (
    Article,
    ArticleAuthor,
    Bulletin,
    Issue,
    IssueStatus,
    Subscriber,
    SubscriberStatus,
    Topic,
)
from practica.bulletin.rendering import render_article


class BulletinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bulletin

    name = factory.Sequence(lambda n: f"Research Bulletin {n}")
    slug = factory.Sequence(lambda n: f"research-{n}")
    description = "News of primary health care research."
    community = None


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    bulletin = factory.SubFactory(BulletinFactory)
    volume = 11
    number = factory.Sequence(lambda n: n % 12 + 1)
    year = factory.Sequence(lambda n: 2007 + n // 12)
    month = factory.Sequence(lambda n: n % 12 + 1)
    editorial = "Welcome to this issue."
    editorial_html = "<p>Welcome to this issue.</p>"

    class Params:
        published = factory.Trait(
            status=IssueStatus.PUBLISHED, published_at=factory.LazyFunction(timezone.now)
        )


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    issue = factory.SubFactory(IssueFactory)
    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "A short summary."
    body = "Some text.[^1]\n\n[^1]: Wenger, E. (1998) Communities of practice."
    body_html = factory.LazyAttribute(lambda o: str(render_article(o.body)))
    position = factory.LazyAttribute(lambda o: o.issue.articles.count())

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.topics.set(extracted)

    @factory.post_generation
    def authors(obj, create, extracted, **kwargs):
        if create:
            for i, (name, role) in enumerate(
                extracted or [("Eleanor Jackson", "Research Associate")]
            ):
                ArticleAuthor.objects.create(article=obj, name=name, role=role, position=i)


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    bulletin = factory.SubFactory(BulletinFactory)
    email = factory.Sequence(lambda n: f"reader{n}@example.net")
    status = SubscriberStatus.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)
