"""How present a person is in a scene: every way at once, memories counted as seen, and the presence choice
of the people filters (`presence=seen`, the default, or `presence=any`)."""

import pytest
from django.urls import reverse

from characters.models import Character
from iwojima_site.tests.reading import option_count, text
from scenes.models import Appearance, Flashback
from scenes.tests.factories import make_character, make_flashback, make_scene

pytestmark = pytest.mark.django_db

SCENES = reverse("scenes:list")


def listed(response):
    return {scene.slug for scene in response.context["paginator"].object_list}


def seen_in(slug):
    """Scene slugs where the person is on screen, or in a memory the scene cuts to (read from the tables)."""
    on_screen = Appearance.objects.filter(character__slug=slug, on_screen=True).values_list("scene__slug", flat=True)
    in_memory = Flashback.objects.filter(characters__slug=slug).values_list("scene__slug", flat=True)
    return set(on_screen) | set(in_memory)


def present_in(slug):
    return seen_in(slug) | set(Appearance.objects.filter(character__slug=slug).values_list("scene__slug", flat=True))


def test_saigo_digs_on_screen_and_is_heard_in_voice_over_in_his_first_scene(client):
    appearance = Appearance.objects.get(scene__slug="digging-trenches", character__slug="saigo")
    assert appearance.on_screen and appearance.voice_over
    page = text(client.get(reverse("scenes:detail", args=["digging-trenches"])))
    assert "Saigo on screen · heard in voice-over" in " ".join(page.split())


def test_hanako_is_found_in_the_scene_that_shows_her_in_saigos_memory(client):
    response = client.get(SCENES, {"character": "hanako"})
    assert "remembering-the-draft" in listed(response)
    page = " ".join(text(client.get(reverse("scenes:detail", args=["remembering-the-draft"]))).split())
    assert "Hanako in Saigo’s memory" in page


def test_everyone_in_a_memory_is_found_by_the_scene_it_interrupts(client):
    for flashback in Flashback.objects.prefetch_related("characters").select_related("scene"):
        for person in flashback.characters.all():
            assert flashback.scene.slug in listed(client.get(SCENES, {"character": person.slug})), (person, flashback)


def test_saigo_and_kuribayashi_lists_only_scenes_where_both_are_seen_unless_presence_is_any(client):
    both_seen = seen_in("saigo") & seen_in("kuribayashi")
    both_present = present_in("saigo") & present_in("kuribayashi")
    assert both_seen and both_present - both_seen, "the content has scenes where one is only heard or mentioned"
    assert listed(client.get(SCENES, {"character": ["saigo", "kuribayashi"]})) == both_seen
    assert listed(client.get(SCENES, {"character": ["saigo", "kuribayashi"], "presence": "any"})) == both_present


def test_the_people_facet_counts_as_the_presence_choice_says(client):
    seen = client.get(SCENES, {"character": "saigo"})
    assert option_count(seen, "character", "kuribayashi") == len(seen_in("saigo") & seen_in("kuribayashi"))
    anyhow = client.get(SCENES, {"character": "saigo", "presence": "any"})
    assert option_count(anyhow, "character", "kuribayashi") == len(present_in("saigo") & present_in("kuribayashi"))


def test_the_default_presence_is_never_written_into_the_address(client):
    response = client.get(SCENES, {"character": "saigo", "presence": "seen", "order": "screen"})
    assert response.status_code == 302 and response.url == f"{SCENES}?character=saigo"


def test_an_unknown_presence_is_a_form_error(client):
    response = client.get(SCENES, {"character": "saigo", "presence": "sometimes"})
    assert response.status_code == 400 and "Counting people" in text(response)


def test_the_people_facet_keeps_the_order_of_prominence_whatever_is_ticked(client):
    def order(query):
        # The facet's own page lists every choice; the list page shows the first ten of the same order.
        response = client.get(reverse("scenes:list_facet", args=["character"]), query)
        return [option.value for option in response.context["facet"].options]

    everyone = order({})
    principals = list(Character.objects.filter(principal=True).values_list("slug", flat=True))
    assert set(everyone[: len(principals)]) == set(principals)
    narrowed = order({"character": "shimizu"})
    assert narrowed == [slug for slug in everyone if slug in narrowed]


def test_with_all_of_many_people_is_one_subquery_past_sqlites_join_limit(client, django_assert_max_num_queries):
    crowd = [make_character() for _ in range(70)]
    scene = make_scene(people=crowd)
    make_scene(people=crowd[:69])
    with django_assert_max_num_queries(12):
        response = client.get(SCENES, {"character": [person.slug for person in crowd]})
    assert response.status_code == 200 and listed(response) == {scene.slug}


def test_a_memory_counts_as_seen_for_the_people_filter(client):
    rememberer, remembered = make_character(), make_character()
    scene = make_scene(people=[rememberer])
    make_flashback(scene, rememberer).characters.add(remembered)
    assert listed(client.get(SCENES, {"character": [rememberer.slug, remembered.slug]})) == {scene.slug}


def test_only_mentioned_is_found_only_with_presence_any(client):
    person = make_character()
    scene = make_scene()
    Appearance.objects.create(scene=scene, character=person, on_screen=False, mentioned=True)
    assert listed(client.get(SCENES, {"character": person.slug})) == set()
    assert listed(client.get(SCENES, {"character": person.slug, "presence": "any"})) == {scene.slug}


def test_an_appearance_must_say_how_the_person_is_in_the_scene():
    from django.core.exceptions import ValidationError

    appearance = Appearance(scene=make_scene(), character=make_character(), on_screen=False)
    with pytest.raises(ValidationError):
        appearance.full_clean()


def test_the_people_list_opens_with_principals_and_ends_with_groups(client):
    people = list(client.get(reverse("characters:list")).context["paginator"].object_list)
    kinds = ["principal" if p.principal else "group" if p.is_group else "other" for p in people]
    assert kinds == sorted(kinds, key=["principal", "other", "group"].index)
    assert kinds[0] == "principal" and kinds[-1] == "group"


def test_home_counts_people_and_groups_apart(client):
    page = " ".join(text(client.get(reverse("home"))).split())
    people, groups = Character.objects.filter(is_group=False).count(), Character.objects.filter(is_group=True).count()
    assert groups and f"{people} people" in page and f"{groups} groups" in page
