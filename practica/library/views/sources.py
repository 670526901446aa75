"""Filing into the library from elsewhere: distil a solved thread, file an event's notes.

Both are plain POSTs from the thread or event page that redirect to the new article, or
back with the reason when they are refused.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from practica.communities.views.browse import community_for
from practica.conversations.querysets import thread_for
from practica.events.models import Event
from practica.events.querysets import event_for_page
from practica.library.services.sources import AlreadyFiled, distil_thread, file_event_notes


@login_required
@require_POST
def thread_distil(request, community_slug, thread_id):
    community = community_for(request, community_slug)
    thread = thread_for(request.user, community, thread_id)
    try:
        article = distil_thread(actor=request.user, thread=thread)
    except AlreadyFiled as refusal:
        messages.info(request, f"{refusal.messages[0]} Here it is.")
        return redirect(refusal.article.get_absolute_url())
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect(thread.get_absolute_url())
    messages.success(
        request, "A draft article now quotes the question and its accepted answer. Make it yours."
    )
    return redirect(article.get_absolute_url())


@login_required
@require_POST
def event_notes_file(request, community_slug, event_id):
    community = community_for(request, community_slug)
    try:
        event = event_for_page(community, event_id)
    except Event.DoesNotExist as error:
        raise Http404("There is no such event in this community.") from error
    try:
        article = file_event_notes(actor=request.user, event=event)
    except AlreadyFiled as refusal:
        messages.info(request, f"{refusal.messages[0]} Here it is.")
        return redirect(refusal.article.get_absolute_url())
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect(event.get_absolute_url() + "#notes")
    messages.success(
        request,
        "The notes are in the library"
        + (" as a draft for a full member to publish." if article.status == "draft" else "."),
    )
    return redirect(article.get_absolute_url())
