"""Filters that keep their word: the address holds exactly what the form reads, each chip removes exactly its
filter, defaults never reach the address, and a long facet shows ten choices and links to a page of all."""

import re

import pytest
from django.core.paginator import Paginator
from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from characters.models import Character
from iwojima_site.facets import LIST_KEYS, MAX_CHOSEN, BakedPaginator, FacetedFilterSet
from iwojima_site.tests.reading import links, read, result_count, text
from scenes.filters import SceneFilter
from scenes.models import Location, Scene

pytestmark = pytest.mark.django_db

SCENES = reverse("scenes:list")
PEOPLE_FACET = reverse("scenes:list_facet", args=["character"])
LISTS = ["scenes:list", "scenes:letter_list", "scenes:flashback_list", "characters:list"]


def chips(response):
    """{"When: 1945, the battle": remove url} for each filter the page says is in use."""
    return {f"{active.label}: {active.value}": active.remove_url for active in response.context["active_filters"]}


def facet(response, name):
    return next(facet for facet in response.context["facets"] if facet.name == name)


def shown(response, name):
    return [option.value for option in facet(response, name).options]


def active_filters(query):
    filterset = SceneFilter(QueryDict(query), queryset=Scene.objects.all())
    assert filterset.is_valid(), filterset.errors
    return {f"{a.label}: {a.value}": a.remove_url for a in filterset.active_filters(QueryDict(query), SCENES)}


# The address says what the form reads


def test_spaces_around_a_value_are_dropped_from_the_address(client):
    response = client.get(SCENES + "?q=%20saigo%20&character=%20shimizu")
    assert response.status_code == 302 and response.url == SCENES + "?q=saigo&character=shimizu"


def test_a_repeated_one_value_filter_keeps_the_value_the_form_reads(client):
    response = client.get(SCENES + "?period=1944&period=1945")
    assert response.status_code == 302 and response.url == SCENES + "?period=1945"
    page = client.get(response.url)
    assert facet(page, "period").bound_field.value() == "1945"
    assert result_count(page) == Scene.objects.filter(period="1945").count()


def test_a_person_chosen_twice_is_in_the_address_once(client):
    response = client.get(SCENES + "?character=saigo&character=shimizu&character=saigo")
    assert response.status_code == 302 and response.url == SCENES + "?character=saigo&character=shimizu"


def test_parameters_the_list_reads_besides_its_filters_are_kept(client):
    assert client.get(SCENES + "?page=2&at=30").status_code == 200
    response = client.get(SCENES + "?page=2&order=title&at=30&period=")
    assert response.status_code == 302 and response.url == SCENES + "?page=2&order=title&at=30"


@pytest.mark.parametrize("url", LISTS)
def test_a_parameter_the_form_does_not_read_is_dropped_from_the_address(client, url):
    """A misspelt filter (`charcter`) filters nothing: the address, and the links that keep its filters (the
    list's JSON and CSV), would say it did. The clean-up redirect drops it, keeping what the list reads."""
    response = client.get(reverse(url) + "?charcter=saigo&utm_source=mail&page=1")
    assert response.status_code == 302 and response.url == reverse(url) + "?page=1"
    response = client.get(reverse(url) + "?charcter=saigo&period=&at=12")
    assert response.status_code == 302 and response.url == reverse(url) + "?at=12"


def test_the_page_of_a_facets_choices_keeps_its_own_page_and_drops_the_rest(client):
    response = client.get(PEOPLE_FACET + "?choices=1&charcter=saigo&period=1945")
    assert response.status_code == 302 and response.url == PEOPLE_FACET + "?choices=1&period=1945"


def test_the_page_of_a_facets_choices_drops_the_lists_page_and_asks_the_horizon_once(client):
    # It pages its choices by `choices`: a `page` there would sit in the address and change nothing.
    for query in ("page=2&x=1", "page=99", "page=abc"):
        assert client.get(f"{PEOPLE_FACET}?{query}").url == PEOPLE_FACET
    page = client.get(PEOPLE_FACET + "?order=title&at=30").content.decode()
    form = page[page.index('facet-choices"') :]
    assert form[: form.index("</form>")].count('name="at"') == 1


