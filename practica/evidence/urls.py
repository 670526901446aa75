"""Evidence pages, below /c/<community_slug>/."""

from django.urls import path

from practica.evidence.views import edits, proposals, summaries

app_name = "evidence"
urlpatterns = [
    path("evidence/", summaries.evidence_list, name="list"),
    path("evidence/new/", summaries.summary_new, name="summary-new"),
    path("evidence/due/", summaries.due_for_review, name="due"),
    path("evidence/settings/", summaries.evidence_settings, name="settings"),
    path("evidence/<int:summary_id>/", summaries.summary_detail, name="summary"),
    path("evidence/<int:summary_id>/edit/", summaries.summary_edit, name="summary-edit"),
    path("evidence/<int:summary_id>/history/", summaries.summary_history, name="summary-history"),
    path(
        "evidence/<int:summary_id>/appraise/", summaries.summary_appraise, name="summary-appraise"
    ),
    path("evidence/<int:summary_id>/discuss/", summaries.summary_discuss, name="summary-discuss"),
    path("evidence/<int:summary_id>/propose/", edits.summary_propose, name="summary-propose"),
    path("evidence/<int:summary_id>/edits/<int:edit_id>/", edits.edit_detail, name="edit"),
    path(
        "evidence/<int:summary_id>/edits/<int:edit_id>/decide/",
        edits.edit_decide,
        name="edit-decide",
    ),
    path(
        "evidence/<int:summary_id>/edits/<int:edit_id>/revise/",
        edits.edit_revise,
        name="edit-revise",
    ),
    path("evidence/proposals/", proposals.proposal_list, name="proposals"),
    path("evidence/proposals/new/", proposals.proposal_new, name="proposal-new"),
    path("evidence/proposals/<int:proposal_id>/", proposals.proposal_detail, name="proposal"),
    path(
        "evidence/proposals/<int:proposal_id>/move/", proposals.proposal_move, name="proposal-move"
    ),
    path("evidence/proposals/<int:proposal_id>.pdf", proposals.proposal_pdf, name="proposal-pdf"),
    path("decisions/", proposals.decision_list, name="decisions"),
]
