"""Checks that the content fixtures are true to the plot summary, complete and the site's own words.

They run on the real content: the session conftest loads the fixtures into the test database, and some
checks read the fixture files and the copy of the plot summary in fixtures/source/ directly.
Scenes are cited by slug, never by number.
"""

import json
import math
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Q

from characters.models import Character
from scenes.content import FIXTURE_MODELS
from scenes.models import Appearance, Flashback, Letter, Location, Scene

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
PLOT_SUMMARY = FIXTURES / "source" / "plot-summary-numbered.md"
SHARED = Path(settings.BASE_DIR).parent / "shared"
FIRST, LAST = 1, 30
RUN = 8  # a run of this many consecutive words shared with the summary is copying

# Every prose field of each fixture model: all of it has to be the site's own words. Biographies and fate notes
# are lists of scene-stamped parts; each part's text is checked. `source_names` quote the plot summary by
# design and are the only text left out.
PROSE_FIELDS = {
    "scenes.location": ["name", "description"],
    "characters.character": ["name", "full_name", "rank", "aliases", "role", "biography", "fate_detail"],
    "scenes.scene": ["title", "summary"],
    "scenes.flashback": ["title", "summary", "when"],
    "scenes.letter": ["title", "summary"],
}
# The summary's misspellings, kept only as source names: the site's own prose spells the names right.
TYPOS = re.compile(r"\bkuriba[cs]hi|\bkuribashi|\bnish\b|\bnishis\b|\bsubordinant\b", re.IGNORECASE)
# Prose that talks about the source instead of the film.
ABOUT_THE_SOURCE = re.compile(r"\bthe (plot )?summary\b", re.IGNORECASE)

# The film's credits (shared/reference/credits.md), in their order: (slug, actor).
CREDITS = [
    ("kuribayashi", "Ken Watanabe"),
    ("saigo", "Kazunari Ninomiya"),
    ("nishi", "Tsuyoshi Ihara"),
    ("shimizu", "Ryo Kase"),
    ("ito", "Shido Nakamura"),
    ("fujita", "Hiroshi Watanabe"),
    ("tanida", "Takumi Bando"),
    ("kashiwara", "Takashi Yamaguchi"),
    ("okubo", "Eijiro Ozaki"),
    ("hanako", "Nae"),
    ("ohsugi", "Nobumasa Sakagami"),
    ("sam", "Lucas Elliot Eberl"),
    ("nozaki", "Yuki Matsuzaki"),
    ("endo", "Sonny Saito"),
]

# Every slug the site has had, so that old addresses keep answering (scenes merged in issue 8 included).
SCENE_SLUGS_BEFORE_ISSUE_8 = [
    "excavation-begins",
    "digging-trenches",
    "general-arrives",
    "beating-stopped",
    "censored-letter",
    "child-in-the-street",
    "nishi-rides-by",
    "talking-horses",
    "news-of-the-fleet",
    "tunnels-ordered",
    "paper-pusher",
    "general-plays-invader",
    "the-newcomer",
    "remembering-the-draft",
    "battle-plan",
    "air-raid",
    "admiral-sent-home",
    "admirals-parting-words",
    "invasion-day",
    "hold-your-fire",
    "the-gun-is-lost",
    "orders-to-pull-back",
    "death-before-retreat",
    "through-the-tunnels",
    "itos-charge",
    "north-with-nishi",
    "among-the-dead",
    "the-wounded-prisoner",
    "nishi-and-sam",
    "ito-waits",
    "no-messengers-return",
    "a-mothers-letter",
    "nishis-last-order",
    "the-night-march",
    "shimizus-confession",
    "the-guard-who-tried-to-surrender",
    "ito-gives-up-the-wait",
    "shimizu-surrenders",
    "shot-in-cold-blood",
    "the-white-flag",
    "things-come-in-threes",
    "a-letter-that-will-not-arrive",
    "a-daughter-never-met",
    "ordered-to-stay-behind",
    "the-last-attack",
    "burying-the-letters",
    "ito-is-taken",
    "the-sword-and-the-sniper",
    "the-generals-end",
    "trophies",
    "saigo-and-the-shovel",
    "among-the-american-wounded",
    "the-letters-spill-out",
]
CHARACTER_SLUGS_BEFORE_ISSUE_8 = [
    "admirals-officers",
    "american-forces",
    "american-friends",
    "american-who-shoots-the-prisoners",
    "american-who-takes-the-sword",
    "american-wounded",
    "child-in-the-street",
    "commanding-officer-of-the-last-group",
    "doubting-soldier",
    "excavator-who-makes-the-find",
    "excavators",
    "family-with-the-dog",
    "fujita",
    "hanako",
    "high-command",
    "home-guard",
    "island-civilians",
    "ito",
    "itos-men",
    "japanese-troops",
    "kashiwara",
    "kuribayashi",
    "kuribayashis-family",
    "kuribayashis-son",
    "last-soldiers",
    "mail-officer",
    "main-officer",
    "messengers",
    "nishi",
    "nishis-men",
    "officer-who-shoots-the-guard",
    "ohsugi",
    "okubo",
    "other-prisoner",
    "party-husband",
    "patrol-that-captures-saigo",
    "patrol-that-takes-shimizu",
    "saigo",
    "saigos-company",
    "saigos-daughter",
    "saigos-other-friend",
    "sam",
    "sams-mother",
    "second-american-guard",
    "shimizu",
    "sniper",
    "soldier-at-the-door",
    "soldier-who-knocks-saigo-out",
    "squad-leader",
    "surrendering-guard",
    "tanida",
    "three-women",
    "tunnel-soldiers",
    "woman-at-the-party",
]


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


