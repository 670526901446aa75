from django.contrib import admin

from practica.badges.models import Assertion, BadgeClass


@admin.register(BadgeClass)
class BadgeClassAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "community", "stage", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["module", "community"]


@admin.register(Assertion)
class AssertionAdmin(admin.ModelAdmin):
    list_display = ["badge_class", "recipient", "issued_on", "revoked_at"]
    list_filter = ["badge_class__kind"]
    search_fields = ["badge_class__name", "recipient__username", "recipient__email"]
    raw_id_fields = ["badge_class", "recipient", "revoked_by"]
    readonly_fields = ["uid", "salt", "identity"]
