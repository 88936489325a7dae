"""Checks that the content fixtures are true to the plot summary, complete and the site's own words.

They run on the real content: the session conftest loads the fixtures into the test database, and some
checks read the fixture files and the copy of the plot summary in fixtures/source/ directly.
"""

import json
import re
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings

from characters.models import Character
from scenes.content import FIXTURE_MODELS
from scenes.models import Appearance, Flashback, Letter, Location, Scene

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
PLOT_SUMMARY = FIXTURES / "source" / "plot-summary-numbered.md"
FIRST, LAST = 1, 30
RUN = 10  # a run of this many consecutive words shared with the summary is copying

# The prose fields of each fixture model: all of it has to be the site's own words.
PROSE_FIELDS = {
    "scenes.location": ["name", "description"],
    "characters.character": ["name", "role", "biography", "fate_detail", "aliases"],
    "scenes.scene": ["title", "summary"],
    "scenes.flashback": ["title", "summary", "when"],
    "scenes.letter": ["title", "summary"],
}
# The summary's misspellings, kept only as aliases: the site's own prose spells the names right.
TYPOS = re.compile(r"\bkuriba[cs]hi|\bkuribashi|\bnish\b|\bnishis\b|\bsubordinant\b", re.IGNORECASE)


@cache
def paragraphs():
    """The plot summary's paragraphs, {number: text}."""
    text = PLOT_SUMMARY.read_text(encoding="utf-8")
    found = {int(number): body for number, body in re.findall(r"^¶(\d+)\s+(.+)$", text, re.MULTILINE)}
    assert set(found) == set(range(0, LAST + 1)), "the copy of the plot summary lacks paragraphs"
    return found


def words(text):
    """Lowercase words with punctuation removed, as the copying check compares them."""
    return re.sub(r"[^\w\s]", "", text.lower()).split()


@cache
def summary_runs():
    runs = set()
    for text in paragraphs().values():
        w = words(text)
        runs |= {tuple(w[i : i + RUN]) for i in range(len(w) - RUN + 1)}
    return frozenset(runs)


def copied_runs(text):
    w = words(text)
    return [" ".join(w[i : i + RUN]) for i in range(len(w) - RUN + 1) if tuple(w[i : i + RUN]) in summary_runs()]


def fixture_objects():
    for name in FIXTURE_MODELS:
        for item in json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")):
            yield name, item


def label(item):
    fields = item["fields"]
    return f"{item['model']} “{fields.get('slug') or fields.get('scene')}”"


def sentences(text):
    return [part for part in re.split(r"(?<=[.!?])\s+", text.strip()) if part]


# --- The source ---------------------------------------------------------------------------------------


def test_the_plot_summary_copy_matches_the_shared_seed_when_it_is_there():
    shared = Path(settings.BASE_DIR).parent / "shared" / "seed" / "plot-summary-numbered.md"
    if not shared.exists():
        pytest.skip("no shared/ folder beside the project")
    assert PLOT_SUMMARY.read_bytes() == shared.read_bytes()


# --- Scenes -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_paragraph_of_the_plot_is_cited_by_a_scene():
    cited = {number for scene in Scene.objects.all() for number in scene.source_paragraphs}
    missing = sorted(set(range(FIRST, LAST + 1)) - cited)
    assert not missing, f"paragraphs no scene cites: {missing}"


@pytest.mark.django_db
def test_scene_numbers_run_from_one_without_gaps_and_there_are_40_to_70():
    numbers = list(Scene.objects.order_by("number").values_list("number", flat=True))
    assert 40 <= len(numbers) <= 70, f"{len(numbers)} scenes"
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.django_db
def test_scenes_follow_the_summary_in_screen_order():
    previous = 0
    for scene in Scene.objects.in_screen_order():
        first = min(scene.source_paragraphs)
        assert first >= previous, f"scene {scene} cites ¶{first} after a scene citing ¶{previous}"
        previous = first


@pytest.mark.django_db
def test_period_and_part_follow_the_paragraphs():
    for scene in Scene.objects.all():
        first = min(scene.source_paragraphs)
        if first in (1, 30):
            expected = ("present-day", "frame")
        elif first <= 12:
            expected = ("1944", "preparation")
        elif first <= 19:
            expected = ("1945", "invasion")
        else:
            expected = ("1945", "last-stand")
        assert (scene.period, scene.part) == expected, scene


@pytest.mark.django_db
def test_the_film_opens_and_closes_in_the_present_day():
    scenes = list(Scene.objects.in_screen_order())
    assert scenes[0].period == scenes[-1].period == "present-day"
    assert scenes[0].source_paragraphs == [1]
    assert scenes[-1].source_paragraphs == [30]


