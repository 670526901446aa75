"""The A–Z glossary page and its editor."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from practica.communities.capabilities import Capability, can_map, require
from practica.communities.views.browse import community_for
from practica.library.forms import GlossaryTermForm
from practica.library.models import GlossaryTerm
from practica.library.services import glossary as glossary_services
from practica.library.views.common import add_validation_errors


def _glossary_url(community, term: GlossaryTerm | None = None) -> str:
    url = reverse("library:glossary", kwargs={"community_slug": community.slug})
    return f"{url}#{term.anchor}" if term else url


def glossary(request, community_slug):
    community = community_for(request, community_slug)
    terms = sorted(
        GlossaryTerm.objects.filter(community=community).prefetch_related("topics"),
        key=lambda t: (t.letter == "#", t.letter, t.term.casefold()),
    )
    groups = [(letter, list(items)) for letter, items in groupby(terms, key=lambda t: t.letter)]
    letters = [letter for letter, _ in groups]
    return render(
        request,
        "library/glossary.html",
        {
            "community": community,
            "groups": groups,
            "letters": letters,
            "alphabet": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "term_count": len(terms),
            **can_map(request.user, community, [Capability.EDIT_ARTICLE]),
        },
    )


@login_required
def glossary_term_edit(request, community_slug, term_slug=None):
    community = community_for(request, community_slug)
    require(request.user, Capability.EDIT_ARTICLE, community=community)
    term = None
    initial = {}
    if term_slug is not None:
        term = get_object_or_404(GlossaryTerm, community=community, slug=term_slug)
        initial = {
            "term": term.term,
            "definition": term.definition,
            "synonyms": ", ".join(term.synonyms),
            "topics": list(term.topics.all()),
        }
    form = GlossaryTermForm(request.POST or None, initial=initial, community=community)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = glossary_services.save_term(
                actor=request.user,
                community=community,
                term=data["term"],
                definition=data["definition"],
                synonyms=glossary_services.parse_synonyms(data["synonyms"]),
                existing=term,
                confirm_guard=form.guard_confirmed,
                topics=list(data.get("topics") or []),
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"“{saved.term}” saved in the glossary.")
            return redirect(_glossary_url(community, saved))
    return render(
        request,
        "library/glossary_term_form.html",
        {"community": community, "form": form, "term": term},
    )


@require_POST
@login_required
def glossary_term_delete(request, community_slug, term_slug):
    community = community_for(request, community_slug)
    term = get_object_or_404(GlossaryTerm, community=community, slug=term_slug)
    term.community = community
    glossary_services.delete_term(actor=request.user, term=term)
    messages.success(request, f"“{term.term}” removed from the glossary.")
    return redirect(_glossary_url(community))
