"""Evidence pages, below /c/<community_slug>/."""

from django.urls import path

from practica.evidence import views

app_name = "evidence"
urlpatterns = [
    path("evidence/", views.evidence_list, name="list"),
    path("evidence/new/", views.summary_new, name="summary-new"),
    path("evidence/due/", views.due_for_review, name="due"),
    path("evidence/settings/", views.evidence_settings, name="settings"),
    path("evidence/<int:summary_id>/", views.summary_detail, name="summary"),
    path("evidence/<int:summary_id>/edit/", views.summary_edit, name="summary-edit"),
    path("evidence/<int:summary_id>/history/", views.summary_history, name="summary-history"),
    path("evidence/<int:summary_id>/appraise/", views.summary_appraise, name="summary-appraise"),
    path("evidence/<int:summary_id>/discuss/", views.summary_discuss, name="summary-discuss"),
    path("evidence/proposals/", views.proposal_list, name="proposals"),
    path("evidence/proposals/new/", views.proposal_new, name="proposal-new"),
    path("evidence/proposals/<int:proposal_id>/", views.proposal_detail, name="proposal"),
    path("evidence/proposals/<int:proposal_id>/move/", views.proposal_move, name="proposal-move"),
    path("evidence/proposals/<int:proposal_id>.pdf", views.proposal_pdf, name="proposal-pdf"),
    path("decisions/", views.decision_list, name="decisions"),
]