def texts(value):
    """The texts of a prose field: the parts of a scene-stamped field, or the field itself."""
    if isinstance(value, list):
        return [part["text"] for part in value]
    return [value]


def prose():
    """(item, field, text) for every piece of visible prose in the fixtures."""
    for _name, item in fixture_objects():
        for field in PROSE_FIELDS.get(item["model"], []):
            for text in texts(item["fields"][field]):
                yield item, field, text


def sentences(text):
    return [part for part in re.split(r"(?<=[.!?])\s+", text.strip()) if part]


def person(slug):
    return Character.objects.get(slug=slug)


def seen_or_heard_in(character):
    """The scenes a person is in, in any way: an appearance of any kind, or a memory the scene cuts to."""
    return Scene.objects.filter(Q(appearances__character=character) | Q(flashbacks__characters=character)).distinct()


# --- The source ---------------------------------------------------------------------------------------


def test_the_plot_summary_copy_matches_the_shared_seed_when_it_is_there():
    shared = SHARED / "seed" / "plot-summary-numbered.md"
    if not shared.exists():
        pytest.skip("no shared/ folder beside the project")
    assert PLOT_SUMMARY.read_bytes() == shared.read_bytes()


def test_the_credits_list_here_matches_the_shared_credits_when_they_are_there():
    credits = SHARED / "reference" / "credits.md"
    if not credits.exists():
        pytest.skip("no shared/ folder beside the project")
    rows = re.findall(r"^\| (?!credited|---)[^|]+\| ([^|]+?) \|", credits.read_text(encoding="utf-8"), re.MULTILINE)
    assert rows == [actor for _slug, actor in CREDITS]


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


def source_share(scene, citing):
    """How many of the plot summary's sentences a scene retells: each cited paragraph's sentences, shared out
    among the scenes that cite that paragraph."""
    return sum(len(sentences(paragraphs()[number])) / citing[number] for number in scene.source_paragraphs)


@pytest.mark.django_db
def test_scene_summaries_say_as_much_as_their_source_gives():
    # Two to eight sentences and twenty words at least; three sentences wherever the scene's share of the
    # source is more than two sentences.
    scenes = list(Scene.objects.all())
    citing = Counter(number for scene in scenes for number in scene.source_paragraphs)
    short = []
    for scene in scenes:
        count = len(sentences(scene.summary))
        wanted = min(3, max(2, math.ceil(source_share(scene, citing))))
        assert count <= 8, f"scene {scene} has {count} sentences"
        if count < wanted or len(scene.summary.split()) < 20:
            short.append(f"{scene.slug}: {count} sentence(s), {len(scene.summary.split())} words; wanted {wanted}")
    assert not short, "\n".join(short)