@pytest.mark.django_db
def test_every_scene_summary_has_two_to_six_sentences():
    for scene in Scene.objects.all():
        count = len(sentences(scene.summary))
        assert 2 <= count <= 6, f"scene {scene} has {count} sentence(s)"


@pytest.mark.django_db
def test_every_scene_has_someone_on_screen():
    empty = Scene.objects.exclude(appearances__kind="on-screen")
    assert not empty.exists(), list(empty)


# --- Everything is used -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_character_is_in_a_scene_or_a_flashback():
    unused = Character.objects.filter(appearances__isnull=True, flashbacks__isnull=True)
    assert not unused.exists(), [c.slug for c in unused]


@pytest.mark.django_db
def test_every_letter_appears_in_a_scene():
    unused = Letter.objects.filter(scenes__isnull=True)
    assert not unused.exists(), [letter.slug for letter in unused]


@pytest.mark.django_db
def test_every_flashback_rememberer_appears_in_its_scene():
    for flashback in Flashback.objects.select_related("scene", "rememberer"):
        assert Appearance.objects.filter(scene=flashback.scene, character=flashback.rememberer).exists(), (
            f"{flashback.rememberer} remembers “{flashback}” but is not in scene {flashback.scene}"
        )


@pytest.mark.django_db
def test_every_location_is_used_by_a_scene_or_a_flashback():
    unused = Location.objects.filter(scenes__isnull=True, flashbacks__isnull=True)
    assert not unused.exists(), [location.slug for location in unused]


@pytest.mark.django_db
def test_letter_writers_and_recipients_are_in_the_letters_scenes():
    for letter in Letter.objects.prefetch_related("scenes"):
        for person in (letter.writer, letter.recipient):
            if person is None:
                continue
            for scene in letter.scenes.all():
                assert Appearance.objects.filter(scene=scene, character=person).exists(), (
                    f"{person} wrote or receives “{letter}” but is not in scene {scene}"
                )


# --- Names --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spelling, slug",
    [
        ("Kuribashi", "kuribayashi"),
        ("Kuribachi", "kuribayashi"),
        ("Kuribayashi", "kuribayashi"),
        ("Nishi", "nishi"),
        ("Nish", "nishi"),
        ("Shimizu", "shimizu"),
        ("Saigo", "saigo"),
        ("Ito", "ito"),
        ("Fujita", "fujita"),
        ("Okubo", "okubo"),
    ],
)
def test_every_spelling_in_the_summary_names_exactly_one_character(spelling, slug):
    wanted = spelling.casefold()
    matches = [
        character.slug
        for character in Character.objects.all()
        if character.name.casefold() == wanted or wanted in {alias.casefold() for alias in character.alias_list}
    ]
    assert matches == [slug]


@pytest.mark.django_db
def test_the_site_spells_names_right_outside_the_aliases():
    for _name, item in fixture_objects():
        for field in PROSE_FIELDS.get(item["model"], []):
            if field == "aliases":
                continue
            match = TYPOS.search(item["fields"][field])
            assert not match, f"{label(item)} {field} keeps the summary's typo “{match.group()}”"


# --- The site's own words -----------------------------------------------------------------------------


def test_no_text_copies_ten_words_in_a_row_from_the_summary():
    copied = []
    for _name, item in fixture_objects():
        for field in PROSE_FIELDS.get(item["model"], []):
            for run in copied_runs(item["fields"][field]):
                copied.append(f"{label(item)} {field}: “{run}”")
    assert not copied, "text shared with the plot summary:\n" + "\n".join(copied)


def test_the_copying_check_catches_a_copied_sentence():
    copied = "Before leaving, the admiral tells his officers that Kuribashi cannot be trusted to lead."
    assert copied_runs(copied)
    assert not copied_runs("The admiral, about to go, warns the officers that the general is not fit to lead.")


def test_the_prose_is_american_english():
    british = re.compile(r"\b(honour|colour|behaviour|defence|realis\w+|organis\w+|recognis\w+|favour\w*)\b", re.I)
    for _name, item in fixture_objects():
        for field in PROSE_FIELDS.get(item["model"], []):
            match = british.search(item["fields"][field])
            assert not match, f"{label(item)} {field}: British spelling “{match.group()}”"


# --- Validity -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Location, Character, Scene, Appearance, Flashback, Letter])
def test_every_record_passes_full_clean(model):
    count = 0
    for instance in model._default_manager.all():
        instance.full_clean()
        count += 1
    assert count, f"no {model._meta.verbose_name_plural} were loaded"


def test_fixtures_use_natural_keys_and_no_ids():
    for name, item in fixture_objects():
        assert "pk" not in item, f"{name}.json: {label(item)} has a pk"


