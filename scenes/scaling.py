"""More of the film: renamed copies of all the content, for query-count tests and benchmarks at scale."""

from characters.models import Character
from iwojima_site import search
from scenes.models import Appearance, Flashback, Letter, Scene

# The foreign keys a copy points at its own copied objects; the rest (locations) stay shared.
COPIED_KEYS = ("scene_id", "character_id", "rememberer_id", "writer_id", "recipient_id", "fate_scene_id")


def own_fields(obj):
    fields = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}
    for name in COPIED_KEYS:
        fields.pop(name, None)
    return fields


def multiply_content(copies):
    """Add `copies` renamed copies of every person, scene, appearance, flashback and letter, indexed for
    search like the rest (in bulk, once, at the end)."""
    with search.deferred():
        _multiply(copies)


def _multiply(copies):
    people = list(Character.objects.all())
    scenes = list(Scene.objects.all())
    appearances = list(Appearance.objects.all())
    flashbacks = list(Flashback.objects.prefetch_related("characters"))
    letters = list(Letter.objects.prefetch_related("scenes"))
    offset = max((scene.number for scene in scenes), default=0)
    for copy in range(1, copies + 1):
        # A copy is nobody in the credits (credit order is unique) and has no fate scene of its own.
        person = {
            p.pk: Character(**{**own_fields(p), "slug": f"{p.slug}-{copy}", "credit_order": None}) for p in people
        }
        Character.objects.bulk_create(person.values())
        search.index(person.values())  # bulk_create sends no signal
        scene = {
            s.pk: Scene(**{**own_fields(s), "slug": f"{s.slug}-{copy}", "number": s.number + copy * offset})
            for s in scenes
        }
        Scene.objects.bulk_create(scene.values())
        search.index(scene.values())
        Appearance.objects.bulk_create(
            Appearance(**{**own_fields(a), "scene": scene[a.scene_id], "character": person[a.character_id]})
            for a in appearances
        )
        for flashback in flashbacks:
            new = Flashback.objects.create(
                **{**own_fields(flashback), "slug": f"{flashback.slug}-{copy}"},
                scene=scene[flashback.scene_id],
                rememberer=person[flashback.rememberer_id],
            )
            new.characters.set([person[p.pk] for p in flashback.characters.all()])
        for letter in letters:
            new = Letter.objects.create(
                **{**own_fields(letter), "slug": f"{letter.slug}-{copy}"},
                writer=person.get(letter.writer_id),
                recipient=person.get(letter.recipient_id),
            )
            new.scenes.set([scene[s.pk] for s in letter.scenes.all()])
