"""Community pages. Each views module lists its own paths; this file only joins them."""

from practica.communities.views import browse, membership, progression

app_name = "communities"
urlpatterns = browse.urlpatterns + membership.urlpatterns + progression.urlpatterns
