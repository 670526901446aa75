"""Factories for library rows; articles are made through the service so they have revisions."""

from __future__ import annotations

import factory

from practica.communities.stages import Stage
from practica.library.models import GlossaryTerm
from practica.library.services.articles import create_article
from practica.markdown import render_markdown
from practica.tests.factories import CommunityFactory, MembershipFactory


def full_member(community):
    return MembershipFactory(community=community, stage=Stage.FULL).user


def make_article(community, *, author=None, title="ISBAR handover", body="Use ISBAR.", **kwargs):
    """A published article with one revision, written by `author` (a new full member)."""
    author = author or full_member(community)
    kwargs.setdefault("kind", "guide")
    kwargs.setdefault("publish", True)
    return create_article(actor=author, community=community, title=title, body=body, **kwargs)


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GlossaryTerm

    community = factory.SubFactory(CommunityFactory)
    term = factory.Sequence(lambda n: f"term{n}")
    slug = factory.LazyAttribute(lambda o: o.term.lower().replace(" ", "-"))
    definition = "A thing we say."
    definition_html = factory.LazyAttribute(lambda o: render_markdown(o.definition))
    synonyms = factory.LazyFunction(list)
