"""More of the film: renamed copies of all the content, for query-count tests and benchmarks at scale."""

from characters.models import Character
from iwojima_site import caching, search
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
    caching.bump_revision()  # bulk_create sends no signal


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
        # Memories and letters in bulk too, with their many-to-many rows (no signals: indexed here).
        memory = {
            f.pk: Flashback(
                **{**own_fields(f), "slug": f"{f.slug}-{copy}"},
                scene=scene[f.scene_id],
                rememberer=person[f.rememberer_id],
            )
            for f in flashbacks
        }
        Flashback.objects.bulk_create(memory.values())
        Flashback.characters.through.objects.bulk_create(
            Flashback.characters.through(flashback_id=memory[f.pk].pk, character_id=person[p.pk].pk)
            for f in flashbacks
            for p in f.characters.all()
        )
        search.index(memory.values())
        letter = {
            m.pk: Letter(
                **{**own_fields(m), "slug": f"{m.slug}-{copy}"},
                writer=person.get(m.writer_id),
                recipient=person.get(m.recipient_id),
            )
            for m in letters
        }
        Letter.objects.bulk_create(letter.values())
        Letter.scenes.through.objects.bulk_create(
            Letter.scenes.through(letter_id=letter[m.pk].pk, scene_id=scene[s.pk].pk)
            for m in letters
            for s in m.scenes.all()
        )
        search.index(letter.values())