@pytest.mark.django_db
def test_every_scene_has_someone_on_screen():
    empty = Scene.objects.exclude(appearances__on_screen=True)
    assert not empty.exists(), list(empty)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model, slugs", [(Scene, SCENE_SLUGS_BEFORE_ISSUE_8), (Character, CHARACTER_SLUGS_BEFORE_ISSUE_8)]
)
def test_every_old_slug_still_names_a_record(model, slugs):
    lost = [slug for slug in slugs if not model.objects.filter(slug=slug).exists() and not model.objects.formerly(slug)]
    assert not lost, f"old addresses that lead nowhere: {lost}"


# --- Everyone and everything is used ------------------------------------------------------------------


@pytest.mark.django_db
def test_every_person_the_summary_shows_is_in_a_scene():
    # In a scene in some way (on screen, heard, mentioned) or seen in a memory; only the credited-only are exempt.
    absent = [
        character.slug
        for character in Character.objects.filter(credited_only=False)
        if not seen_or_heard_in(character).exists()
    ]
    assert not absent, absent


@pytest.mark.django_db
def test_every_person_who_is_not_only_talked_about_is_seen_or_heard_somewhere():
    # People who are only ever mentioned are the ones the film talks about and never shows.
    only_mentioned = {
        character.slug
        for character in Character.objects.filter(credited_only=False)
        if not character.appearances.filter(Q(on_screen=True) | Q(voice_over=True)).exists()
        and not character.flashbacks.exists()
    }
    assert only_mentioned == {
        "high-command",
        "island-civilians",
        "kuribayashis-family",
        "kuribayashis-son",
        "messengers",
        "saigos-child",
        "sams-mother",
    }


@pytest.mark.django_db
def test_every_letter_appears_in_a_scene():
    unused = Letter.objects.filter(scenes__isnull=True)
    assert not unused.exists(), [letter.slug for letter in unused]


@pytest.mark.django_db
def test_every_flashback_rememberer_is_on_screen_or_heard_in_its_scene():
    for flashback in Flashback.objects.select_related("scene", "rememberer"):
        assert Appearance.objects.filter(scene=flashback.scene, character=flashback.rememberer).filter(
            Q(on_screen=True) | Q(voice_over=True)
        ), f"{flashback.rememberer} remembers “{flashback}” but is not on screen in scene {flashback.scene}"


@pytest.mark.django_db
def test_every_location_is_used_by_a_scene_or_a_flashback():
    unused = Location.objects.filter(scenes__isnull=True, flashbacks__isnull=True)
    assert not unused.exists(), [location.slug for location in unused]


@pytest.mark.django_db
def test_letter_writers_and_recipients_are_in_the_letters_scenes():
    for letter in Letter.objects.prefetch_related("scenes"):
        for character in (letter.writer, letter.recipient):
            if character is None:
                continue
            for scene in letter.scenes.all():
                assert Appearance.objects.filter(scene=scene, character=character).exists(), (
                    f"{character} wrote or receives “{letter}” but is not in scene {scene}"
                )


# --- Names --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spelling, slug",
    [
        ("Kuribashi", "kuribayashi"),
        ("Kuribachi", "kuribayashi"),
        ("Kuribayashi", "kuribayashi"),
        ("General Kuribayashi", "kuribayashi"),
        ("Nishi", "nishi"),
        ("Nish", "nishi"),
        ("Baron Nishi", "nishi"),
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
        if wanted in {name.casefold() for name in [character.name, *character.alias_list, *character.source_name_list]}
    ]
    assert matches == [slug]


@pytest.mark.django_db
def test_people_are_named_as_the_credits_name_them():
    nishi, general = person("nishi"), person("kuribayashi")
    assert (nishi.name, nishi.rank, nishi.alias_list) == ("Nishi", "Lieutenant Colonel", ["Baron Nishi"])
    assert (general.name, general.alias_list) == ("Kuribayashi", ["General Kuribayashi"])
    assert person("endo").display_name == "Medic Endo"


def test_the_site_spells_names_right_outside_the_source_names():
    for item, field, text in prose():
        match = TYPOS.search(text)
        assert not match, f"{label(item)} {field} keeps the summary's typo “{match.group()}”"


