"""Conversation URLs, below /c/<community_slug>/."""

from django.urls import path

from practica.conversations import views
from practica.conversations.models import ThreadKind

app_name = "conversations"
urlpatterns = [
    path("conversations/", views.thread_list, name="list"),
    path("conversations/ask/", views.thread_start, {"kind": ThreadKind.QUESTION}, name="ask"),
    path(
        "conversations/start/",
        views.thread_start,
        {"kind": ThreadKind.DISCUSSION},
        name="start",
    ),
    path("conversations/members.json", views.mention_members, name="mention-members"),
    path("conversations/staging/", views.staging_list, name="staging"),
    path("conversations/settings/", views.conversation_settings, name="settings"),
    path("conversations/<int:thread_id>/", views.thread_detail, name="thread"),
    path("conversations/<int:thread_id>/reply/", views.thread_reply, name="thread-reply"),
    path("conversations/<int:thread_id>/watch/", views.thread_watch, name="thread-watch"),
    path("conversations/<int:thread_id>/moderate/", views.thread_moderate, name="thread-moderate"),
    path("conversations/<int:thread_id>/staging/", views.staging_action, name="staging-action"),
    path("conversations/posts/<int:post_id>/", views.post_permalink, name="post"),
    path("conversations/posts/<int:post_id>/edit/", views.post_edit, name="post-edit"),
    path("conversations/posts/<int:post_id>/history/", views.post_history, name="post-history"),
    path("conversations/posts/<int:post_id>/delete/", views.post_delete, name="post-delete"),
    path("conversations/posts/<int:post_id>/helpful/", views.post_helpful, name="post-helpful"),
    path("conversations/posts/<int:post_id>/accept/", views.post_accept, name="post-accept"),
    path("conversations/posts/<int:post_id>/endorse/", views.post_endorse, name="post-endorse"),
    path("conversations/posts/<int:post_id>/flag/", views.post_flag, name="post-flag"),
    path("conversations/posts/<int:post_id>/hide/", views.post_hide, name="post-hide"),
    path("conversations/topics/<slug:topic_slug>/watch/", views.topic_watch, name="topic-watch"),
    path("questions/similar.json", views.similar_json, name="similar-json"),
    path("questions/similar/", views.similar_fragment, name="similar-fragment"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/flags/<int:flag_id>/dismiss/", views.flag_dismiss, name="flag-dismiss"),
]
