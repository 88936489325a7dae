"""Search as a visitor meets it, on SQLite and PostgreSQL alike: /search/ and the text filter of every list.

Whole words with stemming, people found by any name and their scenes with them, grouping and ranking, words
completed or corrected, and no query string that ends in a 500.
"""

import re
from collections import Counter
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from characters.models import Character
from characters.search import is_spelling
from iwojima_site.search import STOPWORDS, Search, fold
from iwojima_site.tests.reading import links, result_count, text
from scenes.models import Appearance, Flashback, Letter, LetterPresentation, Location, Scene

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


def group(response, kind):
    """(the records the page lists for one kind, in order, and how many it says there are)."""
    found = next(group for group in response.context["groups"] if group["kind"] == kind)
    return found["results"], found["count"]


def first_person(response):
    people, _count = group(response, "person")
    return people[0] if people else None


def scenes_of(person):
    """The pks of every scene the person is in, in any way: on screen, heard, mentioned, in a memory."""
    present = set(Appearance.objects.filter(character=person).values_list("scene", flat=True))
    return present | set(Flashback.objects.filter(characters=person).values_list("scene", flat=True))


def scenes_found(query):
    return set(Search(query).filter(Scene.objects.all()).values_list("pk", flat=True))


def says(response, words):
    return words in " ".join(text(response).split())


# A person by any name: first among the people, with every scene they are in


def test_a_source_spelling_lists_the_general_first_and_then_his_scenes(client):
    response = client.get(SEARCH, {"q": "Kuribashi"})
    general = Character.objects.get(slug="kuribayashi")
    assert first_person(response) == general
    scenes, count = group(response, "scene")
    # The summaries spell him "Kuribayashi": every scene found is found because he is in it.
    assert count == len(scenes_of(general)) and {scene.pk for scene in scenes} <= scenes_of(general)
    letters, _count = group(response, "letter")
    assert set(Letter.objects.filter(writer=general)) <= set(letters)


def test_sam_finds_sam_and_the_scenes_he_is_in_and_never_same_or_samurai(client):
    sam = Character.objects.get(slug="sam")
    response = client.get(SEARCH, {"q": "Sam"})
    assert first_person(response) == sam
    scenes, count = group(response, "scene")
    assert scenes_of(sam) <= {scene.pk for scene in scenes}
    same = [s for s in Scene.objects.all() if re.search(r"\b(same|samurai)\b", s.summary, re.IGNORECASE)]
    assert same, "the content should hold the words the search must not confuse with Sam"
    for scene in scenes:
        assert scene.pk in scenes_of(sam) or re.search(r"\bSam\b", f"{scene.title} {scene.summary}"), scene


def test_ito_never_finds_traitor(client):
    ito = Character.objects.get(slug="ito")
    response = client.get(SEARCH, {"q": "Ito"})
    assert first_person(response) == ito
    traitor_only = Scene.objects.filter(summary__icontains="traitor").exclude(pk__in=scenes_of(ito))
    traitor_only = [scene for scene in traitor_only if not re.search(r"\bIto\b", scene.summary)]
    scenes, _count = group(response, "scene")
    assert not set(traitor_only) & set(scenes)
    people, _count = group(response, "person")
    assert all(re.search(r"\bIto\b", str(person.biography) + person.role + person.name) for person in people)


@pytest.mark.parametrize("actor, slug", [("Ken Watanabe", "kuribayashi"), ("Ninomiya", "saigo"), ("Kase", "shimizu")])
def test_an_actor_finds_the_person_they_play_and_their_scenes(client, actor, slug):
    person = Character.objects.get(slug=slug)
    response = client.get(SEARCH, {"q": actor})
    assert first_person(response) == person
    assert group(response, "scene")[1] >= len(scenes_of(person)) and scenes_of(person) <= scenes_found(actor)


@pytest.mark.parametrize("apostrophe", ["\u2019", "'", "\u02bc", "\u2018"])
def test_any_apostrophe_finds_sams_mother(client, apostrophe):
    response = client.get(SEARCH, {"q": f"Sam{apostrophe}s mother"})
    letters, _count = group(response, "letter")
    assert first_person(response) == Character.objects.get(slug="sams-mother")
    assert letters[0] == Letter.objects.get(slug="the-letter-from-sams-mother")


def test_case_and_accents_are_folded(client):
    plain = client.get(SEARCH, {"q": "kuribayashi"})
    for variant in ["KURIBAYASHI", "Kuribáyashi", "Ｋｕｒｉｂａｙａｓｈｉ"]:
        response = client.get(SEARCH, {"q": variant})
        assert [g["count"] for g in response.context["groups"]] == [g["count"] for g in plain.context["groups"]]


def test_every_form_of_a_word_finds_the_others():
    buried = {word: scenes_found(word) for word in ["buries", "buried", "burying", "bury"]}
    assert len({frozenset(found) for found in buried.values()}) == 1
    burying_the_letters = Scene.objects.get(title__icontains="burying")
    assert burying_the_letters.pk in buried["buries"]


