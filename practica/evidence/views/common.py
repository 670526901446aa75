"""What the evidence pages share: fetching a summary or proposal, and showing a service's
errors on a form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404

from practica.evidence import querysets
from practica.privacy.forms import apply_service_error


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: beside a field when it names one (and
    the patient-data guard's warning panel when that is what it is)."""
    apply_service_error(form, error)


def summary_or_404(community, summary_id: int):
    summary = querysets.summary_for_page(community, summary_id)
    if summary is None:
        raise Http404("No such evidence summary.")
    return summary


def proposal_or_404(community, proposal_id: int):
    proposal = querysets.proposal_for_page(community, proposal_id)
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal
