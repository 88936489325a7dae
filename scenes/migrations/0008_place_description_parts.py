"""A place's description becomes scene-stamped parts, like a person's biography: each existing description becomes
one part stamped with the last scene that shows the place (what watch-along mode already waited for)."""

from django.db import migrations, models
from django.db.models import Max

import iwojima_site.story


def to_parts(apps, schema_editor):
    location, scene, flashback = (apps.get_model("scenes", name) for name in ("Location", "Scene", "Flashback"))
    for place in location.objects.all():
        last = max(
            scene.objects.filter(location=place).aggregate(n=Max("number"))["n"] or 0,
            flashback.objects.filter(location=place).aggregate(n=Max("scene__number"))["n"] or 0,
            1,
        )
        place.description = [{"scene": last, "text": place.description_text}] if place.description_text else []
        place.save(update_fields=["description"])


def to_text(apps, schema_editor):
    location = apps.get_model("scenes", "Location")
    for place in location.objects.all():
        place.description_text = "\n\n".join(part["text"] for part in place.description)
        place.save(update_fields=["description_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("scenes", "0007_scene_facets_index"),
    ]

    operations = [
        migrations.RenameField("location", "description", "description_text"),
        migrations.AddField(
            model_name="location",
            name="description",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="What and where the place is, in parts stamped with the scene from which each may be shown "
                "(what happens here later waits for its scene, in watch-along mode).",
                validators=[iwojima_site.story.validate_story_parts],
            ),
        ),
        migrations.RunPython(to_parts, to_text),
        migrations.RemoveField("location", "description_text"),
    ]
