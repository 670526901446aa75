"""Keeping SearchEntry in step with the things it indexes. Called from tasks, on commit."""

from __future__ import annotations

from django.utils import timezone

from practica.search.models import SearchEntry

BODY_INDEX_CHARS = 20_000


def index_thread(thread) -> SearchEntry:
    """Create or update the entry for a conversation thread (its title and opening post)."""
    opening = thread.posts.filter(is_opening=True).only("body").first()
    topics = " ".join(thread.topics.values_list("name", flat=True))
    entry, _ = SearchEntry.objects.update_or_create(
        kind=thread.kind,
        object_id=thread.pk,
        defaults={
            "community_id": thread.community_id,
            "title": thread.title,
            "body": (opening.body if opening else "")[:BODY_INDEX_CHARS],
            "url": thread.get_absolute_url(),
            "external_id": thread.external_id or "",
            "author_id": thread.author_id,
            "topics": topics[:1000],
            "is_public": thread.is_public,
            "created_at": thread.created_at,
            "updated_at": timezone.now(),
        },
    )
    # A thread that changed kind leaves its old entry behind: remove it.
    SearchEntry.objects.filter(object_id=thread.pk, kind__in=["question", "discussion"]).exclude(
        kind=thread.kind
    ).delete()
    return entry


def remove_thread(thread_id: int) -> None:
    SearchEntry.objects.filter(object_id=thread_id, kind__in=["question", "discussion"]).delete()