@pytest.mark.django_db
def test_aliases_are_names_of_that_person_only():
    # An alias is a name people use for that person: never a place, a number of people or someone else's name.
    places = {name.casefold() for name in Location.objects.values_list("name", flat=True)}
    owners = Counter(alias.casefold() for character in Character.objects.all() for alias in character.alias_list)
    for character in Character.objects.all():
        for alias in character.alias_list:
            assert alias.casefold() not in {"tokyo", "two men", "the officers"} | places, f"{character}: “{alias}”"
            assert owners[alias.casefold()] == 1, f"“{alias}” names more than one record"


@pytest.mark.django_db
def test_group_names_do_not_lean_on_a_principal():
    principals = list(Character.objects.filter(principal=True).values_list("name", flat=True))
    for group in Character.objects.filter(is_group=True):
        leaning = [name for name in principals if re.search(rf"\b{name}\b", group.name)]
        assert not leaning, f"the group “{group.name}” is named after {leaning}"


@pytest.mark.django_db
def test_the_principals_are_the_people_the_film_follows():
    principals = set(Character.objects.filter(principal=True).values_list("slug", flat=True))
    assert principals == {"saigo", "kuribayashi", "nishi", "shimizu", "ito"}


@pytest.mark.django_db
def test_only_the_credited_are_known_by_name_and_groups_are_marked():
    named = set(Character.objects.filter(is_named=True).values_list("slug", flat=True))
    assert named == {slug for slug, _actor in CREDITS}
    groups = set(Character.objects.filter(is_group=True).values_list("slug", flat=True))
    assert {"american-forces", "tanidas-company", "last-soldiers", "three-women", "excavators"} <= groups
    assert not groups & named


# --- Cast ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_credit_order_is_the_credits_with_their_actors():
    cast = list(Character.objects.filter(credit_order__isnull=False).order_by("credit_order"))
    assert [(c.credit_order, c.slug, c.actor) for c in cast] == [
        (position, slug, actor) for position, (slug, actor) in enumerate(CREDITS, start=1)
    ]
    assert not Character.objects.filter(credit_order__isnull=True).exclude(actor="").exists()


@pytest.mark.django_db
def test_nozaki_and_endo_are_credited_only_with_actors_and_no_scenes():
    # The credits name them; the summary's events never show them, so the site gives them no scenes.
    credited_only = Character.objects.filter(credited_only=True)
    assert set(credited_only.values_list("slug", flat=True)) == {"nozaki", "endo"}
    for character in credited_only:
        assert character.actor and character.role and character.credit_order
        assert not character.appearances.exists() and not character.flashbacks.exists()
        assert character.biography == [] and character.fate_scene is None


# --- The site's own words -----------------------------------------------------------------------------


def test_no_text_copies_eight_words_in_a_row_from_the_summary():
    copied = [f"{label(item)} {field}: “{run}”" for item, field, text in prose() for run in copied_runs(text)]
    assert not copied, "text shared with the plot summary:\n" + "\n".join(copied)


def test_the_copying_check_catches_a_copied_sentence():
    assert copied_runs("Before leaving, the admiral tells his officers that Kuribashi cannot be trusted.")
    assert copied_runs("he shoots the other prisoner and Shimizu in cold blood")  # eight words
    assert not copied_runs("The admiral, about to go, warns the officers that the general is not fit to lead.")


def test_the_copying_check_reads_every_part_of_a_biography():
    parts = [
        {"scene": 1, "text": "A fresh sentence."},
        {"scene": 2, "text": "Nishi slowly gets his rifle and shoots himself."},
    ]
    assert [run for text in texts(parts) for run in copied_runs(text)]


def test_visible_prose_speaks_about_the_film_not_the_source():
    found = [f"{label(item)} {field}: {text}" for item, field, text in prose() if ABOUT_THE_SOURCE.search(text)]
    assert not found, "\n".join(found)


def test_fate_notes_say_what_happens_or_nothing():
    # Where a fate is not told, the note is left empty and the page says “Not told”: no other wording.
    vague = re.compile(r"\b(not (say|said|tell|mention)\w*|unknown|unclear|no more)\b", re.IGNORECASE)
    for _name, item in fixture_objects():
        for text in texts(item["fields"].get("fate_detail", [])):
            assert not vague.search(text), f"{label(item)} fate note: {text}"


