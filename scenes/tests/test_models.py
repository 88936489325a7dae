import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from characters.models import Character
from scenes.models import Appearance, Flashback, Letter, Location, Scene
from scenes.tests.factories import make_character, make_flashback, make_letter, make_location, make_scene

pytestmark = pytest.mark.django_db


def test_scene_number_must_be_positive():
    scene = make_scene()
    scene.number = 0
    with pytest.raises(ValidationError) as error:
        scene.full_clean()
    assert "number" in error.value.message_dict


def test_database_refuses_scene_number_zero():
    with pytest.raises(IntegrityError):
        make_scene(number=0)


def test_scene_numbers_and_slugs_are_unique():
    scene = make_scene()
    with pytest.raises(IntegrityError):
        make_scene(number=scene.number)


def test_slug_must_be_a_slug():
    person = make_character()
    person.slug = "not a slug!"
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "slug" in error.value.message_dict


def test_one_appearance_per_character_per_scene():
    person = make_character()
    scene = make_scene(people=[person])
    with pytest.raises(IntegrityError):
        Appearance.objects.create(scene=scene, character=person, on_screen=False, mentioned=True)


@pytest.mark.parametrize(
    "paragraphs, ok",
    [([3], True), ([3, 4], True), ([], False), ([31], False), ([0], False), ([3, 3], False), (["3"], False)],
)
def test_source_paragraphs_are_numbers_of_the_plot_summary(paragraphs, ok):
    scene = make_scene()
    scene.source_paragraphs = paragraphs
    if ok:
        scene.full_clean()
    else:
        with pytest.raises(ValidationError):
            scene.full_clean()


def test_rememberer_must_be_in_the_scene_that_shows_the_memory():
    present, absent = make_character(), make_character()
    scene = make_scene(people=[present])
    make_flashback(scene, present).full_clean()
    with pytest.raises(ValidationError) as error:
        make_flashback(scene, absent).full_clean()
    assert "rememberer" in error.value.message_dict


def test_being_mentioned_is_not_enough_to_remember():
    mentioned = make_character()
    scene = make_scene()
    Appearance.objects.create(scene=scene, character=mentioned, on_screen=False, mentioned=True)
    with pytest.raises(ValidationError):
        make_flashback(scene, mentioned).full_clean()


def test_natural_keys_find_each_object_again():
    person = make_character()
    scene = make_scene(people=[person])
    memory = make_flashback(scene, person)
    letter = make_letter(scenes=[scene], writer=person)
    appearance = Appearance.objects.get(scene=scene, character=person)
    for obj in [person, scene, scene.location, memory, letter, appearance]:
        assert type(obj).objects.get_by_natural_key(*obj.natural_key()) == obj


def test_strings_and_urls_name_the_object():
    person = make_character(name="Shimizu", slug="shimizu-test")
    place = make_location(name="The caves", slug="caves-test")
    scene = make_scene(people=[person], title="The new man", slug="new-man", location=place)
    memory = make_flashback(scene, person, title="The dog", slug="the-dog")
    letter = make_letter(scenes=[scene], title="To his mother", slug="to-his-mother")
    assert str(person) == "Shimizu" and person.get_absolute_url() == "/characters/shimizu-test/"
    assert str(scene) == f"{scene.number}. The new man" and scene.get_absolute_url() == "/scenes/new-man/"
    assert str(memory) == "The dog" and memory.get_absolute_url() == "/flashbacks/the-dog/"
    assert str(letter) == "To his mother" and letter.get_absolute_url() == "/letters/to-his-mother/"
    assert str(place) == "The caves" and place.get_absolute_url() == "/places/caves-test/"
    assert str(Appearance.objects.get(scene=scene)) == f"Shimizu in scene {scene.number} (on screen)"


def test_aliases_are_one_a_line_and_searchable():
    person = make_character(name="Kuribayashi-test", aliases="Kuribashi-test\n\n  Kuribachi-test  \n")
    assert person.alias_list == ["Kuribashi-test", "Kuribachi-test"]
    assert list(Character.objects.matching("kuribachi-TEST")) == [person]


def test_querysets_put_things_in_screen_order():
    early, late = make_scene(number=9001), make_scene(number=9000)
    assert list(Scene.objects.filter(pk__in=[early.pk, late.pk]).in_screen_order()) == [late, early]
    letter_late, letter_early = make_letter(scenes=[early]), make_letter(scenes=[late])
    letters = Letter.objects.filter(pk__in=[letter_late.pk, letter_early.pk]).in_screen_order()
    assert list(letters) == [letter_early, letter_late]
    person = make_character()
    Appearance.objects.create(scene=early, character=person)
    memory_late = make_flashback(early, person)
    Appearance.objects.create(scene=late, character=person)
    memory_early = make_flashback(late, person)
    memories = Flashback.objects.filter(pk__in=[memory_late.pk, memory_early.pk]).in_screen_order()
    assert list(memories) == [memory_early, memory_late]


def test_location_in_use_cannot_be_deleted():
    scene = make_scene()
    with pytest.raises(IntegrityError):
        Location.objects.filter(pk=scene.location_id).delete()


def test_story_parts_are_edited_as_scene_stamped_paragraphs():
    from iwojima_site.story import StoryPartsField

    field = StoryPartsField()
    parts = field.clean("Scene 2: Digs on the beach.\n\nScene 5:  Watches   the rider.")
    assert parts == [{"scene": 2, "text": "Digs on the beach."}, {"scene": 5, "text": "Watches the rider."}]
    assert field.prepare_value(parts) == "Scene 2: Digs on the beach.\n\nScene 5: Watches the rider."
    for bad in ["Digs on the beach.", "Scene 5: Later.\n\nScene 2: Earlier.", "Scene 0: Before the film."]:
        with pytest.raises(ValidationError):
            field.clean(bad)


def test_a_story_part_stamped_with_a_missing_scene_is_an_error():
    person = make_character(biography=[{"scene": 999_999, "text": "Never."}])
    assert any("999999" in error for error in person.rule_errors())
