"""Collections: the list, one collection, walking through it, and curating it (also from a
thread page: "Add to a collection").
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from practica.communities.capabilities import Capability, can_map, require
from practica.communities.views.browse import community_for
from practica.conversations.models import Thread
from practica.conversations.querysets import public_threads, thread_for
from practica.library.glossary import link_glossary_terms
from practica.library.models import Article, ArticleStatus, Collection, CollectionItem, Resource
from practica.library.querysets import collection_steps, thread_step
from practica.library.services import collections as collection_services
from practica.library.views.common import add_validation_errors


class CollectionForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ItemForm(forms.Form):
    item = forms.ChoiceField(label="Add an article, resource or conversation")
    note = forms.CharField(label="Why it is here", max_length=300, required=False)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        articles = Article.objects.filter(
            community=community, status=ArticleStatus.PUBLISHED
        ).order_by("title")
        resources = Resource.objects.filter(community=community).order_by("title")
        threads = public_threads(community).order_by("title", "pk")
        self.fields["item"].choices = [
            ("Articles", [(f"article:{a.pk}", a.title) for a in articles.only("title")]),
            ("Resources", [(f"resource:{r.pk}", r.title) for r in resources.only("title")]),
            ("Conversations", [(f"thread:{t.pk}", t.title) for t in threads.only("title")]),
        ]


def collection_list(request, community_slug):
    community = community_for(request, community_slug)
    from django.db.models import Count

    collections = Collection.objects.filter(community=community).annotate(item_count=Count("items"))
    return render(
        request,
        "library/collection_list.html",
        {"community": community, "collections": collections, "form": CollectionForm(),
         **can_map(request.user, community, [Capability.EDIT_ARTICLE])},
    )  # fmt: skip


@require_POST
@login_required
def collection_new(request, community_slug):
    community = community_for(request, community_slug)
    form = CollectionForm(request.POST)
    if form.is_valid():
        collection = collection_services.create_collection(
            actor=request.user, community=community, **form.cleaned_data
        )
        return redirect(collection)
    require(request.user, Capability.EDIT_ARTICLE, community=community)
    messages.error(request, "Give the collection a title.")
    return redirect("library:collections", community_slug=community.slug)


def _collection(request, community_slug, collection_slug):
    community = community_for(request, community_slug)
    collection = get_object_or_404(Collection, community=community, slug=collection_slug)
    collection.community = community
    return community, collection


def collection_detail(request, community_slug, collection_slug):
    community, collection = _collection(request, community_slug, collection_slug)
    capabilities = can_map(request.user, community, [Capability.EDIT_ARTICLE])
    form = None
    if capabilities["can_edit_article"]:
        data = request.POST if request.method == "POST" else None
        form = ItemForm(data, community=community)
        if form.is_bound and form.is_valid():
            kind, _, pk = form.cleaned_data["item"].partition(":")
            kinds = {"article": Article, "resource": Resource, "thread": Thread}
            target = {
                name: model.objects.filter(community=community, pk=pk).first()
                if kind == name else None
                for name, model in kinds.items()
            }  # fmt: skip
            try:
                collection_services.add_item(
                    actor=request.user,
                    collection=collection,
                    note=form.cleaned_data["note"],
                    **target,
                )
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, "Added to the collection.")
                return redirect(collection)
    items = collection_steps(request.user, collection)
    return render(
        request,
        "library/collection_detail.html",
        {"community": community, "collection": collection, "items": items.steps,
         "unavailable": items.unavailable, "form": form, **capabilities},
    )  # fmt: skip


def collection_walk(request, community_slug, collection_slug, step):
    """One step of the collection, with previous and next, for a learner walking through it.

    Threads the reader may no longer open are not steps at all, so the numbering and the
    previous/next links pass over them.
    """
    community, collection = _collection(request, community_slug, collection_slug)
    items = collection_steps(request.user, collection).steps
    if not 1 <= step <= len(items):
        raise Http404("No such step.")
    item = items[step - 1]
    body_html, thread = "", None
    if item.article is not None:
        if item.article.status != ArticleStatus.PUBLISHED:
            raise Http404("This article is not published.")
        body_html = link_glossary_terms(item.article.body_html, community)
    elif item.thread is not None:
        thread = thread_step(item.thread)
        for post in (thread.question, thread.answer):
            if post is not None:
                post.linked_html = link_glossary_terms(post.body_html, community)
    return render(
        request,
        "library/collection_walk.html",
        {"community": community, "collection": collection, "item": item, "step": step,
         "total": len(items), "body_html": body_html, "thread_step": thread},
    )  # fmt: skip


@require_POST
@login_required
def collection_item_move(request, community_slug, collection_slug, item_id):
    community, collection = _collection(request, community_slug, collection_slug)
    item = get_object_or_404(CollectionItem, pk=item_id, collection=collection)
    item.collection = collection
    action = request.POST.get("action")
    if action == "remove":
        collection_services.remove_item(actor=request.user, item=item)
    else:
        collection_services.move_item(
            actor=request.user, item=item, direction=-1 if action == "up" else 1
        )
    return redirect(collection)


@require_POST
@login_required
def thread_collect(request, community_slug, thread_id):
    """Add a thread to a collection from the thread page; back to the thread either way."""
    community = community_for(request, community_slug)
    thread = thread_for(request.user, community, thread_id)
    collection_id = request.POST.get("collection", "")
    collection = (
        Collection.objects.filter(community=community, pk=collection_id).first()
        if collection_id.isdigit()
        else None
    )
    if collection is None:
        require(request.user, Capability.EDIT_ARTICLE, community=community)
        messages.error(request, "Choose a collection to add the conversation to.")
        return redirect(thread)
    collection.community = community
    try:
        collection_services.add_item(actor=request.user, collection=collection, thread=thread)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, f"Added to the collection “{collection.title}”.")
    return redirect(thread)
