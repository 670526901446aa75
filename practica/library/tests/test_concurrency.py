"""Two people saving the same article at the same moment, on two database connections."""

import threading

import pytest
from django.db import connection, connections

from practica.communities.stages import Stage
from practica.library.models import Revision
from practica.library.services.articles import EditConflict, save_revision
from practica.library.tests.factories import make_article
from practica.tests.factories import CommunityFactory, MembershipFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL's select_for_update"
)
def test_simultaneous_saves_from_the_same_base_never_both_win():
    community = CommunityFactory()
    alice = MembershipFactory(community=community, stage=Stage.FULL).user
    bob = MembershipFactory(community=community, stage=Stage.FULL).user
    article = make_article(community, author=alice, body="Shared start.")
    base = article.current_revision_id
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(name, user):
        try:
            barrier.wait(timeout=5)
            save_revision(
                actor=user,
                article=article.__class__.objects.select_related("community").get(pk=article.pk),
                base_revision_id=base,
                title=article.title,
                summary="",
                body=f"Shared start. {name}'s paragraph.",
            )
            outcomes[name] = "saved"
        except EditConflict:
            outcomes[name] = "conflict"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(n, u)) for n, u in (("Alice", alice), ("Bob", bob))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    assert Revision.objects.filter(article=article).count() == 2
