"""PostgreSQL only: id windows inside the GIN index, and a smaller GIN index for all but replies.

A GIN index answers only with a bitmap of every match, so it cannot stop at the first
thousand. Two changes keep a search's cost bounded by what it shows:

- **Id windows.** The facet line gains `i<id / 32768>`, the window of ids the entry lies
  in. A search looks for the newest matches window by window (`engine._pg_windows`), and
  the index itself narrows each window, so a word the planner misjudges costs what its
  matches in one window cost, not a fetch of every match.
- **Entries that are not replies.** Replies are most of the index and have no title of
  their own. A second GIN index over everything else reads a tenth of the postings when a
  kind other than replies is counted or titles are searched; the planner picks it when the
  query says `kind <> 'reply'` or names another kind.

SQLite needs neither: FTS5 reads its index in rowid order and stops early.
"""

import importlib

from django.db import migrations

FACETS = importlib.import_module(
    "practica.search.migrations.0005_facets_in_the_full_text_index"
).POSTGRES_FACETS
ID_WINDOW = 32768  # practica.search.facets.ID_WINDOW


def _facet_vector(expression: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS search_entry_titled_gin",
        "DROP INDEX IF EXISTS search_entry_vector_gin",
        f"""ALTER TABLE search_searchentry DROP COLUMN facet_vector,
            ADD COLUMN facet_vector tsvector
                GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {expression})) STORED""",
        "CREATE INDEX search_entry_vector_gin ON search_searchentry "
        "USING GIN (search_vector, facet_vector, title_vector)",
    ]


FORWARD_POSTGRES = [
    *_facet_vector(f"{FACETS} || ' i' || (id / {ID_WINDOW})::text"),
    "CREATE INDEX search_entry_titled_gin ON search_searchentry "
    "USING GIN (search_vector, facet_vector, title_vector) WHERE kind <> 'reply'",
]
BACKWARD_POSTGRES = _facet_vector(FACETS)


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0005_facets_in_the_full_text_index")]

    operations = [migrations.RunPython(_run(FORWARD_POSTGRES), _run(BACKWARD_POSTGRES))]
