"""The stored count of scenes each person is seen in, which orders every people facet and the people list, stays
equal to a fresh count through any sequence of edits to appearances and memories."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from characters.models import Character, seen_scene_count_of
from scenes.models import Appearance, Flashback, Scene

pytestmark = pytest.mark.django_db


def stored_and_fresh():
    rows = Character.objects.annotate(fresh=seen_scene_count_of(Character)).values_list(
        "slug", "seen_scene_count", "fresh"
    )
    return {slug: stored for slug, stored, _ in rows}, {slug: fresh for slug, _, fresh in rows}


def test_the_loaded_content_has_true_counts():
    stored, fresh = stored_and_fresh()
    assert stored == fresh and stored["saigo"] > stored["shimizu"] > 0


# An edit: (what, index of a scene, index of a person, a flag).
EDITS = st.lists(
    st.tuples(
        st.sampled_from(["appear", "leave", "toggle", "move", "remember", "forget", "clear", "relocate", "delete"]),
        st.integers(0, 44),
        st.integers(0, 55),
        st.booleans(),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_any_edits_keep_the_counts_true(edits):
    with transaction.atomic():  # each example starts from the loaded content
        apply(edits)
        stored, fresh = stored_and_fresh()
        transaction.set_rollback(True)
    assert stored == fresh


def apply(edits):
    scenes = list(Scene.objects.order_by("number"))
    people = list(Character.objects.order_by("slug"))
    flashbacks = list(Flashback.objects.order_by("slug"))
    for what, scene_index, person_index, flag in edits:
        scene, person = scenes[scene_index % len(scenes)], people[person_index % len(people)]
        flashback = flashbacks[scene_index % len(flashbacks)]
        appearance = Appearance.objects.filter(scene=scene).order_by("pk").first()
        if what == "appear":
            Appearance.objects.update_or_create(scene=scene, character=person, defaults={"on_screen": True})
        elif what == "leave" and appearance:
            appearance.delete()
        elif what == "toggle" and appearance:
            appearance.on_screen, appearance.mentioned = not appearance.on_screen, True
            appearance.save()
        elif what == "move" and appearance and not Appearance.objects.filter(scene=scene, character=person).exists():
            appearance.character = person  # the person it was for leaves the scene
            appearance.save()
        elif what == "remember":
            (flashback.characters if flag else person.flashbacks).add(person if flag else flashback)
        elif what == "forget":
            (flashback.characters if flag else person.flashbacks).remove(person if flag else flashback)
        elif what == "clear":
            (flashback.characters if flag else person.flashbacks).clear()
        elif what == "relocate":
            flashback.scene = scene
            flashback.save()
        elif what == "delete" and flag:
            flashback.delete()
            flashbacks = list(Flashback.objects.order_by("slug")) or flashbacks
