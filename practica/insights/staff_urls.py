"""Figures across every community, for the instance's staff: /insights/."""

from django.urls import path

from practica.insights import views

app_name = "insights-staff"
urlpatterns = [path("", views.across, name="across")]
