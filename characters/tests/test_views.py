"""The people pages: the filtered list and each person's page."""

import re

import pytest
from django.urls import reverse

from characters.models import Character
from iwojima_site.tests.reading import links, option_count, result_count, text

pytestmark = pytest.mark.django_db

PEOPLE = reverse("characters:list")
API_PEOPLE = reverse("api:person-list")


def names(response):
    return [person.name for person in response.context["object_list"]]


def test_people_can_be_listed_in_order_of_first_appearance(client):
    response = client.get(PEOPLE, {"order": "appearance"})
    firsts = [person.first_scene or person.first_memory or 10**6 for person in response.context["object_list"]]
    assert result_count(response) == Character.objects.count()
    assert firsts == sorted(firsts)
    assert names(response)[0] in {"The excavators", "The excavator who makes the find"}


@pytest.mark.parametrize("order", ["prominence", "appearance", "name"])
def test_every_order_of_people_is_total_so_pages_neither_repeat_nor_skip(client, order):
    """People of one name and no appearance tie on every field but their slug: the slug settles the order, so every
    page of the list, and every database, holds each person once and in the same place."""
    for suffix in ("b", "a", "c"):
        Character.objects.create(slug=f"same-name-{suffix}", name="Same Name")
    seen = []
    for page in range(1, Character.objects.count() // 25 + 2):
        response = client.get(PEOPLE, {"order": order, "page": page}, follow=True)  # the default order: redirected
        seen += [p.slug for p in response.context["object_list"]]
    assert sorted(seen) == sorted(Character.objects.values_list("slug", flat=True))
    tied = [slug for slug in seen if slug.startswith("same-name-")]
    assert tied == ["same-name-a", "same-name-b", "same-name-c"]


def alphabetical(people):
    """The people's names as readers expect them sorted: ignoring case, ties by slug."""
    return [name for name, _slug in sorted(people.values_list("name", "slug"), key=lambda p: (p[0].lower(), p[1]))]


def test_people_can_be_ordered_by_name_ignoring_case_on_the_page_and_in_the_api(client):
    listed, api = [], []
    for page in range(1, Character.objects.count() // 25 + 2):
        listed += names(client.get(PEOPLE, {"order": "name", "page": page}))
        api += [person["name"] for person in client.get(API_PEOPLE, {"order": "name", "page": page}).json()["results"]]
    assert listed == api == alphabetical(Character.objects.all())
    assert listed.index("The child in the street") < listed.index("The Japanese troops on the island")


def test_the_order_of_prominence_breaks_ties_alphabetically(client):
    listed = []
    for page in range(1, Character.objects.count() // 25 + 2):
        listed += names(client.get(PEOPLE, {"page": page}))
    tied = [person.name for person in Character.objects.filter(prominence_tier=2, seen_scene_count=1)]
    assert [name for name in listed if name in tied] == alphabetical(Character.objects.filter(name__in=tied))
    assert listed.index("The officer leading the last soldiers") < listed.index("The officer Saigo reports to")


@pytest.mark.parametrize(
    "params, wanted",
    [
        ({"side": "american-forces"}, lambda: Character.objects.filter(side="american-forces")),
        ({"fate": "suicide"}, lambda: Character.objects.filter(fate="suicide")),
        ({"historical": "yes"}, lambda: Character.objects.filter(historical=True)),
        ({"historical": "no"}, lambda: Character.objects.filter(historical=False)),
        ({"q": "Kuribachi"}, lambda: Character.objects.filter(slug="kuribayashi")),
        # Whole words: "Nish" is one of the plot summary's spellings of Nishi, and no other name.
        ({"q": "Nish"}, lambda: Character.objects.filter(slug="nishi")),
        (
            {"side": "japanese-army", "fate": "suicide"},
            lambda: Character.objects.filter(side="japanese-army", fate="suicide"),
        ),
    ],
    ids=lambda value: ",".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else "",
)
def test_each_filter_narrows_the_people(client, params, wanted):
    response = client.get(PEOPLE, params)
    expected = set(wanted().values_list("name", flat=True))
    assert expected and len(expected) < Character.objects.count()
    assert result_count(response) == len(expected)
    shown = set(names(response))
    assert shown == expected if len(expected) <= 25 else shown <= expected


def test_facet_counts_for_people(client):
    response = client.get(PEOPLE, {"side": "japanese-army"})
    army = Character.objects.filter(side="japanese-army")
    assert option_count(response, "fate", "suicide") == army.filter(fate="suicide").count()
    assert option_count(response, "historical", "yes") == army.filter(historical=True).count()
    # The side's own counts ignore the side chosen, so the other sides can still be picked.
    assert option_count(response, "side", "american-forces") == Character.objects.filter(side="american-forces").count()


def test_a_persons_page_has_every_name_scene_letter_and_memory(client):
    saigo = Character.objects.get(slug="saigo")
    response = client.get(saigo.get_absolute_url())
    page, page_links = text(response), links(response)
    assert response.status_code == 200
    for alias in saigo.alias_list:
        assert alias in page
    assert ("Also called" in page) == bool(saigo.alias_list)
    assert saigo.actor in page and saigo.get_fate_display() in page
    scenes = {a.scene for a in saigo.appearances.all()} | {f.scene for f in saigo.flashbacks.all()}
    in_order = [scene.get_absolute_url() for scene in sorted(scenes, key=lambda scene: scene.number)]
    scene_list = response.content.decode().split('id="scenes-heading"')[1].split("</section>")[0]
    linked = [link for link in re.findall(r'href="([^"]+)"', scene_list) if link in in_order]
    assert linked == in_order, "every scene he is in, or in a memory shown in, linked once, in screen order"
    for letter in list(saigo.letters_written.all()) + list(saigo.letters_received.all()):
        assert letter.get_absolute_url() in page_links
    for flashback in list(saigo.memories.all()) + list(saigo.flashbacks.all()):
        assert flashback.get_absolute_url() in page_links


def test_shimizu_reaches_every_scene_of_his_and_from_them_every_letter(client):
    shimizu = Character.objects.get(slug="shimizu")
    page_links = links(client.get(shimizu.get_absolute_url()))
    letters = set()
    for scene in shimizu.scenes.all():
        assert scene.get_absolute_url() in page_links
        scene_links = links(client.get(scene.get_absolute_url()))
        letters |= {letter for letter in scene.letters.all() if letter.get_absolute_url() in scene_links}
    assert letters == {letter for scene in shimizu.scenes.all() for letter in scene.letters.all()} != set()


def test_someone_only_in_a_memory_says_so(client):
    hanako = Character.objects.get(slug="hanako")
    response = client.get(hanako.get_absolute_url())
    for flashback in hanako.flashbacks.all():
        assert flashback.get_absolute_url() in links(response)


def test_a_person_page_shows_no_empty_alias_even_from_aliases_saved_before_they_were_cleaned(client):
    Character.objects.filter(slug="nishi").update(aliases=",,\n , Baron Nishi,")
    page = client.get(reverse("characters:detail", args=["nishi"])).content.decode()
    assert "<dt>Also called</dt><dd>“Baron Nishi”</dd>" in page
