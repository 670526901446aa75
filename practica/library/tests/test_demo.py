import pytest

from practica.demo import communities, library, people
from practica.library.models import (
    Article,
    Collection,
    GlossaryTerm,
    ProposalStatus,
    ProposedEdit,
    Reference,
    Resource,
)


@pytest.mark.django_db
def test_library_demo_seeds_once_with_revisions_and_a_learner_proposal():
    people.seed()
    communities.seed()
    library.seed()
    assert Article.objects.filter(community__slug="ward-care").count() == 15
    assert all(a.revisions.count() >= 3 for a in Article.objects.all())
    assert GlossaryTerm.objects.count() == 30
    proposal = ProposedEdit.objects.get()
    assert proposal.proposer.email == "learner@example.com"
    assert proposal.status == ProposalStatus.PENDING
    assert Resource.objects.filter(kind="file").count() == 2
    assert Resource.objects.filter(kind="link").count() == 2
    assert Reference.objects.filter(title__startswith="Situated learning").exists()
    assert Reference.objects.filter(title__startswith="Cultivating communities").exists()
    assert Collection.objects.get().items.count() == 7
    library.seed()
    assert Article.objects.count() == 15 and ProposedEdit.objects.count() == 1
    assert Resource.objects.count() == 4 and Collection.objects.count() == 1


@pytest.mark.django_db
def test_library_demo_distils_a_solved_ward_care_thread_once():
    from practica.demo import conversations, trajectory

    people.seed()
    communities.seed()
    trajectory.seed()
    conversations.seed()
    library.seed()
    article = Article.objects.get(source_thread__external_id=library.DISTILLED_THREAD)
    assert article.status == "draft" and article.created_by.email == "full@example.com"
    assert article.source_url == article.source_thread.get_absolute_url()
    assert "> — " in article.body
    library.seed()
    assert Article.objects.filter(source_thread__isnull=False).count() == 1


@pytest.mark.django_db
def test_library_demo_puts_two_solved_threads_in_the_starter_kit_once():
    from practica.demo import conversations, trajectory

    people.seed()
    communities.seed()
    trajectory.seed()
    conversations.seed()
    library.seed()
    kit = Collection.objects.get(slug="starter-kit-for-new-nurses-on-the-ward")
    threads = [item.thread for item in kit.items.filter(thread__isnull=False)]
    assert [t.external_id for t in threads] == [key for key, _ in library.STARTER_KIT_THREADS]
    assert all(t.is_solved and t.is_public for t in threads)
    library.seed()
    assert kit.items.filter(thread__isnull=False).count() == 2
