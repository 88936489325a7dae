"""The full-text index stays what the content says: after every admin save and delete, every reload and every
bulk copy, on SQLite and PostgreSQL alike; and what it holds is folded, stamped and counted as designed."""

import json
import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.forms.models import model_to_dict
from django.urls import reverse

from characters.models import Character
from iwojima_site import search
from iwojima_site.models import SearchEntry, SearchTerm
from iwojima_site.search import STOPWORDS, Search, fold, matching_records, validate_query, word_counts
from iwojima_site.story import parts_as_text
from scenes.content import load_content
from scenes.models import Letter, Location, Scene
from scenes.scaling import multiply_content

pytestmark = pytest.mark.django_db


def index_rows():
    fields = ["kind", "record", "source", "weight", "names", "from_scene", "text", "stems"]
    return sorted(SearchEntry.objects.values_list(*fields))


def vocabulary():
    return dict(SearchTerm.objects.values_list("word", "entries"))


def stems_held():
    """Whether every entry and vocabulary word holds the stems of its words, as `search.stem` makes them."""
    entries = SearchEntry.objects.values_list("text", "stems")
    return all(held == search.stems(text) for text, held in entries) and all(
        held == search.stem(word) for word, held in SearchTerm.objects.values_list("word", "stem")
    )


def assert_index_is_current():
    """The index holds exactly what a rebuild from the content would, and its vocabulary counts it right."""
    held, words = index_rows(), vocabulary()
    assert words == dict(word_counts(SearchEntry.objects.values_list("text", flat=True)))
    assert stems_held()
    search.rebuild()
    assert index_rows() == held
    assert vocabulary() == words


def found(query, model):
    return list(Search(query).filter(model.objects.all()))


def person_form(person, **changes):
    """The admin's change form for a person, as its page would post it."""
    data = {key: value for key, value in model_to_dict(person).items() if value is not None}
    data.update(
        former_slugs=json.dumps(person.former_slugs),
        biography=parts_as_text(person.biography),
        fate_detail=parts_as_text(person.fate_detail),
        **changes,
    )
    return {key: ("on" if value is True else value) for key, value in data.items() if value is not False}


def test_the_loaded_content_is_indexed_as_a_rebuild_would_index_it():
    assert SearchEntry.objects.exists()
    assert_index_is_current()


def test_an_admin_edit_is_searchable_on_the_next_request(admin_client):
    place = Location.objects.get(slug="the-mountain")
    assert not found("Suribachi", Location)
    data = {
        "slug": place.slug,
        "name": "Mount Suribachi",
        "region": place.region,
        "description": parts_as_text(place.description),
    }
    response = admin_client.post(reverse("admin:scenes_location_change", args=[place.pk]), data)
    assert response.status_code == 302
    page = admin_client.get("/search/", {"q": "Suribachi"})
    assert place.get_absolute_url() in page.content.decode()
    assert_index_is_current()


