"""Community health pages, below /c/<community_slug>/."""

from django.urls import path

from practica.insights import story_views, views

app_name = "insights"
urlpatterns = [
    path("insights/", views.dashboard, name="dashboard"),
    path("insights/value/", story_views.matrix, name="matrix"),
    path("insights/report/", story_views.report, name="report"),
    path("insights/report.pdf", story_views.report_pdf, name="report-pdf"),
    path("insights/stories/", story_views.story_list, name="stories"),
    path("insights/stories/new/", story_views.story_new, name="story-new"),
    path("insights/stories/<int:story_id>/", story_views.story_detail, name="story"),
    path(
        "insights/stories/<int:story_id>/consent/", story_views.story_consent, name="story-consent"
    ),
    path("insights/stories/<int:story_id>/choose/", story_views.story_choose, name="story-choose"),
    path("insights/<slug:table_name>.csv", views.table_csv, name="table-csv"),
]
