from django.urls import path

from practica.communities.views import browse

app_name = "communities"
urlpatterns = [
    path("", browse.community_list, name="list"),
    path("<slug:community_slug>/", browse.community_home, name="home"),
]