def test_the_prose_is_american_english():
    british = re.compile(r"\b(honour|colour|behaviour|defence|realis\w+|organis\w+|recognis\w+|favour\w*)\b", re.I)
    for item, field, text in prose():
        match = british.search(text)
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


@pytest.mark.django_db
def test_every_story_part_fits_the_scenes():
    problems = {c.slug: c.rule_errors() for c in Character.objects.all() if c.rule_errors()}
    assert not problems, problems


def test_fixtures_use_natural_keys_and_no_ids():
    for name, item in fixture_objects():
        assert "pk" not in item, f"{name}.json: {label(item)} has a pk"


# --- Biographies and fates in scene-stamped parts -----------------------------------------------------


@pytest.mark.django_db
def test_everyone_in_the_story_has_a_biography_that_starts_no_earlier_than_they_do():
    for character in Character.objects.filter(credited_only=False):
        assert character.biography, f"{character.slug} has no biography"
        first = seen_or_heard_in(character).order_by("number").first()
        assert character.biography[0]["scene"] >= first.number, (
            f"{character.slug}'s biography starts at scene {character.biography[0]['scene']}, "
            f"before their first scene ({first})"
        )


@pytest.mark.django_db
def test_the_people_the_film_follows_have_biographies_in_several_parts():
    for character in Character.objects.filter(principal=True):
        assert len(character.biography) >= 5, character.slug


@pytest.mark.django_db
def test_a_fate_note_is_not_shown_before_the_fate_happens():
    for character in Character.objects.exclude(fate_scene=None).select_related("fate_scene"):
        assert character.fate_detail, f"{character.slug} has a fate scene but no fate note"
        assert character.fate_detail[0]["scene"] >= character.fate_scene.number, character.slug


@pytest.mark.django_db
def test_every_fate_scene_is_a_scene_the_person_is_in():
    for character in Character.objects.exclude(fate_scene=None).select_related("fate_scene"):
        assert character.is_in_scene(character.fate_scene_id), f"{character.slug} is not in {character.fate_scene}"


@pytest.mark.django_db
def test_the_fates_are_as_the_summary_tells_them_and_where():
    fates = {
        c.slug: (c.fate, c.fate_scene and c.fate_scene.slug) for c in Character.objects.select_related("fate_scene")
    }
    assert fates["kuribayashi"] == ("suicide", "the-generals-end")
    assert fates["nishi"] == ("suicide", "nishis-last-order")
    assert fates["tanida"] == ("suicide", "death-before-retreat")
    assert fates["kashiwara"] == ("died-of-illness", None)  # he dies off screen
    assert fates["ohsugi"] == ("sent-away", "admiral-sent-home")
    assert fates["sam"] == ("died-of-wounds", None)  # overnight, off screen
    assert fates["shimizu"] == ("shot-after-surrendering", "shot-in-cold-blood")  # his body is seen in the next scene
    assert fates["ito"] == ("captured", "ito-is-taken")
    assert fates["saigo"] == ("captured", "saigo-and-the-shovel")
    assert fates["fujita"] == ("killed", "the-generals-end")
    okubo = person("okubo")
    assert okubo.fate == "died"  # the summary says he dies on the night march, not how
    assert 20 in okubo.fate_scene.source_paragraphs
    assert okubo.appearances.filter(scene=okubo.fate_scene, on_screen=True).exists()


@pytest.mark.django_db
def test_a_groups_fate_holds_for_all_of_it():
    # Saigo survives both the company's suicides and the last attack, so neither is the group's fate.
    for slug in ["tanidas-company", "last-soldiers"]:
        assert person(slug).fate == "unknown", slug
    survivors = {"survives", "captured", "sent-away"}
    for group in Character.objects.filter(is_group=True).exclude(fate="unknown"):
        assert group.fate in survivors or group.fate_scene, group.slug


@pytest.mark.django_db
def test_the_american_friend_with_the_colt_is_a_civilian_at_a_party():
    assert person("party-husband").side == "american-civilians"
    assert "sends" not in person("messengers").role


# --- Content truth ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_saigo_is_on_screen_and_heard_in_voice_over_digging_trenches():
    appearance = Appearance.objects.get(scene__slug="digging-trenches", character__slug="saigo")
    assert appearance.on_screen and appearance.voice_over


