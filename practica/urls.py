from django.contrib import admin
from django.urls import include, path

from practica import views
from practica.api.webhooks import urls as webhook_urls

handler403 = "practica.views.permission_denied"
handler404 = "practica.views.page_not_found"
handler500 = "practica.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("preview/", views.markdown_preview, name="markdown-preview"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("people/me/tokens/", include("practica.api.settings_urls")),
    path("people/", include("practica.people.urls")),
    path("notifications/", include("practica.notifications.urls")),
    path("privacy/", include("practica.privacy.urls")),
    # Community-scoped pages of each capability live under /c/<slug>/…; each app's urls.py
    # declares its own paths below that prefix.
    path("c/", include("practica.communities.urls")),
    path("c/", include("practica.portability.views")),
    path("c/<slug:community_slug>/webhooks/", include(webhook_urls.community_urls)),
    path("webhooks/", include(webhook_urls.instance_urls)),
    path("c/<slug:community_slug>/", include("practica.conversations.urls")),
    path("c/<slug:community_slug>/", include("practica.library.urls")),
    path("c/<slug:community_slug>/", include("practica.evidence.urls")),
    path("c/<slug:community_slug>/", include("practica.events.urls")),
    path("c/<slug:community_slug>/", include("practica.insights.urls")),
    path("insights/", include("practica.insights.staff_urls")),
    path("learning/", include("practica.learning.urls")),
    path("badges/", include("practica.badges.urls")),
    path("bulletin/", include("practica.bulletin.urls")),
    path("", include("practica.search.urls")),
    path("api/", include("practica.api.urls")),
    path("admin/", admin.site.urls),
]