# --- Content truth ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_mothers_letter_is_read_aloud_by_nishi_at_the_prisoners_death():
    scenes = [scene for scene in Scene.objects.all() if 19 in scene.source_paragraphs]
    assert scenes
    letters = Letter.objects.filter(scenes__in=scenes, presentation="read-aloud", writer__name="Sam's mother")
    assert letters.count() == 1
    (scene,) = letters.get().scenes.all()
    assert scene.appearances.filter(character__slug="nishi", kind="on-screen").exists()
    assert letters.get().recipient.slug == "sam"


@pytest.mark.django_db
def test_the_fates_are_as_the_summary_tells_them():
    fates = dict(Character.objects.values_list("slug", "fate"))
    assert fates["kuribayashi"] == "suicide"
    assert fates["nishi"] == "suicide"
    assert fates["tanida"] == "suicide"
    assert fates["kashiwara"] == "died-of-illness"
    assert fates["okubo"] == "unknown"  # the summary says he dies, not how
    assert fates["ohsugi"] == "sent-away"
    assert fates["sam"] == "died-of-wounds"
    assert fates["shimizu"] == "shot-after-surrendering"
    assert fates["ito"] == "captured"
    assert fates["saigo"] == "captured"
    assert fates["fujita"] == "killed"


@pytest.mark.django_db
def test_only_kuribayashi_and_nishi_are_historical():
    assert set(Character.objects.filter(historical=True).values_list("slug", flat=True)) == {"kuribayashi", "nishi"}


@pytest.mark.django_db
def test_the_bag_of_letters_is_in_the_first_and_last_scenes_and_is_buried_by_saigo():
    first, last = Scene.objects.order_by("number").first(), Scene.objects.order_by("number").last()
    bags = Letter.objects.filter(writer__isnull=True, recipient__isnull=True, scenes=first).filter(scenes=last)
    assert bags.count() == 1
    bag = bags.get()
    assert bag.fate == "found-by-excavators"
    middle = [scene for scene in bag.scenes.all() if 25 in scene.source_paragraphs]
    assert middle and middle[0].appearances.filter(character__slug="saigo", kind="on-screen").exists()


@pytest.mark.django_db
def test_the_opening_is_the_frame_and_not_a_flashback():
    first = Scene.objects.order_by("number").first()
    assert not first.flashbacks.exists()
    assert first.appearances.filter(character__side="present-day").exists()


@pytest.mark.django_db
def test_the_flashbacks_belong_to_the_right_people():
    memories = {(f.rememberer.slug, tuple(f.source_paragraphs)) for f in Flashback.objects.select_related("rememberer")}
    assert ("saigo", (8,)) in memories  # the home guard empties the bakery
    assert ("saigo", (9, 10)) in memories  # the day he was drafted
    assert ("kuribayashi", (18,)) in memories  # the farewell party and the Colt
    assert ("shimizu", (20,)) in memories  # the barking dog
    assert ("kuribayashi", (27,)) in memories  # driving alone in America


@pytest.mark.django_db
def test_the_general_stops_the_beating_in_the_same_paragraph_he_arrives():
    scenes = [scene for scene in Scene.objects.with_people() if 3 in scene.source_paragraphs]
    assert len(scenes) >= 2
    beating = [
        s for s in scenes if {a.character.slug for a in s.appearances.all()} >= {"kuribayashi", "saigo", "tanida"}
    ]
    assert beating, "no ¶3 scene has Kuribayashi, Saigo and Tanida together"


@pytest.mark.django_db
def test_saigos_letters_go_to_hanako():
    letters = Letter.objects.filter(writer__slug="saigo")
    assert letters.count() >= 3
    assert set(letters.values_list("recipient__slug", flat=True)) == {"hanako"}
    assert letters.filter(fate="censored").exists()
    assert letters.filter(fate="never-sent").exists()


@pytest.mark.django_db
def test_nozaki_and_endo_are_left_out():
    # The summary never clearly describes them, so the site does not guess who they are.
    assert not Character.objects.filter(name__in=["Nozaki", "Endo", "Medic Endo"]).exists()


@pytest.mark.django_db
def test_the_writer_of_a_voice_over_letter_is_heard_in_voice_over_in_its_scenes():
    letters = Letter.objects.filter(presentation="voice-over", writer__isnull=False)
    assert letters.exists()
    for letter in letters:
        for scene in letter.scenes.all():
            kind = Appearance.objects.get(scene=scene, character=letter.writer).kind
            assert kind == "voice-over", f"{letter.writer} in scene {scene} is {kind}, not voice-over"
