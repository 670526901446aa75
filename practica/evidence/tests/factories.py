"""Factories for the evidence app's models."""

import factory

from practica.evidence.models import (
    Appraisal,
    EvidenceScale,
    EvidenceSummary,
    PracticeProposal,
    ProposalStatus,
    ProposalTransition,
    Rating,
)
from practica.tests.factories import CommunityFactory, UserFactory


class EvidenceSummaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceSummary

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Structured handover study {n}")
    citation_title = factory.Sequence(lambda n: f"A trial of structured handover {n}")
    citation_authors = ["Nguyen, Anh", "Smith, Jo"]
    citation_source = "BMJ Quality & Safety"
    citation_year = 2019
    key_findings = "Fewer omissions at handover."
    key_findings_html = "<p>Fewer omissions at handover.</p>"
    scale = EvidenceScale.NHMRC
    level = "II"
    implications = "Use a structured tool."
    implications_html = "<p>Use a structured tool.</p>"
    revision_count = 0


class PracticeProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeProposal
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Change handover practice {n}")
    change = "Use ISBAR at every handover."
    change_html = "<p>Use ISBAR at every handover.</p>"
    status = ProposalStatus.PROPOSED
    proposed_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def proposed_transition(obj, create, extracted, **kwargs):
        if create:
            ProposalTransition.objects.create(
                proposal=obj,
                from_status="",
                to_status=obj.status,
                actor=obj.proposed_by,
                reason="Proposed.",
            )


class AppraisalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appraisal

    summary = factory.SubFactory(EvidenceSummaryFactory)
    appraiser = factory.SubFactory(UserFactory)
    validity = Rating.GOOD
    results = Rating.SOME_CONCERNS
    applicability = Rating.GOOD
