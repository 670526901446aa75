from django.urls import path

from practica.people import views

app_name = "people"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("me/edit/", views.profile_edit, name="profile-edit"),
    path("<str:username>/", views.profile, name="profile"),
]
