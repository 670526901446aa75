"""Collections: ordered paths through articles, resources and conversation threads,
curated by full members.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from practica.communities.capabilities import Capability, require
from practica.conversations.models import Thread
from practica.conversations.querysets import public_threads
from practica.library.models import Article, ArticleStatus, Collection, CollectionItem, Resource


def create_collection(*, actor, community, title: str, description: str = "") -> Collection:
    require(actor, Capability.EDIT_ARTICLE, community=community)
    base = slugify(title)[:70] or "collection"
    taken = set(Collection.objects.filter(community=community).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    collection = Collection(
        community=community,
        slug=slug,
        title=" ".join(title.split()),
        description=description.strip(),
        created_by=actor,
    )
    with transaction.atomic():
        collection.full_clean()
        collection.save()
    return collection


def add_item(
    *,
    actor,
    collection: Collection,
    article: Article | None = None,
    resource: Resource | None = None,
    thread: Thread | None = None,
    note: str = "",
) -> CollectionItem:
    """Append a published article, a resource or a public thread of the same community.

    A thread must be one everyone who reads the community may open (published, neither
    hidden, deleted nor staged): a collection is a path for learners, not for moderators.
    """
    require(actor, Capability.EDIT_ARTICLE, community=collection.community)
    targets = [t for t in (article, resource, thread) if t is not None]
    if len(targets) != 1:
        raise ValidationError("Choose one article, resource or conversation.")
    target = targets[0]
    if target.community_id != collection.community_id:
        raise ValidationError("That belongs to another community.")
    if article is not None and article.status != ArticleStatus.PUBLISHED:
        raise ValidationError("Only published articles can go in a collection.")
    with transaction.atomic():
        Collection.objects.select_for_update(of=("self",)).get(pk=collection.pk)
        if thread is not None:
            if not public_threads(collection.community).filter(pk=thread.pk).exists():
                raise ValidationError(
                    "Only published conversations that are not hidden or deleted can go in "
                    "a collection."
                )
            if collection.items.filter(thread=thread).exists():
                raise ValidationError("That conversation is already in this collection.")
        last = collection.items.aggregate(last=Max("position"))["last"] or 0
        item = CollectionItem(
            collection=collection,
            position=last + 1,
            article=article,
            resource=resource,
            thread=thread,
            note=note,
        )
        item.full_clean(exclude=["collection"])
        item.save()
    return item


def remove_item(*, actor, item: CollectionItem) -> None:
    require(actor, Capability.EDIT_ARTICLE, community=item.collection.community)
    with transaction.atomic():
        item.delete()


def move_item(*, actor, item: CollectionItem, direction: int) -> None:
    """Swap the item with its neighbour before (-1) or after (+1)."""
    require(actor, Capability.EDIT_ARTICLE, community=item.collection.community)
    with transaction.atomic():
        Collection.objects.select_for_update(of=("self",)).get(pk=item.collection_id)
        siblings = list(item.collection.items.order_by("position", "pk"))
        index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
        other = index + (1 if direction > 0 else -1)
        if not 0 <= other < len(siblings):
            return
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, sibling in enumerate(siblings, start=1):
            if sibling.position != position:
                CollectionItem.objects.filter(pk=sibling.pk).update(position=position)
