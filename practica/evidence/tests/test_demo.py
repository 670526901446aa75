import pytest

from practica.demo import communities, conversations, evidence, library, people
from practica.evidence.models import (
    Appraisal,
    Decision,
    EvidenceSummary,
    PracticeProposal,
    ProposalStatus,
    ProposedSummaryEdit,
)


@pytest.mark.django_db
def test_evidence_demo_seeds_once_with_every_stage_of_the_workflow(client):
    people.seed()
    communities.seed()
    conversations.seed()
    library.seed()
    evidence.seed()
    summaries = EvidenceSummary.objects.filter(community__slug="ward-care")
    assert summaries.count() == 3
    assert len({s.level for s in summaries}) == 3
    assert all(s.citation_title for s in summaries)
    statuses = set(PracticeProposal.objects.values_list("status", flat=True))
    assert statuses == {ProposalStatus.ADOPTED, ProposalStatus.PILOTING, ProposalStatus.DECLINED}
    assert Decision.objects.count() == 2
    assert Appraisal.objects.count() >= 3
    assert EvidenceSummary.objects.exclude(event=None).exists()
    adopted = PracticeProposal.objects.get(status=ProposalStatus.ADOPTED)
    response = client.get(adopted.get_pdf_url())
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    edit = ProposedSummaryEdit.objects.get()
    assert edit.proposer.email == "learner@example.com" and edit.is_open
    evidence.seed()
    assert EvidenceSummary.objects.count() == 3 and PracticeProposal.objects.count() == 3
    assert ProposedSummaryEdit.objects.count() == 1
    assert Decision.objects.count() == 2
