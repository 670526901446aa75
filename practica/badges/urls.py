"""Badge URLs under /badges/. The .json and .png paths are the stable public URLs that
hosted verification relies on: never change them once badges have been issued."""

from django.urls import path

from practica.badges import views

app_name = "badges"
urlpatterns = [
    path("issuer.json", views.issuer_json, name="issuer-json"),
    path("classes/<int:badge_class_id>.json", views.badge_class_json, name="class-json"),
    path("classes/<int:badge_class_id>.png", views.badge_class_image, name="class-image"),
    path("classes/<int:badge_class_id>/", views.badge_class_detail, name="class"),
    # Badge classes of communities that are not public, for verifiers holding an assertion.
    path(
        "classes/<uuid:badge_class_uid>.json",
        views.hosted_badge_class_json,
        name="hosted-class-json",
    ),
    path(
        "classes/<uuid:badge_class_uid>.png",
        views.hosted_badge_class_image,
        name="hosted-class-image",
    ),
    path("assertions/<uuid:assertion_uid>.json", views.assertion_json, name="assertion-json"),
    path("assertions/<uuid:assertion_uid>.png", views.assertion_image, name="assertion-image"),
    path("assertions/<uuid:assertion_uid>/", views.assertion_detail, name="assertion"),
    path(
        "assertions/<uuid:assertion_uid>/revoke/",
        views.assertion_revoke,
        name="assertion-revoke",
    ),
]
