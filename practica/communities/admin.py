"""Admin for communities and membership: for operators fixing data, not for daily work.

Stewards work through the community's own pages, where every change goes through the
services and their capability checks.
"""

from django.contrib import admin

from practica.communities.models import (
    CapabilityOverride,
    Community,
    Invitation,
    JoinRequest,
    Membership,
    StageChange,
    Topic,
)


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 0
    prepopulated_fields = {"slug": ("name",)}


class CapabilityOverrideInline(admin.TabularInline):
    model = CapabilityOverride
    extra = 0


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "visibility", "join_policy", "organisation", "created_at"]
    list_filter = ["visibility", "join_policy", "organisation"]
    search_fields = ["name", "slug", "tagline"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [TopicInline, CapabilityOverrideInline]

    def save_model(self, request, obj, form, change):
        # Keep the rendered charter in step with its Markdown.
        obj.set_charter(obj.charter)
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "stage", "suspended", "joined_at"]
    list_filter = ["community", "stage", "suspended"]
    search_fields = ["user__display_name", "user__email", "user__username"]
    raw_id_fields = ["user"]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "status", "created_at", "decided_by"]
    list_filter = ["status", "community"]
    raw_id_fields = ["user", "decided_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "community", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["community"]
    search_fields = ["email"]
    raw_id_fields = ["invited_by", "accepted_by"]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["membership", "kind", "from_stage", "to_stage", "changed_by", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["membership", "changed_by"]
