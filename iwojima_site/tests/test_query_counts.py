"""Pages make the same few queries however much content there is: checked on twenty times the film."""

import pytest

from characters.models import Character
from iwojima_site.tests.test_pages import all_page_urls
from scenes.models import Appearance, Flashback, Letter, Scene

pytestmark = pytest.mark.django_db

COPIES = 19  # with the real content, twenty times the data


@pytest.fixture
def twenty_times_the_content():
    """Nineteen renamed copies of every person, scene, appearance, flashback and letter."""
    people = list(Character.objects.all())
    scenes = list(Scene.objects.all())
    appearances = list(Appearance.objects.all())
    flashbacks = list(Flashback.objects.prefetch_related("characters"))
    letters = list(Letter.objects.prefetch_related("scenes"))
    offset = max(scene.number for scene in scenes)
    for copy in range(1, COPIES + 1):
        person_copies = {p.pk: Character(**{**vars_of(p), "slug": f"{p.slug}-{copy}"}) for p in people}
        Character.objects.bulk_create(person_copies.values())
        scene_copies = {
            s.pk: Scene(**{**vars_of(s), "slug": f"{s.slug}-{copy}", "number": s.number + copy * offset})
            for s in scenes
        }
        Scene.objects.bulk_create(scene_copies.values())
        Appearance.objects.bulk_create(
            Appearance(scene=scene_copies[a.scene_id], character=person_copies[a.character_id], kind=a.kind)
            for a in appearances
        )
        for flashback in flashbacks:
            new = Flashback.objects.create(
                **{
                    **vars_of(flashback),
                    "slug": f"{flashback.slug}-{copy}",
                    "scene": scene_copies[flashback.scene_id],
                    "rememberer": person_copies[flashback.rememberer_id],
                }
            )
            new.characters.set([person_copies[p.pk] for p in flashback.characters.all()])
        for letter in letters:
            new = Letter.objects.create(
                **{
                    **vars_of(letter),
                    "slug": f"{letter.slug}-{copy}",
                    "writer": person_copies.get(letter.writer_id),
                    "recipient": person_copies.get(letter.recipient_id),
                }
            )
            new.scenes.set([scene_copies[s.pk] for s in letter.scenes.all()])
    assert Scene.objects.count() == len(scenes) * (COPIES + 1)


def vars_of(obj):
    """An object's own field values, without its id or the foreign keys the copy replaces."""
    fields = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key}
    for name in ("scene_id", "rememberer_id", "writer_id", "recipient_id"):
        fields.pop(name, None)
    return fields


def test_every_page_stays_within_12_queries_on_twenty_times_the_content(
    client, django_assert_max_num_queries, twenty_times_the_content
):
    urls = all_page_urls() + [
        "/scenes/?character=saigo&character=shimizu-3",
        "/scenes/?page=30",
        "/characters/?page=40",
        "/search/?q=letter",
    ]
    for url in urls:
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200, url
