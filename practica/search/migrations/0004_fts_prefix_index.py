"""Prefix indexes on the SQLite FTS5 table, so as-you-type queries (hand*) stay fast.

FTS5 otherwise expands a prefix by scanning every indexed term that starts with it; the
`prefix` option keeps ready-made indexes of two-, three- and four-character prefixes.
PostgreSQL's GIN index already serves `:*` prefixes, so nothing changes there.
"""

from django.db import migrations

TRIGGERS = [
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE OF title, body ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
]
DROP = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]


def _table(prefix: str) -> list[str]:
    return [
        *DROP,
        f"""CREATE VIRTUAL TABLE search_fts USING fts5(
            title, body, content='search_searchentry', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2'{prefix}
        )""",
        *TRIGGERS,
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    ]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_entries_for_everything_searchable")]

    operations = [
        migrations.RunPython(_run(_table(", prefix='2 3 4'")), _run(_table(""))),
    ]
