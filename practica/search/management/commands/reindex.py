"""`practica reindex`: rebuild the search index from everything searchable."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from practica.progress import progress
from practica.search.indexing import INDEXERS, available, model_for
from practica.search.models import SearchEntry

BATCH = 500


class Command(BaseCommand):
    help = "Rebuild the search index: every thread, reply, article, resource, glossary entry, "
    help += "evidence summary, module, event, bulletin article and person."

    def handle(self, *args, **options):
        seen: set[tuple[str, int]] = set()
        for label, indexer in INDEXERS.items():
            if not available(label):
                continue
            objects = model_for(label)._default_manager.select_related(*indexer.select_related)
            total = objects.count()
            with transaction.atomic():
                for obj in progress(
                    _in_batches(objects), total=total, label=f"{label:>16}", stream=self.stderr
                ):
                    entry = indexer.index(obj)
                    if entry is not None:
                        seen.add((entry.kind, entry.object_id))
        stale = [
            pk
            for pk, kind, object_id in SearchEntry.objects.values_list("pk", "kind", "object_id")
            if (kind, object_id) not in seen
        ]
        for start in range(0, len(stale), BATCH):
            SearchEntry.objects.filter(pk__in=stale[start : start + BATCH]).delete()
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                # Merge each full-text index into one segment: fewer lookups per search.
                cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
                cursor.execute("INSERT INTO search_fts_title(search_fts_title) VALUES ('optimize')")
            else:
                cursor.execute("ANALYZE search_searchentry")
        count = SearchEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {count:,} entries."))


def _in_batches(queryset):
    """Every object of `queryset` by primary key, BATCH rows per query."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        yield from batch
        if len(batch) < BATCH:
            return
        last = batch[-1].pk
