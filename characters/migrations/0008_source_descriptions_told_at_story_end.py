"""The plot summary's descriptions of a person ("Saigo's sick friend", "his daughter") can tell what is still to
come, so watch-along search finds them from the last scene of the person's story, as their page now shows them
(Character.source_names_at). Re-stamps the search index's existing entries; a person saved later is stamped by
characters/search.py."""

from django.db import migrations


def story_end(person):
    stamps = [part["scene"] for part in [*(person.biography or []), *(person.fate_detail or [])] if "scene" in part]
    return max(stamps, default=None)



def stamp(apps, at_story_end):
    character = apps.get_model("characters", "Character")
    entry = apps.get_model("iwojima_site", "SearchEntry")
    for person in character.objects.exclude(source_names="").only("pk", "biography", "fate_detail"):
        descriptions = entry.objects.filter(kind="person", record=person.pk, source="source_names", names=False)
        descriptions.update(from_scene=story_end(person) if at_story_end else None)


def at_story_end(apps, schema_editor):
    stamp(apps, True)


def at_once(apps, schema_editor):
    stamp(apps, False)


class Migration(migrations.Migration):
    dependencies = [
        ("characters", "0007_aliases_are_names"),
        ("iwojima_site", "0007_revision_previous_change"),
    ]

    operations = [migrations.RunPython(at_story_end, at_once)]
