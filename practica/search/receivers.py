"""Signal receivers that keep the index current after writes in other contexts.

Signals are used here for loose coupling: the content apps know nothing of search. Each
receiver only asks for the object to be indexed once the transaction commits (coalesced:
see `practica.coalesce` and `tasks.index_pending`), so a write that rolls back indexes
nothing and the request never waits for the index.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from practica.coalesce import request
from practica.search.indexing import INDEXERS, available


def schedule(label: str, object_id: int) -> None:
    """Index (label, object_id) in the background once the current transaction commits."""
    schedule_many(label, [object_id])


def schedule_many(label: str, object_ids) -> None:
    from practica.search.tasks import INDEX

    request(INDEX, [(label, int(pk)) for pk in object_ids])


def _saved(label: str, pk_of=lambda instance: instance.pk):
    def receiver(sender, instance, raw=False, update_fields=None, **kwargs):
        if raw:
            return
        # Logging in writes last_login only; nothing searchable changed.
        if update_fields is not None and set(update_fields) <= {"last_login"}:
            return
        object_id = pk_of(instance)
        if object_id is not None:
            schedule(label, object_id)

    return receiver


def _m2m(label: str):
    def receiver(sender, instance, action, reverse, **kwargs):
        if action in {"post_add", "post_remove", "post_clear"} and not reverse:
            schedule(label, instance.pk)

    return receiver


# (label, model to watch, the indexed object's id from the watched instance)
WATCHED = [
    ("thread", "conversations.Thread", None),
    ("post", "conversations.Post", None),
    ("article", "library.Article", None),
    ("article", "library.Revision", lambda revision: revision.article_id),
    ("resource", "library.Resource", None),
    ("glossary", "library.GlossaryTerm", None),
    ("evidence", "evidence.EvidenceSummary", None),
    ("module", "learning.Module", None),
    ("event", "events.Event", None),
    ("bulletin_article", "bulletin.Article", None),
    ("bulletin_article", "bulletin.ArticleAuthor", lambda author: author.article_id),
    ("person", "people.User", None),
]
# Many-to-many fields whose changes alter an entry (topics, owners, expertise).
WATCHED_M2M = [
    ("thread", "conversations.Thread", "topics"),
    ("article", "library.Article", "topics"),
    ("resource", "library.Resource", "topics"),
    ("module", "learning.Module", "owners"),
    ("module", "learning.Module", "topics"),
    ("glossary", "library.GlossaryTerm", "topics"),
    ("evidence", "evidence.EvidenceSummary", "topics"),
    ("event", "events.Event", "topics"),
    ("bulletin_article", "bulletin.Article", "topics"),
    ("person", "people.User", "expertise"),
]
_receivers: list = []  # signals hold receivers weakly; keep them alive here


def _issue_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        from practica.search.indexing import sync_bulletin_issue

        sync_bulletin_issue(instance)


def connect() -> None:
    if apps.is_installed("practica.bulletin"):
        post_save.connect(
            _issue_saved, sender=apps.get_model("bulletin.Issue"), dispatch_uid="search-issue"
        )
    for label, model_name, pk_of in WATCHED:
        if label not in INDEXERS or not available(label):
            continue
        model = apps.get_model(model_name)
        saved = _saved(label, pk_of or (lambda instance: instance.pk))
        _receivers.append(saved)
        post_save.connect(saved, sender=model, dispatch_uid=f"search-save-{model_name}")
        deleted = _saved(label, pk_of or (lambda instance: instance.pk))
        _receivers.append(deleted)
        post_delete.connect(deleted, sender=model, dispatch_uid=f"search-delete-{model_name}")
    for label, model_name, field in WATCHED_M2M:
        if not available(label):
            continue
        through = getattr(apps.get_model(model_name), field).through
        changed = _m2m(label)
        _receivers.append(changed)
        m2m_changed.connect(
            changed, sender=through, dispatch_uid=f"search-m2m-{model_name}-{field}"
        )