@pytest.mark.parametrize("url", ["/scenes/", "/timeline/", "/places/", PEOPLE_FACET])
def test_a_parameter_read_once_is_kept_once(client, url):
    response = client.get(f"{url}?at=30&at=30")
    assert response.status_code == 302 and response.url == f"{url}?at=30"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        *((url, "at") for url in ["/scenes/", "/characters/", "/timeline/", "/cast/", "/places/", PEOPLE_FACET]),
        *((url, "page") for url in ["/scenes/", "/characters/", "/timeline/"]),
        (PEOPLE_FACET, "choices"),  # a facet's page pages its choices
    ],
)
def test_page_and_at_keep_their_last_value_less_empty_ones(client, url, name):
    """As the README says: `page` and `at` keep their last value (the one QueryDict.get() reads), an empty one
    being absent, as a form's blank field; the list answers 302 to that address, then 200 there."""
    first, last = ("2", "1") if name == "choices" else ("1", "2")  # at ×1 the people fit on one page of choices
    for query, kept in [
        (f"{name}={first}&{name}={last}", f"{name}={last}"),
        (f"{name}={last}&{name}=", f"{name}={last}"),
        (f"{name}=&{name}=1&{name}=%20", f"{name}=1"),
    ]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 302 and response.url == f"{url}?{kept}", query
        assert client.get(response.url).status_code == 200
    response = client.get(f"{url}?{name}=")
    assert response.status_code == 302 and response.url == url


@pytest.mark.parametrize(
    ("written", "number"),
    [("%D9%A3", 3), ("1_0", 10), ("%2B2", 2), ("0000002", 2), ("%202%20", 2), ("3&{n}=%2B02", 2), ("2&{n}=", 2)],
)
@pytest.mark.parametrize("name", ["page", "at"])
def test_at_is_read_as_page_is(client, name, written, number):
    """One rule for both numbers of a list's address: a whole number as int() reads it (spaces stripped), the last
    value that is not empty, sent to its plain digits. `at=٣`, `at=1_0`, `at=+2`, `at=0000002` and `at=3&at=4` were
    400 where the same `page` was redirected."""
    response = client.get(f"{SCENES}?q=letter&{name}={written.format(n=name)}&order=title")
    assert response.status_code == 302 and response.url == f"{SCENES}?q=letter&{name}={number}&order=title"


def test_a_page_number_written_otherwise_is_sent_to_its_plain_digits(client):
    """`page=01`, `page=+2`, `page=%202` are pages 1 and 2 (int() reads them): each page has one address, so one
    shared-cache entry and one ETag, and a link shared is the canonical one. The other parameters keep their order."""
    for written, page in [("01", 1), ("%2B2", 2), ("%202", 2), ("2%20", 2), ("002", 2), ("%D9%A2", 2)]:
        response = client.get(f"{SCENES}?period=1945&page={written}&order=title")
        assert response.status_code == 302 and response.url == f"{SCENES}?period=1945&page={page}&order=title"
    assert client.get(SCENES + "?page=1").status_code == 200  # the first page, as it is written today


def test_a_horizon_written_otherwise_is_sent_to_its_plain_digits(client):
    response = client.get(SCENES + "?at=01")
    assert response.status_code == 302 and response.url == SCENES + "?at=1"
    response = client.get(SCENES + "?character=saigo&at=%2012&page=02")
    assert response.status_code == 302 and response.url == SCENES + "?character=saigo&at=12&page=2"


@pytest.mark.parametrize(
    "url, query, canonical",
    [
        ("/characters/", "page=02", "page=2"),
        ("/letters/", "at=007", "at=7"),
        ("/flashbacks/", "page=%2B1&at=30", "page=1&at=30"),
        (PEOPLE_FACET, "choices=01&at=030", "choices=1&at=30"),
        ("/timeline/", "part=frame&page=01&at=09", "part=frame&page=1&at=9"),
        ("/timeline/story/", "page=%201", "page=1"),
        ("/places/", "at=05", "at=5"),
        ("/cast/", "at=%205%20", "at=5"),
    ],
)
def test_every_page_that_cleans_its_address_writes_its_numbers_in_plain_digits(client, url, query, canonical):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 302 and response.url == f"{url}?{canonical}"
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize("page", ["abc", "0", "00", "-1", "-01", "1.5", "last"])
def test_a_page_that_is_not_a_whole_number_from_1_keeps_its_answer(client, page):
    # Not a page to write otherwise: the list answers it as it would (a 404 naming its pages, or the last page).
    response = client.get(SCENES, {"page": page})
    assert response.status_code == (200 if page == "last" else 404)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    page=st.integers(min_value=1, max_value=10**6),
    at=st.integers(min_value=1, max_value=30),
    zeros=st.integers(min_value=0, max_value=3),
    sign=st.sampled_from(["", "+"]),
    spaces=st.sampled_from(["", " "]),
)
def test_any_whole_number_written_otherwise_is_sent_to_its_plain_digits(client, page, at, zeros, sign, spaces):
    """Whatever the number, and whether or not the list has that page: the clean-up answers before the page is read."""
    written = f"{spaces}{sign}{'0' * zeros}{page}"
    response = client.get(SCENES, {"q": "letter", "page": written, "at": f"{sign}{'0' * zeros}{at}{spaces}"})
    if not (sign or zeros or spaces):
        assert response.status_code in (200, 404)
    else:
        assert response.status_code == 302 and response.url == f"{SCENES}?q=letter&page={page}&at={at}"


