"""Small, explicit builders for tests about behaviour (not about the film's content)."""

import itertools

from characters.models import Character, Side
from scenes.models import Appearance, Flashback, Letter, Location, Scene

_numbers = itertools.count(10_000)


def make_location(**fields):
    n = next(_numbers)
    fields = {"slug": f"place-{n}", "name": f"Place {n}", "region": "iwo-jima", **fields}
    return Location.objects.create(**fields)


def make_character(**fields):
    n = next(_numbers)
    fields = {
        "slug": f"person-{n}",
        "name": f"Person {n}",
        "side": Side.JAPANESE_ARMY,
        "role": "A soldier",
        "biography": [{"scene": 1, "text": "Serves on the island."}],
        **fields,
    }
    return Character.objects.create(**fields)


def make_scene(people=(), **fields):
    n = next(_numbers)
    fields = {
        "number": n,
        "slug": f"scene-{n}",
        "title": f"Scene {n}",
        "summary": "Something happens.",
        "period": "1945",
        "part": "invasion",
        "source_paragraphs": [13],
        **fields,
    }
    if "location" not in fields:
        fields["location"] = make_location()
    scene = Scene.objects.create(**fields)
    for person in people:
        Appearance.objects.create(scene=scene, character=person)
    return scene


def make_flashback(scene, rememberer, **fields):
    n = next(_numbers)
    fields = {
        "slug": f"memory-{n}",
        "title": f"Memory {n}",
        "summary": "Remembered.",
        "when": "before the war",
        "source_paragraphs": [9],
        **fields,
    }
    if "location" not in fields:
        fields["location"] = scene.location
    return Flashback.objects.create(scene=scene, rememberer=rememberer, **fields)


def make_letter(scenes=(), **fields):
    n = next(_numbers)
    fields = {
        "slug": f"letter-{n}",
        "title": f"Letter {n}",
        "summary": "News from home.",
        "presentation": "voice-over",
        "fate": "sent",
        "source_paragraphs": [2],
        **fields,
    }
    letter = Letter.objects.create(**fields)
    letter.scenes.set(scenes)
    return letter
