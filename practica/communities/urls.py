"""Community pages. Each views module lists its own paths; this file only joins them."""

from practica.communities.views import browse, membership, progression, proposals

app_name = "communities"
# Proposals first: their paths ("propose/", "proposals/") would read as community slugs.
urlpatterns = (
    proposals.urlpatterns + browse.urlpatterns + membership.urlpatterns + progression.urlpatterns
)