@pytest.mark.parametrize("url", ["scenes:place_list", "cast"])
def test_the_lists_without_filters_drop_what_they_do_not_read(client, url):
    response = client.get(reverse(url) + "?charcter=saigo&at=12")
    assert response.status_code == 302 and response.url == reverse(url) + "?at=12"
    assert client.get(reverse(url) + "?at=12").status_code == 200


# Each chip removes exactly its filter


def test_the_chip_of_a_text_filter_removes_it_whatever_the_spaces():
    assert active_filters("q=%20saigo&period=1945") == {
        "Words in the title or summary: “saigo”": "?period=1945",
        "When: 1945, the battle": "?q=+saigo",
    }


def test_the_chip_of_a_repeated_one_value_filter_removes_every_value():
    assert active_filters("period=1944&period=1945") == {"When: 1945, the battle": SCENES}


def test_the_chip_of_one_person_removes_just_that_person_whatever_the_spaces():
    assert active_filters("character=saigo&character=%20shimizu") == {
        "With everyone of these people: Saigo": "?character=+shimizu",
        "With everyone of these people: Shimizu": "?character=saigo",
    }


def test_every_chip_leads_to_the_same_list_less_its_own_filter(client):
    query = "q=the&character=saigo&character=shimizu&location=the-beach&has_letter=no&order=title&page=1"
    response = client.get(SCENES + "?" + query, follow=True)
    before = chips(response)
    assert len(before) == 5
    for label, url in before.items():
        assert "page=" not in url, "a chip leads to the first page"
        after = client.get(SCENES + url if url.startswith("?") else url)
        assert after.status_code == 200, url
        assert chips(after).keys() == before.keys() - {label}, label
        assert after.context["page_obj"].number == 1
        assert after.context["filter"].form.cleaned_data["order"] == "title", "the order is not a filter: it stays"


def test_removing_the_last_filter_leads_to_the_plain_list(client):
    response = client.get(SCENES, {"period": "1945"})
    assert chips(response) == {"When: 1945, the battle": SCENES}


# Defaults never reach the address


@pytest.mark.parametrize("name", LISTS)
def test_the_default_order_is_never_written_into_the_address(client, name):
    url = reverse(name)
    response = client.get(url)
    default = facet(response, "order").options[0]
    assert default.selected
    assert client.get(url, {"order": default.value}).url == url
    other = facet(response, "order").options[1].value
    assert client.get(url, {"order": other}).status_code == 200


def test_the_default_presence_is_never_written_and_the_other_is_kept(client):
    assert client.get(SCENES, {"character": "saigo", "presence": "seen"}).url == SCENES + "?character=saigo"
    assert client.get(SCENES, {"character": "saigo", "presence": "any"}).status_code == 200


def test_a_submitted_form_with_every_default_is_the_plain_list(client):
    # What "Show results" sends with nothing chosen.
    query = "q=&presence=seen&location=&period=&part=&has_letter=&has_flashback=&order=screen"
    assert client.get(f"{SCENES}?{query}").url == SCENES


# The form tells the browser not to refill it, and every list has a place for the "Copy link" button


@pytest.mark.parametrize("name", LISTS)
def test_every_list_form_shows_the_address_and_has_a_copy_link_slot(client, name):
    html = client.get(reverse(name)).content.decode()
    form = re.search(r"<form class=\"filters\"[^>]*>", html).group(0)
    assert 'autocomplete="off"' in form and "data-shows-address" in form
    assert "data-copy-link" in html
    assert re.search(r'<script type="module" src="[^"]*js/filters\.js"></script>', html)