def everything_found(query):
    """{model: the pks of its records that the query finds}, for every kind the search page lists."""
    models = [Character, Scene, Letter, Flashback, Location]
    return {model: set(Search(query).filter(model.objects.all()).values_list("pk", flat=True)) for model in models}


@pytest.mark.parametrize(
    "forms",
    [
        ["spy", "spies"],
        ["horse", "horses"],
        ["letter", "letters"],
        ["bury", "buries", "buried", "burying"],
        ["shoot", "shoots", "shooting"],
        ["kill", "kills", "killed", "killing"],
    ],
)
def test_plural_and_inflected_forms_find_the_same_records(forms):
    found = [everything_found(word) for word in forms]
    assert any(found[0].values()) and all(each == found[0] for each in found), forms


def test_a_word_the_site_holds_only_in_another_form_is_a_whole_word_not_a_part(client):
    response = client.get(SEARCH, {"q": "horse"})
    assert not response.context["completions"] and not says(response, "No whole word")
    assert Scene.objects.get(slug="talking-horses") in group(response, "scene")[0]
    spies = client.get(SEARCH, {"q": "spies"})
    assert Character.objects.get(slug="shimizu") in group(spies, "person")[0]
    assert spies.context["total"] == client.get(SEARCH, {"q": "spy"}).context["total"]


def test_nishi_letter_puts_the_scene_where_nishi_reads_it_aloud_first(client):
    read_aloud = Letter.objects.filter(presentation=LetterPresentation.READ_ALOUD)
    scene = Scene.objects.filter(letters__in=read_aloud, appearances__character__slug="nishi").get()
    response = client.get(SEARCH, {"q": "Nishi letter"})
    assert group(response, "scene")[0][0] == scene
    assert first_person(response) == Character.objects.get(slug="nishi")


# Grouped, counted, linked to the lists


def test_results_are_grouped_and_counted_and_link_each_list_with_the_same_query(client):
    response = client.get(SEARCH, {"q": "Saigo"})
    groups = response.context["groups"]
    assert [g["kind"] for g in groups] == ["person", "scene", "letter", "flashback", "place"]
    assert says(response, f"{sum(g['count'] for g in groups)} results")
    for found in groups:
        if found["count"] and found["filtered"]:
            assert found["more_url"] in links(response)
            assert result_count(Client().get(found["more_url"])) == found["count"], found["more_url"]


def test_the_text_filter_of_a_list_puts_the_best_match_first_and_keeps_other_orders(client):
    best = client.get("/scenes/", {"q": "letters buried"})
    assert best.status_code == 200
    ranked = [scene.relevance for scene in best.context["object_list"]]
    assert ranked == sorted(ranked, reverse=True) and len(ranked) > 1
    assert 'value="relevance" selected' in best.content.decode()
    in_screen_order = client.get("/scenes/", {"q": "letters buried", "order": "screen"})
    assert in_screen_order.status_code == 200, "an explicit order stays in the address while words are searched"
    numbers = [scene.number for scene in in_screen_order.context["object_list"]]
    assert numbers == sorted(numbers) and set(numbers) == {scene.number for scene in best.context["object_list"]}
    # The default is never written into the address, with words or without.
    assert client.get("/scenes/", {"q": "letters", "order": "relevance"}).url == "/scenes/?q=letters"
    assert client.get("/scenes/", {"order": "relevance"}).url == "/scenes/"
    assert client.get("/characters/", {"order": "prominence"}).url == "/characters/"


def test_the_people_list_finds_a_person_by_a_source_spelling_first(client):
    response = client.get("/characters/", {"q": "Kuribachi"})
    assert list(response.context["object_list"])[0].slug == "kuribayashi"


# Completing, correcting, and saying so when nothing is found


def test_a_word_typed_in_part_is_completed_only_when_no_whole_word_matches(client):
    partial = client.get(SEARCH, {"q": "kuriba"})
    assert first_person(partial).slug == "kuribayashi" and says(partial, "No whole word “kuriba”")
    whole = client.get(SEARCH, {"q": "Sam"})
    assert not whole.context["completions"]


def test_a_misspelt_name_suggests_the_nearest_name_the_site_knows(client):
    response = client.get(SEARCH, {"q": "Kuribayshi"})
    assert response.context["total"] == 0
    assert "/search/?q=kuribayashi" in links(response) and says(response, "Did you mean")
    assert first_person(client.get("/search/?q=kuribayashi")).slug == "kuribayashi"


def test_a_misspelling_among_right_words_is_corrected_alone(client):
    response = client.get(SEARCH, {"q": "Nishi lettre"})
    assert [suggestion for suggestion, _url in response.context["suggestions"]][0] == "nishi letter"


def test_a_word_the_film_never_uses_says_so_and_offers_the_lists(client):
    response = client.get(SEARCH, {"q": "Suribachi"})
    assert response.status_code == 200 and response.context["total"] == 0
    assert says(response, "Nothing on the site matches “Suribachi”")
    assert not response.context["suggestions"], "no name is near enough (and “Kuribachi” is not a mountain)"
    for url in ["/characters/", "/scenes/", "/letters/", "/flashbacks/", "/places/"]:
        assert url in links(response)


