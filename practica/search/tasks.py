"""Background indexing: writes ask for objects to be indexed, one drain indexes them in bulk."""

from __future__ import annotations

from django_tasks import task

from practica.coalesce import Queue, drain

INDEX = Queue(
    name="index",
    model="search.PendingIndex",
    fields=("label", "object_id"),
    task="practica.search.tasks.index_pending",
)
# Ahead of notifications and evaluations: a member looks for what they just wrote.
INDEX_PRIORITY = 10


@task(priority=INDEX_PRIORITY)
def index_pending() -> int:
    """Index every object a write asked for, each once per batch; returns how many."""
    from practica.search.indexing import index_keys

    return drain(INDEX, index_keys, batch=500)


@task()
def index_object_task(label: str, object_id: int) -> str:
    """Index one object now (tasks queued before indexing was coalesced)."""
    from practica.search.indexing import index_object

    return index_object(label, object_id)


# The SQLite full-text tables kept in step with SearchEntry (search/migrations/0005).
FTS_TABLES = ("search_fts", "search_fts_title")


@task()
def purge_deleted_terms() -> int:
    """Merge the SQLite full-text index so terms of rewritten entries leave it for good.

    FTS5 records a change as a new segment plus a delete marker; the old terms stay in the
    index's shadow tables until segments merge. A redaction must not leave them there.
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        for table in FTS_TABLES:
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608
    return len(FTS_TABLES)