# A long facet: ten choices, the ticked ones, and a link to all of them


def test_the_people_facet_shows_the_first_ten_in_the_order_of_prominence(client):
    response = client.get(SCENES)
    people = facet(response, "character")
    everyone = [option.value for option in client.get(PEOPLE_FACET).context["facet"].options]
    assert shown(response, "character") == everyone[:10]
    assert people.total == len(everyone) > 10
    assert people.more_url == PEOPLE_FACET
    assert f"Show all {len(everyone)} people" in text(response)


def test_a_ticked_person_beyond_the_first_ten_stays_in_the_facet(client):
    everyone = [option.value for option in client.get(PEOPLE_FACET).context["facet"].options]
    far = everyone[-1]
    response = client.get(SCENES, {"character": far})
    people = shown(response, "character")
    assert far in people and len(people) <= 11
    assert people == [slug for slug in everyone if slug in people], "still in the order of prominence"


def test_the_show_all_link_keeps_the_other_filters(client):
    response = client.get(SCENES, {"period": "1945", "order": "title", "page": "2"})
    assert facet(response, "character").more_url == f"{PEOPLE_FACET}?period=1945&order=title"


def test_the_facet_page_lists_every_choice_with_its_live_count_and_keeps_the_other_filters(client):
    response = client.get(PEOPLE_FACET, {"period": "1945", "character": "saigo"})
    assert response.status_code == 200
    options = {option.value: option for option in response.context["facet"].options}
    in_1945 = Scene.objects.filter(period="1945")
    for slug in ["saigo", "kuribayashi", "shimizu"]:
        assert options[slug].count == in_1945.with_everyone(Character.objects.filter(slug__in={"saigo", slug})).count()
    assert options["saigo"].selected and not options["shimizu"].selected
    html = response.content.decode()
    assert f'action="{SCENES}"' in html
    assert '<input type="hidden" name="period" value="1945">' in html
    assert '<input type="checkbox" name="character" value="saigo" id="filter-character-saigo" checked>' in html
    form = html[html.index('<form class="filters facet-choices"') :]
    form = form[: form.index("</form>")]
    assert form.count('type="hidden"') == 1, "the facet's own choices are the checkboxes, not kept"
    assert SCENES + "?period=1945&character=saigo" in links(response), "back to the list, unchanged"


