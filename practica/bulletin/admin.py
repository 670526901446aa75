from django.contrib import admin

from practica.bulletin.models import (
    Article,
    ArticleAuthor,
    Bulletin,
    BulletinEditor,
    Delivery,
    Issue,
    RelatedItem,
    Subscriber,
    Topic,
)


class EditorInline(admin.TabularInline):
    model = BulletinEditor
    fk_name = "bulletin"
    extra = 0
    raw_id_fields = ["user", "added_by"]


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "community", "issn"]
    inlines = [EditorInline]


class AuthorInline(admin.TabularInline):
    model = ArticleAuthor
    extra = 0


class RelatedInline(admin.TabularInline):
    model = RelatedItem
    extra = 0


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["bulletin", "volume", "number", "year", "month", "status", "published_at"]
    list_filter = ["bulletin", "status"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "issue", "position"]
    list_select_related = ["issue", "issue__bulletin"]
    search_fields = ["title"]
    inlines = [AuthorInline, RelatedInline]
    filter_horizontal = ["topics"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "community_topic"]
    search_fields = ["name"]


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "bulletin", "status", "all_topics", "confirmed_at"]
    list_filter = ["bulletin", "status"]
    search_fields = ["email"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["issue", "subscriber", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["issue", "issue__bulletin", "subscriber"]
    raw_id_fields = ["issue", "subscriber"]
