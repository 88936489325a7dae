from django.contrib.auth.management import create_permissions
from django.db import migrations

from scenes.editors import create_editors_group


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs the suggestion's now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    create_editors_group(apps)


class Migration(migrations.Migration):
    """Editors may view, mark done and delete readers' suggestions."""

    dependencies = [
        ("iwojima_site", "0002_suggestion"),
        ("scenes", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
