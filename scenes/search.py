"""What the site's search finds of the film's scenes, memories, letters and places, and how each is tied to the
people a query may name: a scene to everyone in it (on screen first), a letter to its writer and recipient, a
memory to whoever remembers it and whoever is in it. "Kuribashi" finds the general, and so every scene he is in.

Registered with the site's index (iwojima_site.search) when the app is ready; people's own texts are indexed by
characters/search.py.
"""

from django.db.models import Max, Min
from django.db.models.signals import m2m_changed

from iwojima_site import search
from iwojima_site.search import Document, Link, Weight
from scenes.models import Appearance, Flashback, Letter, Location, Scene

# How much a person named in the query counts towards a record they are tied to, by how: more than a word of a
# summary, less than a title; on screen first, then in a memory, then heard, then mentioned.
ON_SCREEN, IN_MEMORY, VOICE_OVER, MENTIONED = 4, 3, 2, 1
WRITER_OR_RECIPIENT, REMEMBERER = 4, 4

PERSON = "person"


def scene_documents(scene):
    return [
        Document("title", scene.title, Weight.TITLE, from_scene=scene.number),
        Document("summary", scene.summary, Weight.TEXT, from_scene=scene.number),
    ]


def flashback_documents(flashback):
    shown_in = flashback.scene.number
    return [
        Document("title", flashback.title, Weight.TITLE, from_scene=shown_in),
        Document("summary", flashback.summary, Weight.TEXT, from_scene=shown_in),
        Document("when", flashback.when, Weight.TEXT, from_scene=shown_in),
    ]


def letter_documents(letter):
    """Its title from the first scene it is in, its summary from the last (Letter.told_whole_at); the scenes are
    annotated by the bulk queryset, else read (a letter saved alone)."""
    if hasattr(letter, "first_scene") and hasattr(letter, "last_scene"):
        first, last = letter.first_scene, letter.last_scene
    else:
        first, last = letter.scene_range()
    return [
        Document("title", letter.title, Weight.TITLE, from_scene=first),
        Document("summary", letter.summary, Weight.TEXT, from_scene=last),
    ]


def place_documents(place):
    """The place's name, and each scene-stamped part of its description (stamped, so watch-along only filters)."""
    parts = [part for part in place.description or [] if isinstance(part, dict)]
    return [
        Document("name", place.name, Weight.NAME, names=True),
        *(Document("description", str(p.get("text", "")), Weight.TEXT, from_scene=p.get("scene")) for p in parts),
    ]


def letter_scenes_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A letter is stamped with its first scene: index it again when its scenes change, from either side
    (`letter.scenes.set(…)`, or `scene.letters.add(…)` with the letters' pks)."""
    if action in ("post_add", "post_remove", "post_clear"):
        search.index(list(Letter.objects.filter(pk__in=pk_set or [])) if reverse else [instance])


def register():
    in_memories = Flashback.characters.through.objects.all
    search.register(
        Scene,
        "scene",
        scene_documents,
        [Weight.TITLE, Weight.TEXT],
        links=[
            Link(PERSON, lambda: Appearance.objects.filter(on_screen=True), "scene", "character", ON_SCREEN),
            Link(PERSON, in_memories, "flashback__scene", "character", IN_MEMORY),
            Link(PERSON, lambda: Appearance.objects.filter(voice_over=True), "scene", "character", VOICE_OVER),
            Link(PERSON, lambda: Appearance.objects.filter(mentioned=True), "scene", "character", MENTIONED),
        ],
        # Memories and letters are stamped with their scene's number.
        dependents=lambda scene: [*scene.flashbacks.all(), *scene.letters.all()],
    )
    search.register(
        Flashback,
        "flashback",
        flashback_documents,
        [Weight.TITLE, Weight.TEXT],
        queryset=lambda: Flashback.objects.select_related("scene"),
        links=[
            Link(PERSON, Flashback.objects.all, "pk", "rememberer", REMEMBERER),
            Link(PERSON, in_memories, "flashback", "character", IN_MEMORY),
        ],
    )
    search.register(
        Letter,
        "letter",
        letter_documents,
        [Weight.TITLE, Weight.TEXT],
        queryset=lambda: Letter.objects.annotate(first_scene=Min("scenes__number"), last_scene=Max("scenes__number")),
        links=[
            Link(PERSON, Letter.objects.all, "pk", "writer", WRITER_OR_RECIPIENT),
            Link(PERSON, Letter.objects.all, "pk", "recipient", WRITER_OR_RECIPIENT),
        ],
    )
    search.register(Location, "place", place_documents, [Weight.NAME, Weight.TEXT])
    m2m_changed.connect(letter_scenes_changed, sender=Letter.scenes.through, dispatch_uid="search-letter-scenes")
