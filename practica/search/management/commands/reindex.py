"""`practica reindex`: rebuild the search index from everything searchable.

Objects are indexed in batches through `indexing.index_objects`, the same code the
background drain runs, so a rebuilt entry reads exactly as a freshly written one; an entry
that is already right is not rewritten. Entries of objects that no longer exist are
removed, and pending index requests made before the rebuild began are dropped (it read
everything they asked for).
"""

from django.core.management.base import BaseCommand
from django.db import connection

from practica.coalesce import forget_before, last_pending_id
from practica.progress import progress
from practica.search.indexing import (
    INDEXERS,
    available,
    index_objects,
    model_for,
    prepare_for_bulk_writes,
)
from practica.search.models import SearchEntry
from practica.search.tasks import INDEX

BATCH = 1000


class Command(BaseCommand):
    help = "Rebuild the search index: every thread, reply, article, resource, glossary entry, "
    help += "evidence summary, module, event, bulletin article and person."

    def handle(self, *args, **options):
        prepare_for_bulk_writes()
        pending_before = last_pending_id(INDEX)
        seen: set[tuple[str, int]] = set()
        for label in INDEXERS:
            if not available(label):
                continue
            objects = model_for(label)._default_manager.all()
            total = objects.count()
            bar = progress(
                _id_batches(objects), total=total, label=f"{label:>16}", stream=self.stderr
            )
            for batch in _batched(bar, BATCH):
                # A thread's replies are the "post" label's own pass.
                seen.update(index_objects(label, batch, replies=False))
        stale = [
            pk
            for pk, kind, object_id in SearchEntry.objects.values_list("pk", "kind", "object_id")
            if (kind, object_id) not in seen
        ]
        for start in range(0, len(stale), BATCH):
            SearchEntry.objects.filter(pk__in=stale[start : start + BATCH]).delete()
        forget_before(INDEX, pending_before)
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                # Merge each full-text index into one segment: fewer lookups per search.
                cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
                cursor.execute("INSERT INTO search_fts_title(search_fts_title) VALUES ('optimize')")
            else:
                cursor.execute("ANALYZE search_searchentry")
        count = SearchEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {count:,} entries."))


def _id_batches(queryset):
    """Every primary key of `queryset` in order, read BATCH at a time."""
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        yield from ids
        if len(ids) < BATCH:
            return
        last = ids[-1]


def _batched(iterable, size: int):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
