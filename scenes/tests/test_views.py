"""The scene, letter and flashback pages, read over HTTP as a person reads them."""

import html

import pytest
from django.db.models import Q
from django.urls import reverse

from characters.models import Character
from iwojima_site.tests.reading import links, option_count, read, result_count, text, title
from scenes.models import PERSON_LINK, Appearance, Flashback, Letter, Location, PersonLink, Scene

pytestmark = pytest.mark.django_db

SCENES = reverse("scenes:list")


def scene_titles(response):
    return [scene.title for scene in response.context["object_list"]]


def expected(queryset):
    return list(queryset.order_by("number").values_list("title", flat=True))


def with_person(queryset, slug):
    """The scenes in which the person is seen: on screen, or in a memory the scene cuts to."""
    seen = Q(appearances__character__slug=slug, appearances__on_screen=True) | Q(flashbacks__characters__slug=slug)
    return queryset.filter(pk__in=Scene.objects.filter(seen).values("pk"))


def test_scene_list_shows_every_scene_in_screen_order_25_a_page(client):
    response = client.get(SCENES)
    total = Scene.objects.count()
    assert response.status_code == 200
    assert result_count(response) == total
    assert scene_titles(response) == expected(Scene.objects.all())[:25]
    assert f"Page 1 of {(total + 24) // 25}" in text(response)


def test_pagination_keeps_the_filters(client):
    response = client.get(SCENES, {"period": "1945"})
    assert "?period=1945&amp;page=2" in response.content.decode()
    page_two = client.get(SCENES, {"period": "1945", "page": 2})
    assert scene_titles(page_two) == expected(Scene.objects.filter(period="1945"))[25:50]


@pytest.mark.parametrize(
    "params, queryset",
    [
        ({"character": "shimizu"}, lambda: with_person(Scene.objects, "shimizu")),
        (
            {"character": ["shimizu", "saigo"]},
            lambda: with_person(with_person(Scene.objects, "shimizu"), "saigo"),
        ),
        ({"location": "the-beach"}, lambda: Scene.objects.filter(location__slug="the-beach")),
        ({"period": "1944"}, lambda: Scene.objects.filter(period="1944")),
        ({"part": "last-stand"}, lambda: Scene.objects.filter(part="last-stand")),
        ({"has_letter": "yes"}, lambda: Scene.objects.filter(letters__isnull=False).distinct()),
        ({"has_letter": "no"}, lambda: Scene.objects.filter(letters__isnull=True)),
        ({"has_flashback": "yes"}, lambda: Scene.objects.filter(flashbacks__isnull=False).distinct()),
        ({"q": "grenade"}, lambda: Scene.objects.filter(summary__icontains="grenade")),
        (
            {"character": "shimizu", "has_letter": "yes"},
            lambda: with_person(Scene.objects, "shimizu").filter(letters__isnull=False).distinct(),
        ),
        (
            {"character": "kuribayashi", "part": "preparation", "location": "the-beach"},
            lambda: with_person(Scene.objects, "kuribayashi").filter(part="preparation", location__slug="the-beach"),
        ),
    ],
    ids=lambda value: "&".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else "",
)
def test_each_filter_narrows_the_list_alone_and_combined(client, params, queryset):
    response = client.get(SCENES, params)
    wanted = expected(queryset())
    assert response.status_code == 200
    assert wanted, "the example should find something"
    assert len(wanted) < Scene.objects.count(), "the example should narrow the list"
    assert scene_titles(response) == wanted[:25]
    assert result_count(response) == len(wanted)


def test_choosing_several_people_keeps_only_scenes_with_all_of_them(client):
    both = client.get(SCENES, {"character": ["saigo", "kuribayashi"]})
    assert scene_titles(both) == expected(with_person(with_person(Scene.objects, "saigo"), "kuribayashi"))[:25]
    assert result_count(both) < result_count(client.get(SCENES, {"character": "saigo"}))


def test_the_whole_lists_flag_counts_are_the_scenes_with_and_without(client):
    response = client.get(SCENES)
    with_letter = Scene.objects.filter(letters__isnull=False).distinct().count()
    with_flashback = Scene.objects.filter(flashbacks__isnull=False).distinct().count()
    assert option_count(response, "has_letter", "yes") == with_letter
    assert option_count(response, "has_letter", "no") == Scene.objects.count() - with_letter
    assert option_count(response, "has_flashback", "yes") == with_flashback
    assert option_count(response, "has_flashback", "no") == Scene.objects.count() - with_flashback


