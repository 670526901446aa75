"""The member's access-token settings, under /people/me/tokens/."""

from django.urls import path

from practica.api import views

app_name = "api-tokens"
urlpatterns = [
    path("", views.token_list, name="list"),
    path("service/", views.service_token_create, name="service-create"),
    path("<int:token_id>/revoke/", views.token_revoke, name="revoke"),
]
