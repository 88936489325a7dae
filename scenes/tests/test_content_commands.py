"""The content workflow: loaddata, reload_content, export_content, on the real fixtures."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from characters.models import Character
from iwojima_site.story import parts_as_text
from scenes.content import FIXTURE_MODELS, clear_content, fixtures_dir
from scenes.models import Appearance, Flashback, Letter, Location, Scene
from scenes.tests.commands import edit_json, run, snapshot

pytestmark = pytest.mark.django_db


def test_loaddata_fills_an_empty_database():
    clear_content()
    call_command("loaddata", *FIXTURE_MODELS, verbosity=0)
    assert Scene.objects.count() > 0 and Character.objects.count() > 0 and Letter.objects.count() > 0


def test_export_after_loading_reproduces_the_files_byte_for_byte(tmp_path):
    run("reload_content")
    run("reload_content")
    run("export_content", "--fixtures", str(tmp_path))
    for name in FIXTURE_MODELS:
        exported = (tmp_path / f"{name}.json").read_bytes()
        assert exported == (fixtures_dir() / f"{name}.json").read_bytes(), f"{name}.json differs after a round trip"


def test_reload_reports_counts_per_model():
    out = run("reload_content")
    assert f"{Scene.objects.count()} scenes" in out
    assert f"{Character.objects.count()} characters" in out
    assert f"{Appearance.objects.count()} appearances" in out
    assert f"{Letter.objects.count()} letters" in out and f"{Flashback.objects.count()} flashbacks" in out


def test_check_validates_without_writing():
    scene = Scene.objects.order_by("number").first()
    Scene.objects.filter(pk=scene.pk).update(title="Edited in the admin")
    out = run("reload_content", "--check")
    assert "valid" in out
    assert Scene.objects.get(pk=scene.pk).title == "Edited in the admin"


def test_an_admin_edit_shows_up_as_a_small_diff_in_the_export(tmp_path):
    scene = Scene.objects.order_by("number").first()
    Scene.objects.filter(pk=scene.pk).update(title="A corrected title")
    run("export_content", "--fixtures", str(tmp_path))
    before = (fixtures_dir() / "scenes.json").read_text(encoding="utf-8").splitlines()
    after = (tmp_path / "scenes.json").read_text(encoding="utf-8").splitlines()
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert changed == [
        (f'      "title": {json.dumps(scene.title, ensure_ascii=False)},', '      "title": "A corrected title",')
    ]


def test_reload_refuses_to_throw_away_edits_and_names_them():
    scene = Scene.objects.order_by("number").first()
    Scene.objects.filter(pk=scene.pk).update(title="Edited in the admin")
    with pytest.raises(CommandError) as error:
        run("reload_content")
    message = str(error.value)
    assert scene.slug in message and "export_content" in message and "--force" in message
    assert Scene.objects.get(pk=scene.pk).title == "Edited in the admin"


def test_force_discards_edits_on_purpose():
    scene = Scene.objects.order_by("number").first()
    Scene.objects.filter(pk=scene.pk).update(title="Edited in the admin")
    run("reload_content", "--force")
    assert Scene.objects.get(slug=scene.slug).title == scene.title


def test_if_empty_leaves_a_database_with_content_alone():
    Scene.objects.filter(number=1).update(title="Kept")
    out = run("reload_content", "--if-empty")
    assert "left as it is" in out and Scene.objects.get(number=1).title == "Kept"


def test_if_empty_loads_an_empty_database():
    clear_content()
    run("reload_content", "--if-empty")
    assert Scene.objects.exists()


def first(data, model):
    return next(item for item in data if item["model"] == model)


def break_json(directory):
    path = directory / "scenes.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"title":', '"title"', 1), encoding="utf-8")
    return "scenes.json", "malformed JSON at line"


def unknown_model(directory):
    def change(data):
        data[0]["model"] = "scenes.postcard"

    edit_json(directory / "letters.json", change)
    return "letters.json", "unknown model “scenes.postcard”"


def unknown_field(directory):
    def change(data):
        data[0]["fields"]["colour"] = "grey"

    edit_json(directory / "characters.json", change)
    return "characters.json", "colour"


def unknown_natural_key(directory):
    def change(data):
        first(data, "scenes.scene")["fields"]["location"] = ["atlantis"]

    edit_json(directory / "scenes.json", change)
    return "scenes.json", "there is no location “atlantis”"


def unknown_character_in_a_memory(directory):
    def change(data):
        data[0]["fields"]["characters"].append(["nobody-at-all"])

    edit_json(directory / "flashbacks.json", change)
    return "flashbacks.json", "there is no character “nobody-at-all”"


def duplicate_slug(directory):
    def change(data):
        data.append(json.loads(json.dumps(data[0])))

    edit_json(directory / "characters.json", change)
    return "characters.json", "duplicate"


def invalid_choice(directory):
    def change(data):
        data[0]["fields"]["side"] = "martians"

    edit_json(directory / "characters.json", change)
    return "characters.json", "'martians' is not a valid choice"


def rememberer_not_in_scene(directory):
    scenes = json.loads((directory / "scenes.json").read_text(encoding="utf-8"))
    people = json.loads((directory / "characters.json").read_text(encoding="utf-8"))

    def change(data):
        scene = data[0]["fields"]["scene"]
        present = {tuple(a["fields"]["character"]) for a in scenes if a["fields"].get("scene") == scene}
        stranger = next(p["fields"]["slug"] for p in people if (p["fields"]["slug"],) not in present)
        data[0]["fields"]["rememberer"] = [stranger]

    edit_json(directory / "flashbacks.json", change)
    return "flashbacks.json", "is not in scene"


def rememberer_not_among_the_people(directory):
    def change(data):
        data[0]["fields"]["characters"] = [
            p for p in data[0]["fields"]["characters"] if p != data[0]["fields"]["rememberer"]
        ]

    edit_json(directory / "flashbacks.json", change)
    return "flashbacks.json", "so they are among the people in it"


def letter_to_its_writer(directory):
    def change(data):
        letter = next(item for item in data if item["fields"]["writer"])
        letter["fields"]["recipient"] = letter["fields"]["writer"]

    edit_json(directory / "letters.json", change)
    return "letters.json", "the recipient is someone else"


def letter_written_after_death(directory):
    def change(data):
        letter = next(item for item in data if item["fields"]["slug"] == "kuribayashis-letter-to-his-son")
        letter["fields"]["scenes"].append(["saigo-and-the-shovel"])  # scene 43; he dies in 42

    edit_json(directory / "letters.json", change)
    return "letters.json", "dies in scene 42, so writes no letter in scene 43"


def bad_paragraph(directory):
    def change(data):
        first(data, "scenes.scene")["fields"]["source_paragraphs"] = [99]

    edit_json(directory / "scenes.json", change)
    return "scenes.json", "Paragraph 99 does not exist"


def missing_file(directory):
    (directory / "letters.json").unlink()
    return "letters.json", "missing"


@pytest.mark.parametrize(
    "breakage",
    [
        break_json,
        unknown_model,
        unknown_field,
        unknown_natural_key,
        unknown_character_in_a_memory,
        duplicate_slug,
        invalid_choice,
        rememberer_not_in_scene,
        rememberer_not_among_the_people,
        letter_to_its_writer,
        letter_written_after_death,
        bad_paragraph,
        missing_file,
    ],
)
def test_a_broken_fixture_names_the_file_and_object_and_changes_nothing(breakage, fixture_copy, admin_client):
    # An editor's change made in the admin must survive the failed reload.
    location = Location.objects.order_by("slug").first()
    url = reverse("admin:scenes_location_change", args=[location.pk])
    form = {"slug": location.slug, "name": "Renamed by an editor", "region": location.region}
    assert admin_client.post(url, {**form, "description": parts_as_text(location.description)}).status_code == 302
    before = snapshot()

    filename, detail = breakage(fixture_copy)
    with pytest.raises(CommandError) as error:
        run("reload_content", "--force", "--fixtures", str(fixture_copy))

    message = str(error.value)
    assert filename in message and detail in message and "Nothing was changed" in message
    if breakage not in (break_json, missing_file):
        assert "“" in message.split(filename, 1)[1], "the message names the object"
    assert snapshot() == before
    assert Location.objects.get(pk=location.pk).name == "Renamed by an editor"


def test_the_editors_group_exists_after_migrating():
    editors = Group.objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"change_scene", "add_letter", "delete_flashback", "view_character"} <= codenames
    assert not any(code.endswith(("_user", "_group", "_permission")) for code in codenames)
