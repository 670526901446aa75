"""What the evidence services share: the community's scale and citation text."""

from __future__ import annotations

from practica.communities.models import Community
from practica.evidence.models import EvidenceScale, EvidenceSettings, EvidenceSummary
from practica.library.citations import vancouver
from practica.library.models import Reference, ReferenceKind


def settings_for(community: Community) -> EvidenceSettings:
    """The community's evidence settings; an unsaved default (NHMRC) when it has none."""
    cached = getattr(community, "_evidence_settings", None)
    if cached is None:
        cached = EvidenceSettings.objects.filter(community=community).first()
        if cached is None:
            cached = EvidenceSettings(community=community, scale=EvidenceScale.NHMRC)
        community._evidence_settings = cached
    return cached


def citation_text(summary: EvidenceSummary) -> str:
    """The summary's citation in the library's style (one line of plain text)."""
    return vancouver(as_reference(summary))


def as_reference(summary: EvidenceSummary) -> Reference:
    """An unsaved library Reference carrying the summary's citation, for the citation style."""
    return Reference(
        kind=ReferenceKind.ARTICLE if summary.citation_source else ReferenceKind.REPORT,
        authors=list(summary.citation_authors or []),
        year=summary.citation_year,
        title=summary.citation_title,
        container=summary.citation_source,
        volume=summary.citation_volume,
        issue=summary.citation_issue,
        pages=summary.citation_pages,
        doi=summary.citation_doi,
        url=summary.citation_url,
    )