def test_facet_counts_say_what_each_choice_would_give_with_the_other_filters(client):
    response = client.get(SCENES, {"character": "shimizu"})
    shimizu = with_person(Scene.objects, "shimizu")
    for location in Location.objects.all():
        count = shimizu.filter(location=location).count()
        assert option_count(response, "location", location.slug) == (count or None), location.slug
    for period in ["1944", "1945"]:
        assert option_count(response, "period", period) == (shimizu.filter(period=period).count() or None)
    with_letter = shimizu.filter(letters__isnull=False).distinct().count()
    assert option_count(response, "has_letter", "yes") == with_letter
    # Adding a second person counts the scenes with both.
    assert option_count(response, "character", "saigo") == with_person(shimizu, "saigo").count()
    assert option_count(response, "character", "shimizu") == shimizu.count()


def test_choices_that_would_give_nothing_are_hidden(client):
    response = client.get(SCENES, {"period": "present-day"})
    assert option_count(response, "character", "excavators") == 2
    assert option_count(response, "character", "kuribayashi") is None
    assert option_count(response, "part", "invasion") is None


def test_a_selected_choice_stays_visible_even_when_it_gives_nothing(client):
    response = client.get(SCENES, {"period": "present-day", "location": "the-beach"})
    assert result_count(response) == 0
    assert 'value="the-beach" selected' in response.content.decode()
    assert "No scene matches these filters" in text(response)


def test_active_filters_are_listed_and_each_removes_with_one_click(client):
    response = client.get(SCENES, {"character": ["shimizu", "saigo"], "has_letter": "yes", "page": "1"})
    page = text(response)
    assert "With everyone of these people: Shimizu" in page and "Has a letter: Yes" in page
    remove_shimizu = next(a for a in response.context["active_filters"] if a.value == "Shimizu").remove_url
    assert remove_shimizu == "?character=saigo&has_letter=yes"
    assert remove_shimizu in {link.replace("&amp;", "&") for link in links(response) if link}
    wider = client.get(SCENES + remove_shimizu)
    assert result_count(wider) >= result_count(response)
    assert "Clear all" in page


def test_ordering_by_title(client):
    response = client.get(SCENES, {"order": "title"})
    titles = sorted(Scene.objects.values_list("title", flat=True), key=str.lower)
    assert scene_titles(response) == titles[:25]


@pytest.mark.parametrize(
    "model, field, url, params",
    [
        (Scene, "title", "scenes:list", {"order": "title"}),
        (Letter, "title", "scenes:letter_list", {"order": "title"}),
        (Flashback, "title", "scenes:flashback_list", {"order": "title"}),
        (Location, "name", "scenes:place_list", {}),
    ],
)
def test_titles_and_names_are_ordered_ignoring_case(client, model, field, url, params):
    """A title that begins with a small letter is among the others, not after every capital."""
    record = model.objects.order_by(f"-{field}").first()
    model.objects.filter(pk=record.pk).update(**{field: "a title in small letters"})
    listed = client.get(reverse(url), params).context["object_list"]
    if model is Location:  # by region, then by name
        listed = [place for place in listed if place.region == record.region]
    shown = [getattr(row, field) for row in listed]
    assert "a title in small letters" in shown and shown == sorted(shown, key=str.lower), shown


def test_scene_page_links_to_everything_in_it(client):
    scene = Scene.objects.get(slug="a-mothers-letter")
    response = client.get(scene.get_absolute_url())
    page_links = links(response)
    assert response.status_code == 200
    assert f"Scene {scene.number} of {Scene.objects.count()}" in text(response)
    for character in scene.characters.all():
        assert character.get_absolute_url() in page_links, character
    for letter in scene.letters.all():
        assert letter.get_absolute_url() in page_links, letter
    assert scene.location.get_absolute_url().replace("&", "&amp;") in response.content.decode()
    previous_scene, next_scene = (Scene.objects.get(number=scene.number + step) for step in (-1, 1))
    assert previous_scene.get_absolute_url() in page_links and next_scene.get_absolute_url() in page_links
    assert reverse("scenes:list") in page_links


def test_scene_page_says_every_way_each_person_is_in_it(client):
    appearances = Appearance.objects.filter(Q(voice_over=True) | Q(mentioned=True)).select_related("scene", "character")
    assert appearances.filter(on_screen=True, voice_over=True).exists(), "someone on screen and heard at once"
    for appearance in appearances:
        page = " ".join(text(client.get(appearance.scene.get_absolute_url())).split())
        assert f"{appearance.character.name} {appearance.ways_display}" in page, appearance


