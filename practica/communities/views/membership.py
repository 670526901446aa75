"""Joining, leaving, invitations, join requests and community settings."""

urlpatterns: list = []
