"""The full-text index: the entry and vocabulary tables, then each database's own engine over the entries.

SQLite: an FTS5 table over the entries' text (external content, so the text is stored once), with the porter
stemmer, and triggers that keep it in step with every insert, update and delete. Django rebuilds a SQLite table
to alter it, which drops its triggers: a later migration that alters SearchEntry must create them again.

PostgreSQL: a generated tsvector column (english configuration, so stemmed and without stop words) with a GIN
index; the database computes it on every write.
"""

from django.db import migrations, models

TABLE = "iwojima_site_searchentry"
FTS = f"{TABLE}_fts"

SQLITE = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(text, content='{TABLE}', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER {TABLE}_ai AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}(rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER {TABLE}_ad AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, text) VALUES ('delete', old.id, old.text); END",
    f"CREATE TRIGGER {TABLE}_au AFTER UPDATE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, text) VALUES ('delete', old.id, old.text); "
    f"INSERT INTO {FTS}(rowid, text) VALUES (new.id, new.text); END",
    # Whatever the table already holds.
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_REVERSE = [f"DROP TRIGGER {TABLE}_au", f"DROP TRIGGER {TABLE}_ad", f"DROP TRIGGER {TABLE}_ai", f"DROP TABLE {FTS}"]

POSTGRESQL = [
    f"ALTER TABLE {TABLE} ADD COLUMN vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED",
    f"CREATE INDEX {TABLE}_vector ON {TABLE} USING GIN (vector)",
]
POSTGRESQL_REVERSE = [f"DROP INDEX {TABLE}_vector", f"ALTER TABLE {TABLE} DROP COLUMN vector"]


def run(statements):
    def operation(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(help_text="Which kind of record: “scene”, “person”, as registered.", max_length=20),
                ),
                ("record", models.PositiveBigIntegerField(help_text="The record's primary key.")),
                (
                    "source",
                    models.CharField(help_text="The field the text comes from, e.g. “aliases”.", max_length=40),
                ),
                (
                    "weight",
                    models.PositiveSmallIntegerField(help_text="How much a match here counts: a name over a summary."),
                ),
                ("names", models.BooleanField(default=False, help_text="The text is a name of the record.")),
                (
                    "from_scene",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="The scene number from which the text may be shown (watch-along mode).",
                        null=True,
                    ),
                ),
                ("text", models.TextField()),
            ],
            options={
                "verbose_name_plural": "search entries",
                "ordering": ["kind", "record", "-weight"],
                "indexes": [models.Index(fields=["kind", "record"], name="iwojima_sit_kind_dba4b6_idx")],
            },
        ),
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("word", models.CharField(max_length=60, unique=True)),
                ("entries", models.PositiveIntegerField(default=0)),
            ],
            options={
                "ordering": ["word"],
            },
        ),
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
