from django.urls import path

from practica.search import views

app_name = "search"
urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search.json", views.search_json, name="search-json"),
    path("search/topics/", views.topic_index, name="topics"),
    path(
        "search/topics/<slug:community_slug>/<slug:topic_slug>/",
        views.topic_search,
        name="topic",
    ),
    path("search/authors/", views.author_suggestions, name="author-suggestions"),
    path("search/experts/", views.experts_page, name="experts"),
]
