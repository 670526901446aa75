from django.contrib import admin
from django.urls import include, path

from practica import views

handler403 = "practica.views.permission_denied"
handler404 = "practica.views.page_not_found"
handler500 = "practica.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("people/", include("practica.people.urls")),
    path("c/", include("practica.communities.urls")),
    path("admin/", admin.site.urls),
]
