"""Background indexing, enqueued once the write that needs it has committed."""

from __future__ import annotations

from django_tasks import task


@task()
def index_object_task(label: str, object_id: int) -> str:
    from practica.search.indexing import index_object

    return index_object(label, object_id)
