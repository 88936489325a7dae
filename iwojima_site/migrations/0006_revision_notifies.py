"""On PostgreSQL, every change of the content revision's row notifies the channel the app servers listen on
(iwojima_site.caching.RevisionListener), in the same commit. A statement trigger, so that any writer is heard: the
site's own saves, a reload, SQL typed by hand, a TRUNCATE. Other databases have no LISTEN: nothing to do there."""

from django.db import migrations

CHANNEL = "iwojima_content_revision"  # caching.REVISION_CHANNEL when this was written

CREATE = f"""
CREATE FUNCTION iwojima_site_notify_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER iwojima_site_contentrevision_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON iwojima_site_contentrevision
    FOR EACH STATEMENT EXECUTE FUNCTION iwojima_site_notify_revision();
"""
DROP = """
DROP TRIGGER IF EXISTS iwojima_site_contentrevision_notify ON iwojima_site_contentrevision;
DROP FUNCTION IF EXISTS iwojima_site_notify_revision();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("iwojima_site", "0005_throttle_count"),
    ]

    operations = [
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
