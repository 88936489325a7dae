"""Search matches every form of a word on both databases: Python stems each word (iwojima_site.search.stem,
Snowball's English stemmer) and the engines index the stems as they are. Before, each engine stemmed by its own
rules, and SQLite's porter tokenizer kept "spy" apart from "spies" ("spi") where PostgreSQL's english
configuration did not.

The engines move from the entries' text to their new `stems` column: the FTS5 table, now with the unicode61
tokenizer alone, and PostgreSQL's generated tsvector, now of the simple configuration (no stemming, no stop words
left out). They are dropped first: adding a column makes Django rebuild the table on SQLite, which would drop the
triggers. The existing entries and vocabulary get their stems from the text they hold, which is already folded.
"""

from django.db import migrations, models

TABLE = "iwojima_site_searchentry"
FTS = f"{TABLE}_fts"


def sqlite(column, tokenizer):
    return [
        f"CREATE VIRTUAL TABLE {FTS} USING fts5({column}, content='{TABLE}', content_rowid='id', "
        f"tokenize='{tokenizer}')",
        f"CREATE TRIGGER {TABLE}_ai AFTER INSERT ON {TABLE} BEGIN "
        f"INSERT INTO {FTS}(rowid, {column}) VALUES (new.id, new.{column}); END",
        f"CREATE TRIGGER {TABLE}_ad AFTER DELETE ON {TABLE} BEGIN "
        f"INSERT INTO {FTS}({FTS}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END",
        f"CREATE TRIGGER {TABLE}_au AFTER UPDATE ON {TABLE} BEGIN "
        f"INSERT INTO {FTS}({FTS}, rowid, {column}) VALUES ('delete', old.id, old.{column}); "
        f"INSERT INTO {FTS}(rowid, {column}) VALUES (new.id, new.{column}); END",
        # Whatever the table already holds.
        f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
    ]


def postgresql(column, configuration):
    return [
        f"ALTER TABLE {TABLE} ADD COLUMN vector tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('{configuration}'::regconfig, {column})) STORED",
        f"CREATE INDEX {TABLE}_vector ON {TABLE} USING GIN (vector)",
    ]


DROP = {
    "sqlite": [f"DROP TRIGGER {TABLE}_au", f"DROP TRIGGER {TABLE}_ad", f"DROP TRIGGER {TABLE}_ai", f"DROP TABLE {FTS}"],
    "postgresql": [f"DROP INDEX {TABLE}_vector", f"ALTER TABLE {TABLE} DROP COLUMN vector"],
}
STEMS = {"sqlite": sqlite("stems", "unicode61 remove_diacritics 2"), "postgresql": postgresql("stems", "simple")}
TEXT = {"sqlite": sqlite("text", "porter unicode61 remove_diacritics 2"), "postgresql": postgresql("text", "english")}


def run(statements):
    def operation(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


def stem_what_is_held(apps, schema_editor):
    from iwojima_site.search import BATCH, stem, stems

    database = schema_editor.connection.alias
    for name, field, source, of in [("SearchEntry", "stems", "text", stems), ("SearchTerm", "stem", "word", stem)]:
        model = apps.get_model("iwojima_site", name)
        rows = list(model.objects.using(database).only("pk", source))
        for row in rows:
            setattr(row, field, of(getattr(row, source)))
        model.objects.using(database).bulk_update(rows, [field], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("iwojima_site", "0007_revision_previous_change"),
    ]

    operations = [
        migrations.RunPython(run(DROP), run(TEXT)),
        migrations.AddField(
            model_name="searchentry",
            name="stems",
            field=models.TextField(
                default="", editable=False, help_text="The text's words, each stemmed: what the engine matches."
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="searchterm",
            name="stem",
            field=models.CharField(db_index=True, default="", editable=False, max_length=60),
            preserve_default=False,
        ),
        migrations.RunPython(stem_what_is_held, migrations.RunPython.noop),
        migrations.RunPython(run(STEMS), run(DROP)),
    ]
