"""An article's references: add one, paste BibTeX or RIS, remove, and export."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from practica.library.citations import to_bibtex, to_ris, vancouver
from practica.library.models import Reference, ReferenceKind
from practica.library.services import references as reference_services
from practica.library.services.articles import require_edit
from practica.library.views.common import add_validation_errors, article_or_404
from practica.words import counted


class ReferenceForm(forms.Form):
    kind = forms.ChoiceField(label="Type", choices=ReferenceKind.choices)
    authors = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line, as Family, Given (e.g. Wenger, Etienne). An organisation as written.",
    )
    title = forms.CharField(max_length=500)
    container = forms.CharField(label="Journal or book", max_length=300, required=False)
    year = forms.IntegerField(min_value=1500, max_value=2100, required=False)
    publisher = forms.CharField(max_length=200, required=False)
    place = forms.CharField(label="Place of publication", max_length=100, required=False)
    volume = forms.CharField(max_length=30, required=False)
    issue = forms.CharField(max_length=30, required=False)
    pages = forms.CharField(max_length=30, required=False)
    doi = forms.CharField(label="DOI", max_length=200, required=False)
    url = forms.URLField(label="Web address", max_length=500, required=False, assume_scheme="https")

    def clean_authors(self):
        return [
            " ".join(line.split())
            for line in self.cleaned_data["authors"].splitlines()
            if line.strip()
        ]

    def clean_doi(self):
        doi = self.cleaned_data["doi"].strip()
        for prefix in ("https://doi.org/", "http://doi.org/", "doi:"):
            if doi.lower().startswith(prefix):
                doi = doi[len(prefix) :]
        return doi


class PasteForm(forms.Form):
    text = forms.CharField(
        label="Paste BibTeX or RIS",
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8, "class": "monospace"}),
        help_text="Export from your reference manager and paste here; several at once is fine.",
    )


@login_required
def references_manage(request, community_slug, article_slug):
    community, article = article_or_404(request, community_slug, article_slug)
    require_edit(request.user, article)
    form, paste_form = ReferenceForm(), PasteForm()
    if request.method == "POST":
        try:
            if "text" in request.POST:
                paste_form = PasteForm(request.POST)
                if paste_form.is_valid():
                    added = reference_services.import_references(
                        actor=request.user, article=article, text=paste_form.cleaned_data["text"]
                    )
                    messages.success(request, f"Added {counted(len(added), 'reference')}.")
                    return redirect(request.path)
            else:
                form = ReferenceForm(request.POST)
                if form.is_valid():
                    reference_services.add_reference(
                        actor=request.user, article=article, **form.cleaned_data
                    )
                    messages.success(request, "Reference added.")
                    return redirect(request.path)
        except ValidationError as error:
            add_validation_errors(paste_form if "text" in request.POST else form, error)
    references = [(ref, vancouver(ref)) for ref in article.references.all()]
    return render(
        request,
        "library/references_manage.html",
        {"community": community, "article": article, "form": form, "paste_form": paste_form,
         "references": references},
    )  # fmt: skip


@require_POST
@login_required
def reference_remove(request, community_slug, article_slug, reference_id):
    community, article = article_or_404(request, community_slug, article_slug)
    reference = get_object_or_404(Reference, pk=reference_id, article=article)
    reference.article = article
    reference_services.remove_reference(actor=request.user, reference=reference)
    messages.success(request, "Reference removed.")
    return redirect("library:references", community_slug=community.slug, article_slug=article.slug)


def references_export(request, community_slug, article_slug, fmt):
    community, article = article_or_404(request, community_slug, article_slug)
    references = list(article.references.all())
    if fmt == "ris":
        body, content_type = to_ris(references), "application/x-research-info-systems"
    elif fmt == "bib":
        body, content_type = to_bibtex(references), "application/x-bibtex"
    else:
        raise Http404("Unknown format.")
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{article.slug}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