@pytest.mark.django_db
def test_hanako_is_seen_in_the_memory_of_the_draft_and_the_unborn_child_is_not():
    scene = Scene.objects.get(slug="remembering-the-draft")
    in_memory = {c.slug for flashback in scene.flashbacks.all() for c in flashback.characters.all()}
    assert "hanako" in in_memory
    assert "saigos-child" not in in_memory
    # Seen only in the memory, she has no appearance of her own in the scene.
    assert not Appearance.objects.filter(scene=scene, character__slug="hanako").exists()
    assert Scene.objects.with_everyone([person("hanako")]).filter(slug="remembering-the-draft").exists()


@pytest.mark.django_db
def test_the_mothers_letter_is_read_aloud_by_nishi_at_the_prisoners_death():
    scenes = [scene for scene in Scene.objects.all() if 19 in scene.source_paragraphs]
    assert scenes
    letters = Letter.objects.filter(scenes__in=scenes, presentation="read-aloud", writer__name="Sam's mother")
    assert letters.count() == 1
    (scene,) = letters.get().scenes.all()
    assert scene.appearances.filter(character__slug="nishi", on_screen=True).exists()
    assert letters.get().recipient.slug == "sam"


@pytest.mark.django_db
def test_only_kuribayashi_and_nishi_are_historical():
    assert set(Character.objects.filter(historical=True).values_list("slug", flat=True)) == {"kuribayashi", "nishi"}


@pytest.mark.django_db
def test_the_bag_of_letters_is_in_the_last_scene_and_is_buried_by_saigo_but_not_named_in_the_first():
    """¶1 has an excavator find only "something"; ¶30 tells it was the bag of letters."""
    first, last = Scene.objects.order_by("number").first(), Scene.objects.order_by("number").last()
    bags = Letter.objects.filter(writer__isnull=True, recipient__isnull=True, scenes=last)
    assert bags.count() == 1
    bag = bags.get()
    assert not first.letters.exists() and "letter" not in first.summary.lower()
    assert bag.fate == "found-by-excavators"
    middle = [scene for scene in bag.scenes.all() if 25 in scene.source_paragraphs]
    assert middle and middle[0].appearances.filter(character__slug="saigo", on_screen=True).exists()


@pytest.mark.django_db
def test_saigos_biography_has_him_burn_the_documents_and_bury_the_letters():
    burning = [part for part in person("saigo").biography if "bur" in part["text"] and "letters" in part["text"]]
    assert burning and re.search(r"\bburns\b", burning[0]["text"]) and re.search(r"\bburies\b", burning[0]["text"])


@pytest.mark.django_db
def test_the_opening_is_the_frame_and_not_a_flashback():
    first = Scene.objects.order_by("number").first()
    assert not first.flashbacks.exists()
    assert first.appearances.filter(character__side="present-day", on_screen=True).exists()


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
        s
        for s in scenes
        if {a.character.slug for a in s.appearances.all() if a.on_screen} >= {"kuribayashi", "saigo", "tanida"}
    ]
    assert beating, "no ¶3 scene has Kuribayashi, Saigo and Tanida on screen together"


@pytest.mark.django_db
def test_saigos_letters_go_to_hanako():
    letters = Letter.objects.filter(writer__slug="saigo")
    assert letters.count() >= 3
    assert set(letters.values_list("recipient__slug", flat=True)) == {"hanako"}
    assert letters.filter(fate="censored").exists()
    # The last one he writes knowing it will not reach her; whether it is sent is not told.
    assert not letters.filter(fate="sent").exists()


@pytest.mark.django_db
def test_the_writer_of_a_voice_over_letter_is_heard_in_voice_over_in_its_scenes():
    letters = Letter.objects.filter(presentation="voice-over", writer__isnull=False)
    assert letters.exists()
    for letter in letters:
        for scene in letter.scenes.all():
            appearance = Appearance.objects.get(scene=scene, character=letter.writer)
            assert appearance.voice_over, f"{letter.writer} is not heard in voice-over in scene {scene}"
            assert appearance.on_screen, f"{letter.writer} writes “{letter}” but is not on screen in scene {scene}"