def test_scene_page_lists_its_people_as_the_scene_model_does(client):
    """The page reads its people as plain values (PersonLink); they come out as Scene.people() gives them."""
    assert PersonLink._fields == PERSON_LINK
    for scene in Scene.objects.with_people():
        people = client.get(scene.get_absolute_url()).context["people"]
        shown = [(person["url"], person["name"], person["ways"], person["role"]) for person in people]
        assert shown == [
            (p.character.get_absolute_url(), p.character.name, p.ways_display, p.character.role) for p in scene.people()
        ], scene


def test_scene_cards_list_each_scenes_people_as_the_scene_model_does(client):
    """The list reads a page's people as plain values, two statements for all its cards; every card's people and
    their ways come out as Scene.people() gives them, on every page of the list."""
    expected = {
        scene.number: [(p.character.slug, p.character.name, p.ways, p.seen) for p in scene.people()]
        for scene in Scene.objects.with_people()
    }
    assert any(len(people) > 3 for people in expected.values())
    shown = {}
    for page in range(1, Scene.objects.count() // 25 + 2):
        for card in client.get("/scenes/", {"page": page}).context["cards"]:
            shown[card["number"]] = [(p.character.slug, p.character.name, p.ways, p.seen) for p in card["people"]]
    assert shown == expected


def test_scene_page_links_its_flashbacks(client):
    for flashback in Flashback.objects.all():
        assert flashback.get_absolute_url() in links(client.get(flashback.scene.get_absolute_url()))


def test_first_and_last_scene_have_one_neighbour(client):
    first, last = Scene.objects.order_by("number").first(), Scene.objects.order_by("number").last()
    assert "Previous scene" not in text(client.get(first.get_absolute_url()))
    assert "Next scene" not in text(client.get(last.get_absolute_url()))


def test_letter_list_and_filters(client):
    response = client.get(reverse("scenes:letter_list"))
    assert result_count(response) == Letter.objects.count()
    saigo = client.get(reverse("scenes:letter_list"), {"writer": "saigo"})
    assert {letter.writer.slug for letter in saigo.context["object_list"]} == {"saigo"}
    assert result_count(saigo) == Letter.objects.filter(writer__slug="saigo").count()
    read_aloud = client.get(reverse("scenes:letter_list"), {"presentation": "read-aloud"})
    assert result_count(read_aloud) == Letter.objects.filter(presentation="read-aloud").count()
    bag = Letter.objects.get(slug="the-bag-of-undelivered-letters")
    same_fate = client.get(reverse("scenes:letter_list"), {"fate": bag.fate})
    assert bag in same_fate.context["object_list"]
    assert result_count(same_fate) == Letter.objects.filter(fate=bag.fate).count()
    by_name = client.get(reverse("scenes:letter_list"), {"q": "Kuribashi"})
    assert result_count(by_name) == Letter.objects.filter(writer__slug="kuribayashi").count() > 0


def test_letter_page_shows_writer_recipient_and_every_scene(client):
    letter = Letter.objects.get(slug="the-letter-from-sams-mother")
    response = client.get(letter.get_absolute_url())
    page_links = links(response)
    assert letter.writer.get_absolute_url() in page_links and letter.recipient.get_absolute_url() in page_links
    assert all(scene.get_absolute_url() in page_links for scene in letter.scenes.all())
    assert letter.get_presentation_display() in text(response) and letter.get_fate_display() in text(response)


def test_flashback_list_and_filters(client):
    response = client.get(reverse("scenes:flashback_list"))
    assert result_count(response) == Flashback.objects.count()
    saigo = client.get(reverse("scenes:flashback_list"), {"rememberer": "saigo"})
    assert result_count(saigo) == Flashback.objects.filter(rememberer__slug="saigo").count() > 0
    with_hanako = client.get(reverse("scenes:flashback_list"), {"character": "hanako"})
    assert result_count(with_hanako) == Flashback.objects.filter(characters__slug="hanako").count() > 0


def test_flashback_page_says_whose_memory_when_where_and_links_back(client):
    flashback = Flashback.objects.get(slug="the-day-saigo-was-drafted")
    response = client.get(flashback.get_absolute_url())
    page_links = links(response)
    assert flashback.rememberer.get_absolute_url() in page_links
    assert flashback.scene.get_absolute_url() in page_links
    assert all(person.get_absolute_url() in page_links for person in flashback.characters.all())
    assert flashback.location.name in text(response)


BAD_FILTERS = {
    "scenes:list": [
        {"character": "nobody-at-all"},
        {"location": "atlantis"},
        {"period": "1999"},
        {"part": "intermission"},
        {"has_letter": "maybe"},
        {"has_flashback": "1"},
    ],
    "scenes:letter_list": [
        {"writer": "nobody"},
        {"recipient": "nobody"},
        {"presentation": "telegram"},
        {"fate": "lost-at-sea"},
    ],
    "scenes:flashback_list": [{"rememberer": "nobody"}, {"character": "nobody"}],
    "characters:list": [{"side": "martians"}, {"fate": "immortal"}, {"historical": "perhaps"}],
}
COMMON_BAD_FILTERS = [{"q": "x" * 5000}, {"q": "Saigo\x00"}, {"order": "chaos"}]


@pytest.mark.parametrize(
    "url, params",
    [(url, params) for url, cases in BAD_FILTERS.items() for params in cases + COMMON_BAD_FILTERS],
    ids=lambda value: value if isinstance(value, str) else ",".join(value),
)
def test_bad_filter_values_get_a_form_error_never_a_500(client, url, params):
    response = client.get(reverse(url), params)
    assert response.status_code == 400
    page = text(response)
    assert "could not be used" in page and result_count(response) == 0
    assert read(response).h1s  # a normal page, in the site's design


@pytest.mark.parametrize("url", ["scenes:list", "scenes:letter_list", "scenes:flashback_list", "characters:list"])
@pytest.mark.parametrize(
    "query",
    ["page=2&page=1", "page=last", "utm_source=mail&x=1", "period=1944&period=1945"],
)
def test_odd_but_harmless_parameters_still_show_the_list(client, url, query):
    # A repeated one-value filter is first sent to the address the form reads (the last value).
    response = client.get(f"{reverse(url)}?{query}", follow=True)
    assert response.status_code == 200
    assert response.context["object_list"] is not None


@pytest.mark.parametrize("url", ["scenes:list", "scenes:letter_list", "scenes:flashback_list", "characters:list"])
@pytest.mark.parametrize("page", ["99", "0", "-1", "abc", "1.5", "²", "9" * 5000])
def test_a_page_number_the_list_does_not_have_is_the_sites_404_naming_its_pages(client, url, page):
    """As Django's ListView: a page is a whole number from 1 to the last page (or `last`), else 404, on the site's
    own page, which says how many pages the list has and links to its first, the other filters kept."""
    pages = client.get(reverse(url), {"period": "1945"} if url == "scenes:list" else {}).context["paginator"].num_pages
    query = {"period": "1945", "page": page} if url == "scenes:list" else {"page": page}
    response = client.get(reverse(url), query)
    assert response.status_code == 404
    assert title(response).startswith("Page not found")
    assert f"This list has {pages} page{'s' if pages > 1 else ''}" in text(response)
    first = reverse(url) + ("?period=1945" if url == "scenes:list" else "")
    assert first in links(response)


def test_every_page_in_range_and_the_last_are_shown(client):
    pages = client.get(SCENES).context["paginator"].num_pages
    assert pages > 1
    for page in range(1, pages + 1):
        assert client.get(SCENES, {"page": page}).context["page_obj"].number == page
    assert client.get(SCENES, {"page": "last"}).context["page_obj"].number == pages
    assert client.get(SCENES, {"page": pages + 1}).status_code == 404
    assert client.get("/letters/", {"page": 2}).status_code == 404  # the letters fit on one page


@pytest.mark.parametrize("prefix", ["/scenes/", "/letters/", "/flashbacks/", "/characters/"])
def test_unknown_slug_is_a_helpful_404(client, prefix):
    response = client.get(prefix + "no-such-thing/")
    assert response.status_code == 404
    page_links = links(response)
    assert reverse("scenes:list") in page_links and reverse("characters:list") in page_links
    assert 'role="search"' in response.content.decode()
    assert title(response).startswith("Page not found")


def test_null_byte_in_a_path_is_a_404(client):
    assert client.get("/scenes/saigo%00/").status_code == 404


def test_every_character_on_the_scene_list_exists_and_is_linked_from_the_scene():
    # Every scene's people are real characters: nothing on a scene card is left dangling.
    assert not Scene.objects.filter(appearances__character__isnull=True).exists()
    assert Character.objects.filter(appearances__isnull=False).exists()


def test_empty_fields_of_a_submitted_form_are_dropped_from_the_address(client):
    response = client.get(SCENES + "?q=&character=saigo&location=&period=&has_letter=yes&order=")
    assert response.status_code == 302
    assert response.url == SCENES + "?character=saigo&has_letter=yes"
    assert client.get(SCENES + "?q=&period=").url == SCENES


def test_a_letter_to_a_group_names_it_in_lower_case_mid_sentence(client):
    letter = Letter.objects.get(recipient__name="The general's family")
    page = html.unescape(client.get(letter.scenes.first().get_absolute_url()).content.decode())
    assert f"from {letter.writer.name} to the general's family" in page
    assert "to The general" not in page
