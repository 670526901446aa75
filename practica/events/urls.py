from django.urls import path

from practica.events import views

app_name = "events"
urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/calendar/", views.event_month, name="month"),
    path("events/calendar/<int:year>/<int:month>/", views.event_month, name="month-of"),
    path("events/week/", views.event_week, name="week"),
    path("events/week/<int:year>/<int:month>/<int:day>/", views.event_week, name="week-of"),
    path("events.ics", views.community_feed, name="community-feed"),
    path("events/new/", views.event_create, name="create"),
    path("events/<int:event_id>/", views.event_detail, name="detail"),
    path("events/<int:event_id>.ics", views.event_ics, name="ics"),
    path("events/<int:event_id>/edit/", views.event_edit, name="edit"),
    path("events/<int:event_id>/cancel/", views.event_cancel, name="cancel"),
    path("events/<int:event_id>/rsvp/", views.event_rsvp, name="rsvp"),
    path("events/<int:event_id>/notes/", views.event_notes, name="notes"),
    path(
        "events/<int:event_id>/attendance/<str:occurrence_key>/",
        views.event_attendance,
        name="attendance",
    ),
]