def test_a_new_alias_finds_the_person_and_their_scenes(admin_client):
    saigo = Character.objects.get(slug="saigo")
    form = person_form(saigo, aliases="The Baker")
    response = admin_client.post(reverse("admin:characters_character_change", args=[saigo.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = admin_client.get("/search/", {"q": "baker"})
    people = next(group for group in page.context["groups"] if group["kind"] == "person")["results"]
    assert people[0] == saigo
    assert set(Scene.objects.filter(appearances__character=saigo)) <= set(found("baker", Scene))


def test_a_deleted_record_disappears_from_search(admin_client):
    letter = Letter.objects.get(slug="the-letter-from-sams-mother")
    assert letter in found("Sam mother", Letter)
    response = admin_client.post(reverse("admin:scenes_letter_delete", args=[letter.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Letter.objects.filter(pk=letter.pk).exists()
    page = admin_client.get("/search/", {"q": "Sam's mother"})
    assert letter.get_absolute_url() not in page.content.decode()
    assert not SearchEntry.objects.filter(kind="letter", record=letter.pk).exists()
    assert_index_is_current()


def test_a_reload_keeps_the_index_current(tmp_path):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(settings.FIXTURE_DIRS[0], fixtures)
    scenes = json.loads((fixtures / "scenes.json").read_text(encoding="utf-8"))
    scene = next(item for item in scenes if item["model"] == "scenes.scene")
    scene["fields"]["title"] = "A zeppelin over the beach"
    (fixtures / "scenes.json").write_text(json.dumps(scenes, ensure_ascii=False), encoding="utf-8")
    load_content(fixtures)
    assert [record.slug for record in found("zeppelins", Scene)] == [scene["fields"]["slug"]]
    assert_index_is_current()
    load_content()  # and back: the word is gone, from the index and from the vocabulary
    assert not found("zeppelin", Scene) and "zeppelin" not in vocabulary()
    assert_index_is_current()


def test_the_index_can_be_rebuilt_by_command():
    SearchEntry.objects.filter(kind="scene").delete()
    call_command("rebuild_search_index", stdout=StringIO())
    assert SearchEntry.objects.filter(kind="scene").count() == 2 * Scene.objects.count()
    assert_index_is_current()


def test_after_an_update_outside_the_signals_the_command_brings_search_and_etags_up_to_date(client):
    person = Character.objects.get(slug="kuribayashi")
    etag = client.get(person.get_absolute_url())["ETag"]
    Character.objects.filter(pk=person.pk).update(role="A quiet update made in the shell")  # sends no signal
    assert client.get(person.get_absolute_url(), headers={"If-None-Match": etag}).status_code == 304
    call_command("rebuild_search_index", stdout=StringIO())
    response = client.get(person.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 200 and "A quiet update made in the shell" in response.content.decode()
    assert found("quiet", Character) == [person]


def test_copies_of_the_content_are_indexed():
    multiply_content(2)
    assert len(found("Kuribashi", Character)) == 3
    assert_index_is_current()


# What the index holds


def test_text_is_folded_alike_for_any_apostrophe_case_accent_or_width():
    assert fold("Sam’s Mother") == fold("sam's mother") == fold("SAMʼS MOTHER") == "sam mother"
    assert fold("Itō, Kuribáyashi!") == "ito kuribayashi"
    assert fold("ＫＵＲＩＢＡＹＡＳＨＩ") == "kuribayashi"
    assert fold("don’t") == "dont"
    assert fold('"NEAR(" OR * \x00 \ud800') == "near or"


def test_a_query_without_any_word_is_a_form_error_and_common_words_find_nothing():
    with pytest.raises(Exception, match="Type a word"):
        validate_query('"*"')
    validate_query("the")
    assert Search("the").words == [] and found("the", Scene) == []


def test_visitors_words_reach_the_engine_as_literals():
    raw = matching_records(connection.alias, "scene", ['near"', "or"])
    assert "near" not in raw.sql, "every word is a parameter"
    if connection.vendor == "sqlite":
        assert raw.params[0] == '"near""" OR "or"', "each an FTS5 string, a quote in it doubled"
    assert found('"Saigo" OR NEAR(Shimizu) *', Scene) == found("Saigo or near Shimizu", Scene)


def test_story_parts_are_indexed_with_the_scene_they_may_be_shown_from():
    saigo = Character.objects.get(slug="saigo")
    parts = SearchEntry.objects.filter(kind="person", record=saigo.pk, source="biography")
    assert sorted(parts.values_list("from_scene", flat=True)) == sorted(part["scene"] for part in saigo.biography)
    # A word only his last part holds finds him from that part's scene on, not before (watch-along mode).
    last = saigo.biography[-1]
    before = SearchEntry.objects.filter(kind="person", record=saigo.pk).exclude(from_scene__gte=last["scene"])
    known_before = set(" ".join(before.values_list("text", flat=True)).split())
    word = max((w for w in fold(last["text"]).split() if w not in known_before and w not in STOPWORDS), key=len)
    him = Character.objects.filter(pk=saigo.pk)
    assert Search(word, at=last["scene"]).filter(him).exists()
    assert not Search(word, at=last["scene"] - 1).filter(him).exists()


def test_every_form_of_a_word_is_indexed_and_searched_as_its_stem():
    assert search.stems("spies spy talking horses buried") == "spi spi talk hors buri"
    assert [search.stem(name) for name in ["saigo", "kuribayashi", "sam", "same"]] == [
        "saigo",
        "kuribayashi",
        "sam",
        "same",
    ]
    horses = SearchEntry.objects.get(kind="scene", source="title", text="talking horses")
    assert horses.stems == "talk hors"
    assert SearchTerm.objects.get(word="horses").stem == "hors"
    # One vocabulary query tells that "horse" is held as "horses": no completion, no suggestion.
    horse = Search("horse")
    assert horse.known == {"horse"} and not horse.completions and not horse.suggestions()


def test_names_are_flagged_and_descriptions_are_not():
    kuribayashi = Character.objects.get(slug="kuribayashi")
    entries = SearchEntry.objects.filter(kind="person", record=kuribayashi.pk)
    assert set(entries.filter(names=True).values_list("text", flat=True)) >= {"kuribashi", "ken watanabe"}
    assert "the general" in set(entries.filter(names=False).values_list("text", flat=True))
