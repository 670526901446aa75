"""Library pages, below /c/<community_slug>/ (see practica/urls.py)."""

from django.urls import path

from practica.library.views import (
    articles,
    collections,
    glossary,
    proposals,
    references,
    resources,
    sources,
)

app_name = "library"

ARTICLE = "library/articles/<slug:article_slug>/"

urlpatterns = [
    path("library/", articles.library, name="library"),
    path("library/due/", articles.due_for_review, name="due"),
    path("library/new/", articles.article_new, name="article-new"),
    path("library/distil/<int:thread_id>/", sources.thread_distil, name="thread-distil"),
    path("library/collect/<int:thread_id>/", collections.thread_collect, name="thread-collect"),
    path("library/file-notes/<int:event_id>/", sources.event_notes_file, name="event-notes-file"),
    path(ARTICLE, articles.article_detail, name="article"),
    path(f"{ARTICLE}edit/", articles.article_edit, name="article-edit"),
    path(f"{ARTICLE}history/", articles.article_history, name="history"),
    path(f"{ARTICLE}compare/", articles.revision_compare, name="compare"),
    path(f"{ARTICLE}revisions/<int:number>/", articles.revision_detail, name="revision"),
    path(f"{ARTICLE}revisions/<int:number>/revert/", articles.revision_revert, name="revert"),
    path(f"{ARTICLE}comments/", articles.comment_add, name="comment-add"),
    path(f"{ARTICLE}review/", articles.article_review, name="article-review"),
    path(f"{ARTICLE}status/", articles.article_status, name="article-status"),
    path(f"{ARTICLE}proposals/<int:proposal_id>/", proposals.proposal_detail, name="proposal"),
    path(
        f"{ARTICLE}proposals/<int:proposal_id>/decide/",
        proposals.proposal_decide,
        name="proposal-decide",
    ),
    path(
        f"{ARTICLE}proposals/<int:proposal_id>/edit/",
        proposals.proposal_edit,
        name="proposal-edit",
    ),
    path(f"{ARTICLE}references/", references.references_manage, name="references"),
    path(
        f"{ARTICLE}references/<int:reference_id>/remove/",
        references.reference_remove,
        name="reference-remove",
    ),
    path(
        "library/articles/<slug:article_slug>/references.<str:fmt>",
        references.references_export,
        name="references-export",
    ),
    path("library/resources/", resources.resource_list, name="resources"),
    path("library/resources/new/", resources.resource_new, name="resource-new"),
    path("library/resources/<int:resource_id>/", resources.resource_detail, name="resource"),
    path(
        "library/resources/<int:resource_id>/versions/",
        resources.resource_version_new,
        name="resource-version-new",
    ),
    path(
        "library/resources/<int:resource_id>/v<int:number>/download",
        resources.resource_download,
        name="resource-download",
    ),
    path("library/collections/", collections.collection_list, name="collections"),
    path("library/collections/new/", collections.collection_new, name="collection-new"),
    path(
        "library/collections/<slug:collection_slug>/",
        collections.collection_detail,
        name="collection",
    ),
    path(
        "library/collections/<slug:collection_slug>/<int:step>/",
        collections.collection_walk,
        name="collection-walk",
    ),
    path(
        "library/collections/<slug:collection_slug>/items/<int:item_id>/",
        collections.collection_item_move,
        name="collection-item",
    ),
    path("glossary/", glossary.glossary, name="glossary"),
    path("glossary/new/", glossary.glossary_term_edit, name="glossary-new"),
    path("glossary/<slug:term_slug>/edit/", glossary.glossary_term_edit, name="glossary-edit"),
    path(
        "glossary/<slug:term_slug>/delete/",
        glossary.glossary_term_delete,
        name="glossary-delete",
    ),
]
