"""/api/: version 1 of the REST API (namespace "api") and the page explaining its problems."""

from django.urls import path

from practica.api.docs import problems_page
from practica.api.main import api

urlpatterns = [
    path("v1/problems", problems_page, name="api-problems"),
    path("v1/", api.urls),
]
