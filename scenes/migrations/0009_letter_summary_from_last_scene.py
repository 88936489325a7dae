"""A letter's summary tells it across every scene it is in, so watch-along search finds it from the last of them,
as its page now shows it (Letter.told_whole_at); the title stays findable from the first. Re-stamps the search
index's existing summary entries; a letter saved later is stamped by scenes/search.py."""

from django.db import migrations
from django.db.models import Max, Min


def stamp(apps, by):
    letter = apps.get_model("scenes", "Letter")
    entry = apps.get_model("iwojima_site", "SearchEntry")
    for pk, number in letter.objects.annotate(n=by("scenes__number")).values_list("pk", "n"):
        entry.objects.filter(kind="letter", record=pk, source="summary").update(from_scene=number)


def from_last_scene(apps, schema_editor):
    stamp(apps, Max)


def from_first_scene(apps, schema_editor):
    stamp(apps, Min)


class Migration(migrations.Migration):
    dependencies = [
        ("scenes", "0008_place_description_parts"),
        ("iwojima_site", "0007_revision_previous_change"),
    ]

    operations = [
        migrations.RunPython(from_last_scene, from_first_scene),
    ]
