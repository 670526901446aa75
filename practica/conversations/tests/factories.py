"""Factories for conversations. Threads made here skip the services: use them for reads."""

import factory
from django.utils import timezone

from practica.conversations.models import Post, Thread, ThreadKind, ThreadStatus
from practica.markdown import render_markdown
from practica.tests.factories import CommunityFactory, UserFactory


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thread
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    author = factory.SubFactory(UserFactory)
    kind = ThreadKind.QUESTION
    title = factory.Sequence(lambda n: f"How do we handle question number {n}?")
    status = ThreadStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def body(obj, create, extracted, **kwargs):
        """Every thread has its opening post; pass body="…" to choose its text."""
        if create:
            text = extracted if extracted is not None else "Some details about the situation."
            Post.objects.create(
                thread=obj,
                author=obj.author,
                is_opening=True,
                body=text,
                body_html=render_markdown(text),
            )


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Reply number {n} with a useful suggestion.")
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))
