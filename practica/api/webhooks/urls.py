"""Webhook pages: /c/<slug>/webhooks/ for stewards, /webhooks/ for staff (instance-wide)."""

from django.urls import path

from practica.api.webhooks import views

patterns = [
    path("", views.webhook_list, name="list"),
    path("<int:hook_id>/", views.webhook_detail, name="detail"),
    path("<int:hook_id>/toggle/", views.webhook_toggle, name="toggle"),
    path(
        "<int:hook_id>/deliveries/<int:delivery_id>/redeliver/",
        views.webhook_redeliver,
        name="redeliver",
    ),
]
community_urls = (patterns, "webhooks")
instance_urls = (patterns, "webhooks-instance")
