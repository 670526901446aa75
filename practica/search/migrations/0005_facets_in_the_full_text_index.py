"""Facet tokens inside the full-text index, so filtering and counting never read the entries.

Each entry gets a line of tokens derived from its own columns (see `practica.search.facets`
for what each token means and how a search builds its filter from them):

    kquestion0 c12 ac r12 u5 pnurse0 tfallszqprevention0 m202611

On SQLite the line is a virtual generated column, `facets`, indexed as a third FTS5 column
(member queries are confined to title and body by a column filter), and a second FTS5
table, `search_fts_title`, indexes titles with their facets for the title pass. On PostgreSQL it is
a generated `facet_vector` (the `simple` configuration: no stemming, no stop words), and a
`title_vector` of the title alone; the GIN index covers all three vectors, so a query's
words, its facets and a title-only pass are answered by one index scan.

String values are escaped so that distinct values never share a token: z becomes zz, a
hyphen zq and an underscore zu, and the token ends in 0 so FTS5's porter stemmer leaves it
whole ("falls" and "fall" stay two topics).

Django knows nothing of these columns. A later migration that makes SQLite copy the
table (altering a SearchEntry field) drops the generated column and the triggers: it must
run FORWARD_SQLITE's column, trigger and rebuild statements again.
"""

from django.db import migrations


def _escape(column: str) -> str:
    return f"replace(replace(replace({column}, 'z', 'zz'), '-', 'zq'), '_', 'zu')"


def _facets(cast) -> str:
    """The facet line as an SQL expression over the entry's columns; `cast` makes text."""
    topics = "trim(topic_slugs)"
    month = (
        "substr(created_at, 1, 4) || substr(created_at, 6, 2)"
        if cast("x") == "x"
        else "((date_part('year', created_at AT TIME ZONE 'UTC') * 100 "
        "+ date_part('month', created_at AT TIME ZONE 'UTC'))::int)::text"
    )
    return f"""(
        'k' || {_escape("kind")} || '0'
        || CASE WHEN community_id IS NULL THEN '' ELSE ' c' || {cast("community_id")} END
        || CASE WHEN NOT is_public THEN ''
                WHEN audience = 'everyone' THEN ' ae'
                WHEN audience = 'signed_in' THEN ' as'
                WHEN community_id IS NULL THEN ''
                ELSE ' ac r' || {cast("community_id")} END
        || CASE WHEN author_id IS NULL THEN '' ELSE ' u' || {cast("author_id")} END
        || CASE WHEN author_profession = '' THEN ''
                ELSE ' p' || {_escape("author_profession")} || '0' END
        || CASE WHEN {topics} = '' THEN ''
                ELSE ' t' || replace({_escape(topics)}, ' ', '0 t') || '0' END
        || ' m' || {month}
    )"""


SQLITE_FACETS = _facets(lambda column: column)
POSTGRES_FACETS = _facets(lambda column: f"{column}::text")

WATCHED = (
    "title, body, kind, community_id, audience, is_public, author_id, author_profession, "
    "topic_slugs, created_at"
)
TABLES = {"search_fts": ["title", "body", "facets"], "search_fts_title": ["title", "facets"]}
DROP_SQLITE = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    *(f"DROP TABLE IF EXISTS {table}" for table in TABLES),
]


def _values(row: str, columns: list[str]) -> str:
    return ", ".join([f"{row}.id", *(f"{row}.{column}" for column in columns)])


def _insert(row: str) -> str:
    return "".join(
        f"INSERT INTO {table}(rowid, {', '.join(columns)}) VALUES ({_values(row, columns)});\n"
        for table, columns in TABLES.items()
    )


def _delete(row: str) -> str:
    return "".join(
        f"INSERT INTO {table}({table}, rowid, {', '.join(columns)}) "
        f"VALUES ('delete', {_values(row, columns)});\n"
        for table, columns in TABLES.items()
    )


FORWARD_SQLITE = [
    *DROP_SQLITE,
    f"ALTER TABLE search_searchentry ADD COLUMN facets TEXT "
    f"GENERATED ALWAYS AS {SQLITE_FACETS} VIRTUAL",
    *(
        f"""CREATE VIRTUAL TABLE {table} USING fts5(
            {", ".join(columns)}, content='search_searchentry', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2', prefix='2 3 4'
        )"""
        for table, columns in TABLES.items()
    ),
    f"""CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchentry BEGIN
        {_insert("new")}
    END""",
    f"""CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchentry BEGIN
        {_delete("old")}
    END""",
    f"""CREATE TRIGGER search_fts_update AFTER UPDATE OF {WATCHED} ON search_searchentry BEGIN
        {_delete("old")}{_insert("new")}
    END""",
    *(f"INSERT INTO {table}({table}) VALUES ('rebuild')" for table in TABLES),
]
BACKWARD_SQLITE = [
    *DROP_SQLITE,
    "ALTER TABLE search_searchentry DROP COLUMN facets",
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, content='search_searchentry', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2', prefix='2 3 4'
    )""",
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
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
FORWARD_POSTGRES = [
    "DROP INDEX IF EXISTS search_entry_vector_gin",
    f"""ALTER TABLE search_searchentry
        ADD COLUMN facet_vector tsvector
            GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {POSTGRES_FACETS})) STORED,
        ADD COLUMN title_vector tsvector
            GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(title, ''))) STORED""",
    "CREATE INDEX search_entry_vector_gin ON search_searchentry "
    "USING GIN (search_vector, facet_vector, title_vector)",
]
BACKWARD_POSTGRES = [
    "DROP INDEX IF EXISTS search_entry_vector_gin",
    "ALTER TABLE search_searchentry DROP COLUMN facet_vector, DROP COLUMN title_vector",
    "CREATE INDEX search_entry_vector_gin ON search_searchentry USING GIN (search_vector)",
]


def _run(sqlite, postgres):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in {"sqlite": sqlite, "postgresql": postgres}.get(vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0004_fts_prefix_index")]

    operations = [
        migrations.RunPython(
            _run(FORWARD_SQLITE, FORWARD_POSTGRES), _run(BACKWARD_SQLITE, BACKWARD_POSTGRES)
        ),
    ]