def test_a_one_value_facet_page_offers_radio_buttons_and_any(client):
    response = client.get(reverse("scenes:letter_list_facet", args=["writer"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<input type="radio" name="writer" value="" id="filter-writer-any" checked>' in html
    assert html.count('type="radio" name="writer"') == len(response.context["facet"].options) + 1


@pytest.mark.parametrize("name", ["period", "nobody", "q"])
def test_only_long_facets_have_a_page(client, name):
    assert client.get(reverse("scenes:list_facet", args=[name])).status_code == 404


def test_a_facet_page_of_an_invalid_address_says_what_is_wrong(client):
    response = client.get(PEOPLE_FACET, {"location": "atlantis"})
    assert response.status_code == 400
    assert "Place: Select a valid choice" in " ".join(text(response).split())


def test_a_keyboard_user_can_skip_past_the_people(client):
    response = client.get(SCENES)
    html = response.content.decode()
    skip = re.search(r'<a class="skip-facet" href="#([\w-]+)">Skip past the people</a>', html)
    assert skip and f'id="{skip.group(1)}"' in html
    people, rest = html.split('id="filter-character"', 1)[1].split(f'id="{skip.group(1)}"', 1)
    assert "filter-character-saigo" in people and "filter-character-saigo" not in rest


def test_the_place_filter_links_the_places(client):
    beach = Location.objects.get(slug="the-beach")
    page_links = links(client.get(SCENES, {"location": beach.slug}))
    assert reverse("scenes:place_list") in page_links and beach.get_absolute_url() in page_links
    assert reverse("scenes:place_list") in links(client.get(SCENES))


# Each request's filters are its own


def test_each_request_searches_at_its_own_horizon_and_the_class_keeps_no_request(client):
    """A FilterSet copies its class's filters one level deep (facets.Definitions): a text filter's searches, kept
    for one request, start afresh in each, at that request's horizon."""
    for query, horizon in (("q=saigo&at=10", 10), ("q=saigo", None), ("q=saigo&at=20", 20)):
        filterset = client.get(f"{SCENES}?{query}").context["filter"]
        assert filterset.filters["q"].search("saigo").at == horizon
    assert not any(hasattr(filter_, "parent") for filter_ in SceneFilter.base_filters.values())


@pytest.mark.parametrize(
    ("url_name", "query"),
    [
        ("scenes:list", "character=saigo&character=kuribayashi"),
        ("scenes:list", "character=saigo&presence=any&has_letter=yes"),
        ("scenes:list", "location=the-beach&has_flashback=no&period=1944"),
        ("scenes:letter_list", "writer=saigo&fate=censored"),
        ("scenes:flashback_list", "character=saigo"),
        ("characters:list", "side=japanese-army&historical=no"),
    ],
)
def test_a_list_from_a_baked_statement_holds_what_its_filters_select(client, url_name, query):
    """The keys of a filtered list come from a statement baked for the shape of the filters in use
    (FacetedFilterSet.baked_keys()): the same records as the filters themselves select, each shape read with its own
    modes; its build holds copies of the filters whose FilterSet is a stand-in, so no request is kept with it."""
    filterset = client.get(f"{reverse(url_name)}?{query}").context["filter"]
    in_use = filterset.filters_in_use()
    assert set(in_use) == set(QueryDict(query)) - {"presence"}
    keys = filterset.baked_keys(in_use)
    assert keys is not None and keys == filterset.list_without(None)[1]
    selected = filterset.queryset.model.objects.all()
    for name, value in in_use.items():
        selected = filterset.filters[name].filter(selected, value)
    listed = set(filterset.queryset_without(None).values_list("pk", flat=True))
    assert listed and listed == set(selected.values_list("pk", flat=True))
    cells = [
        cell.cell_contents for statement in LIST_KEYS.values() if statement for cell in statement.build.__closure__
    ]
    held = [held_filter for cell in cells if isinstance(cell, list) for held_filter, _kind in cell]
    assert held and not any(isinstance(held_filter.parent, FacetedFilterSet) for held_filter in held)


# However many people are chosen: one subquery, and past the limit a form error


def test_choosing_more_people_than_the_limit_is_a_form_error_not_a_500(client):
    response = client.get(SCENES, {"character": [f"person-{n}" for n in range(MAX_CHOSEN + 1)]})
    assert response.status_code == 400
    assert f"Choose at most {MAX_CHOSEN} at once (this address has {MAX_CHOSEN + 1})" in text(response)
    assert read(response).h1s == ["Scenes"]


def test_everyone_in_the_content_at_once_is_an_answer(client, django_assert_max_num_queries):
    everyone = list(Character.objects.values_list("slug", flat=True))
    with django_assert_max_num_queries(12):
        response = client.get(SCENES, {"character": everyone})
    assert response.status_code == 200 and result_count(response) == 0


@pytest.mark.parametrize("url_name", ["scenes:list", "scenes:flashback_list"])
def test_people_chosen_are_read_in_the_order_of_prominence_and_an_unknown_one_is_named(client, url_name):
    """The people of a "with all of these" filter are read in one baked statement: in the order of prominence
    whatever order the address gives, each once, and a slug no one has answers 400 naming it, as Django's form
    field words it."""
    people = list(Character.objects.in_order_of_prominence()[:3])
    slugs = [person.slug for person in reversed(people)]
    response = client.get(reverse(url_name), {"character": [*slugs, f" {slugs[0]} "]}, follow=True)
    assert response.context["filter"].form.cleaned_data["character"] == people
    assert [item.value for item in response.context["active_filters"]] == [str(person) for person in people]
    nul = client.get(reverse(url_name), {"character": [slugs[0], "sai\x00go"]})
    assert (nul.status_code, nul.context["filter"].errors["character"]) == (400, ["Null characters are not allowed."])
    for unknown in ("nobody", people[0].slug.upper(), f"{people[0].slug}x"):
        response = client.get(reverse(url_name), {"character": [slugs[0], unknown, slugs[1]]})
        assert response.status_code == 400
        assert response.context["filter"].errors["character"] == [
            f"Select a valid choice. {unknown} is not one of the available choices."
        ]


@pytest.mark.parametrize("url_name", LISTS)
@pytest.mark.parametrize("words", ["zzzz", "ÅÑ", "'ÅÑ\x9e\x01["])
def test_a_list_filtered_to_nothing_offers_no_choice(client, url_name, words):
    """Words no record has leave an empty list (the search may not even reach the database): every facet's counts
    are then zero, so it offers none of its choices, and the yes/no counts come out as zero, not as no row."""
    response = client.get(reverse(url_name), {"q": words})
    assert response.status_code == 200
    assert result_count(response) == 0
    assert [(f.name, o.value) for f in response.context["facets"] for o in f.options if o.count] == []


def test_names_with_markup_are_shown_as_text_in_options_and_cards(client):
    """Option rows and cards' people lines are HTML built in Python, the form and the cards Jinja2 templates:
    whatever an editor types in a name, or a reader in the text box, is escaped there as Django's templates escape
    it."""
    typed = """<b class="x">Caves</b> & 'tunnels'"""
    escaped = "&lt;b class=&quot;x&quot;&gt;Caves&lt;/b&gt; &amp; &#x27;tunnels&#x27;"
    scene = Scene.objects.order_by("number").first()
    person = scene.appearances.first().character
    Location.objects.filter(pk=scene.location_id).update(name=typed)
    Character.objects.filter(pk=person.pk).update(name=typed)
    for query in ({}, {"character": person.slug}):
        html = client.get(SCENES, query).content.decode()
        assert typed not in html and "<b " not in html
        assert f">{escaped} (" in html  # the place's option and the person's checkbox label, with their counts
        assert re.search(rf'<span class="label">In it:</span>[^<]*{re.escape(escaped)}', html)  # the card's people
        assert f" · {escaped}</p>" in html  # the card's place
    html = client.get(SCENES, {"q": typed}).content.decode()
    assert f'<input type="search" name="q" id="filter-q" value="{escaped}"' in html


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"order": "title"},
        {"character": "saigo"},
        {"period": "1945", "has_letter": "no"},
        {"has_letter": "yes", "has_flashback": "yes"},
        {"q": "letter"},
    ],
)
def test_every_page_of_a_list_holds_what_the_querysets_slice_holds(client, query):
    """The count and the pages are read by baked statements (the first BakedPaginator.BAKED_PAGES pages; the rest,
    and any searched list, by the ORM): each page is the FilterSet's own QuerySet's slice, orphans included. The
    count is the yes/no facets' total while one of them is not in use, else a statement of its own."""
    filterset = SceneFilter(QueryDict(urlencode(query)), queryset=Scene.objects.listed())
    assert filterset.is_valid()
    expected = [scene.number for scene in filterset.qs]
    assert filterset.count() == len(expected) > 0
    shown = []
    for page in range(1, len(expected) // 25 + 2):
        response = client.get(SCENES, {**query, "page": page})
        shown += [card["number"] for card in response.context["cards"]]
    assert shown == expected
    # The address without a query (an unbound FilterSet) is read by the same statements.
    first = client.get(SCENES, query)
    assert isinstance(first.context["paginator"], BakedPaginator)
    assert [card["number"] for card in first.context["cards"]] == expected[:25]
    baked_pages = BakedPaginator.BAKED_PAGES
    try:
        for per_page, orphans, kept in ((4, 0, 2), (4, 3, 2), (7, 6, 100), (2, 1, 100)):
            BakedPaginator.BAKED_PAGES = kept
            paginator = BakedPaginator(
                filterset.qs,
                per_page,
                orphans=orphans,
                count=filterset.count,
                rows=lambda bottom, size: (
                    filterset.page(Scene.objects.listed(), "test", bottom, size)
                    if filterset.ordering()
                    else list(filterset.qs[bottom : bottom + size])
                ),
            )
            plain = Paginator(filterset.qs, per_page, orphans=orphans)
            assert paginator.num_pages == plain.num_pages
            for number in paginator.page_range:
                got, wanted = paginator.page(number), plain.page(number)
                assert [s.number for s in got] == [s.number for s in wanted], (per_page, orphans, number)
                assert (got.start_index(), got.end_index()) == (wanted.start_index(), wanted.end_index())
    finally:
        BakedPaginator.BAKED_PAGES = baked_pages


@pytest.mark.parametrize("asked", ["abc", "0", "-1", "1.5", "99", "9" * 5000])
def test_a_page_of_choices_the_facet_does_not_have_is_a_404_naming_its_pages(client, asked):
    response = client.get(PEOPLE_FACET, {"choices": asked, "period": "1945"})
    assert response.status_code == 404
    page = response.content.decode()
    assert "and no page" in page and f'href="{PEOPLE_FACET}?period=1945"' in page
    assert client.get(PEOPLE_FACET, {"choices": "1", "period": "1945"}).status_code == 200