def test_watching_along_a_word_not_yet_told_is_not_found_up_to_that_scene_not_on_the_site(client):
    response = client.get(SEARCH, {"q": "shovel", "at": 3})
    assert response.context["total"] == 0 and says(response, "Nothing up to scene 3 matches “shovel”")
    assert not says(response, "Nothing on the site") and says(response, "uses only after scene 3")
    assert client.get(SEARCH, {"q": "shovel"}).context["total"] > 0


def test_a_query_of_common_words_only_says_so(client):
    response = client.get(SEARCH, {"q": "the of and"})
    assert response.status_code == 200 and says(response, "too common to search for")


# Bad input: results or a clear message, never a 500

SYNTAX = ['"', "'", "*", "NEAR(", "NEAR", "OR", "AND", "NOT", "(", ")", "^", ":", ":*", "-", "+", "{", "}", "\\"]
SYNTAX += ["&", "|", "!", "<->", "%", "_", "\x00", "\ud800", "\udfff", " ", "Kuribashi", "Sam", "the", "é", "’"]


@pytest.mark.parametrize(
    "query",
    ['"', "*", "NEAR(", "NEAR(Saigo Shimizu)", "OR", "Saigo OR", '"unbalanced', "Saigo\x00", "\ud800", "x" * 5000],
)
@pytest.mark.parametrize("path", [SEARCH, "/scenes/", "/characters/"])
def test_query_syntax_is_text(client, path, query):
    response = client.get(f"{path}?q={quote(query.encode('utf-8', 'surrogatepass'))}", follow=True)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "error" in response.content.decode()


@settings(max_examples=50, deadline=None, derandomize=True)
@given(
    query=st.one_of(
        st.lists(st.sampled_from(SYNTAX), min_size=1, max_size=12).map(" ".join),
        st.lists(st.sampled_from(SYNTAX), min_size=1, max_size=12).map("".join),
        st.text(max_size=60),
        st.lists(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF) | st.sampled_from(SYNTAX)).map("".join),
    )
)
def test_no_query_string_is_a_server_error(query):
    client = Client(raise_request_exception=False)
    encoded = quote(query.encode("utf-8", "surrogatepass"))
    for path in (SEARCH, "/scenes/"):
        assert client.get(f"{path}?q={encoded}", follow=True).status_code in (200, 400), query


# Acceptance: tried as a new user would


def principal_spellings():
    """(spelling, slug): every name of each principal, as credited, in full, as people call them and as the
    plot summary spells them."""
    for person in Character.objects.filter(principal=True).order_by("slug"):
        names = [person.name, person.full_name, *person.alias_list]
        names += [line for line in person.source_name_list if is_spelling(line)]
        for name in dict.fromkeys(filter(None, names)):
            yield name, person.slug


def credited_actors():
    return [(person.actor, person.slug) for person in Character.objects.exclude(actor="").order_by("credit_order")]


def test_every_spelling_and_every_actor_finds_the_person_first_and_their_scenes(client):
    cases = list(principal_spellings()) + credited_actors()
    assert len(cases) > 20
    for name, slug in cases:
        person = Character.objects.get(slug=slug)
        response = client.get(SEARCH, {"q": name})
        assert first_person(response) == person, f"{name!r} should list {person} first"
        assert scenes_of(person) <= scenes_found(name), f"{name!r} should find every scene of {person}"
        scenes, _count = group(response, "scene")
        if scenes_of(person):
            assert scenes[0].pk in scenes_of(person), f"{name!r}: the first scene should be one of {person}'s"


def distinctive_words(count=10):
    """[(word, scene)]: the rarest word of each of `count` scenes spread over the film, by how many scene
    summaries hold it (not a name, not a stop word, four letters or more; ties alphabetically)."""
    names = set()
    for person in Character.objects.all():
        names.update(fold(" ".join([person.name, person.full_name, person.aliases, person.source_names])).split())
    scenes = list(Scene.objects.order_by("number"))
    words_of = {scene: set(fold(scene.summary).split()) for scene in scenes}
    frequency = Counter(word for words in words_of.values() for word in words)
    chosen = scenes[1 :: len(scenes) // count][:count]
    result = []
    for scene in chosen:
        usable = [w for w in words_of[scene] if w not in names and w not in STOPWORDS and len(w) >= 4]
        result.append((min(usable, key=lambda word: (frequency[word], word)), scene))
    return result


def test_ten_words_from_ten_scene_summaries_each_find_their_scene_in_the_top_three(client):
    words = distinctive_words()
    assert len({scene for _word, scene in words}) == 10
    for word, scene in words:
        scenes, _count = group(client.get(SEARCH, {"q": word}), "scene")
        assert scene in scenes[:3], f"{word!r} should find scene {scene.number} in the top three"


def test_places_are_found_by_name(client):
    place = Location.objects.order_by("slug").first()
    places, _count = group(client.get(SEARCH, {"q": place.name}), "place")
    assert places[0] == place
