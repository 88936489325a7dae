from django.contrib.auth.management import create_permissions
from django.db import migrations

from scenes.editors import EDITORS_GROUP, create_editors_group


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    create_editors_group(apps)


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("characters", "0001_initial"),
        ("scenes", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
