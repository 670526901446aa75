"""The member's private calendar feed; mounted by practica/notifications/urls.py under
/notifications/calendar/ beside the other ways a member hears about things."""

from django.urls import path

from practica.events import feed_views

app_name = "calendar"
urlpatterns = [
    path("", feed_views.feed_page, name="page"),
    path("new-link/", feed_views.feed_rotate, name="rotate"),
    path("<str:token>.ics", feed_views.feed, name="feed"),
]
