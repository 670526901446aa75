import pytest

from practica.demo import communities, library, people
from practica.library.models import Article, GlossaryTerm, ProposalStatus, ProposedEdit


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
    library.seed()
    assert Article.objects.count() == 15 and ProposedEdit.objects.count() == 1
