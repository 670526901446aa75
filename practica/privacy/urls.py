from django.urls import path

from practica.privacy import views

app_name = "privacy"

urlpatterns = [
    path("guard/<int:log_id>/", views.guard_target, name="guard-target"),
    path("redact/<slug:kind>/<int:object_id>/", views.redact, name="redact"),
    path("my-data/", views.my_data, name="my-data"),
    path("delete-account/", views.delete_account, name="delete-account"),
]
