"""Reload as a sync by natural key, unexported edits both ways, malformed values of any shape, and an export
that is deterministic and atomic (issue: editors' safety)."""

import json
import os
import shutil
import stat
import threading

import pytest
from django.core.management import CommandError
from django.db import connection, connections
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from characters.models import Character
from scenes import content
from scenes.content import (
    FIXTURE_MODELS,
    ContentError,
    content_models,
    export_content,
    fixtures_dir,
    load_content,
    render_fixture,
    shape_errors,
)
from scenes.management.commands import reload_content as reload_command
from scenes.models import Letter, Scene
from scenes.tests.commands import edit_json, run, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced():
    """The real content, loaded by reload_content so the database remembers it matches the files."""
    run("reload_content", "--force")


def test_a_letter_deleted_in_the_admin_is_not_silently_restored(admin_client, synced):
    letter = Letter.objects.order_by("slug").first()
    response = admin_client.post(reverse("admin:scenes_letter_delete", args=[letter.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Letter.objects.filter(slug=letter.slug).exists()
    with pytest.raises(CommandError) as error:
        run("reload_content")
    assert f"deleted in the database: scenes.letter “{letter.slug}”" in str(error.value)
    assert not Letter.objects.filter(slug=letter.slug).exists()
    assert "1 letter added" in run("reload_content", "--dry-run")
    assert "1 letter added" in run("reload_content", "--force")
    assert Letter.objects.filter(slug=letter.slug).exists()


def test_an_edit_exported_only_to_a_scratch_folder_still_stops_a_reload(admin_client, synced, tmp_path):
    letter = Letter.objects.order_by("slug").first()
    response = admin_client.post(reverse("admin:scenes_letter_delete", args=[letter.pk]), {"post": "yes"})
    assert response.status_code == 302
    run("export_content", "--fixtures", str(tmp_path))
    assert f'"{letter.slug}"' not in (tmp_path / "letters.json").read_text(encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run("reload_content")
    assert f"deleted in the database: scenes.letter “{letter.slug}”" in str(error.value)
    assert not Letter.objects.filter(slug=letter.slug).exists()


def test_content_reloaded_from_a_scratch_folder_is_not_taken_for_what_fixtures_holds(synced, fixture_copy):
    def retitle(data):
        data[0]["fields"]["title"] = "A title only the scratch folder has"

    edit_json(fixture_copy / "scenes.json", retitle)
    assert "1 scene changed" in run("reload_content", "--fixtures", str(fixture_copy))
    with pytest.raises(CommandError) as error:
        run("reload_content")
    assert "changed in the database: scenes.scene" in str(error.value)
    assert Scene.objects.filter(title="A title only the scratch folder has").exists()


@pytest.mark.django_db(transaction=True)
def test_an_edit_saved_while_a_reload_weighs_the_edits_is_kept_never_silently_undone(monkeypatch):
    """An editor saves just after the reload found no edits to keep: the save waits for the reload and lands on its
    content, so it is kept, and the next reload sees it as an edit."""
    run("reload_content", "--force")
    weigh = content.unsaved_edits
    editors = []

    def save_an_edit():
        try:
            person = Character.objects.get(slug="saigo")
            person.role = "Saved while a reload ran"
            person.save()
        finally:
            connections.close_all()  # this thread's own connection

    def weigh_then_edit(directory=None):
        lost = weigh(directory)
        editors.append(threading.Thread(target=save_an_edit))
        editors[-1].start()
        editors[-1].join(timeout=1)  # a save the reload does not hold back lands now, before the load
        return lost

    monkeypatch.setattr(content, "unsaved_edits", weigh_then_edit)
    monkeypatch.setattr(reload_command, "unsaved_edits", weigh_then_edit)
    run("reload_content")
    editors[0].join(timeout=30)
    assert Character.objects.get(slug="saigo").role == "Saved while a reload ran"
    monkeypatch.undo()
    with pytest.raises(CommandError) as error:
        run("reload_content")
    assert "changed in the database: characters.character “saigo”" in str(error.value)
    run("reload_content", "--force")


def test_a_refused_reload_names_only_the_databases_edits_and_the_files_changes_load_once_it_has_none(
    settings, fixture_copy
):
    """A colleague's pulled changes (a person changed, a letter added) are not the database's edits: the refusal
    names only the database's own edit, and warns that an export would write over the colleague's; once the files
    hold that edit too, the pulled changes load without --force."""
    settings.FIXTURE_DIRS = [fixture_copy]  # the folder a sync is remembered for
    run("reload_content", "--force")
    saigo = Character.objects.get(slug="saigo")
    saigo.role = "Edited in the admin"
    saigo.save()

    def pulled(data):
        for item in data:
            if item["fields"].get("slug") == "kuribayashi":
                item["fields"]["role"] = "Changed in a pulled commit"

    def another_letter(data):
        data.append({**data[0], "fields": {**data[0]["fields"], "slug": "a-letter-from-a-colleague"}})

    edit_json(fixture_copy / "characters.json", pulled)
    edit_json(fixture_copy / "letters.json", another_letter)
    with pytest.raises(CommandError) as error:
        run("reload_content")
    refusal, warning = str(error.value).split("The fixtures changed too")
    assert "undo 1 of those edits" in refusal and "changed in the database: characters.character “saigo”" in refusal
    assert "kuribayashi" not in refusal and "a-letter-from-a-colleague" not in refusal
    assert "“kuribayashi”" in warning and "“a-letter-from-a-colleague”" in warning
    # Nor does an export write over them without being told to.
    before = {path.name: path.read_bytes() for path in fixture_copy.glob("*.json")}
    with pytest.raises(CommandError) as error:
        run("export_content")
    assert "“kuribayashi”" in str(error.value) and "“a-letter-from-a-colleague”" in str(error.value)
    assert {path.name: path.read_bytes() for path in fixture_copy.glob("*.json")} == before

    def same_edit(data):
        for item in data:
            if item["fields"].get("slug") == "saigo":
                item["fields"]["role"] = "Edited in the admin"

    edit_json(fixture_copy / "characters.json", same_edit)
    assert "1 letter added, 1 character changed" in run("reload_content")
    assert Character.objects.get(slug="kuribayashi").role == "Changed in a pulled commit"
    assert Letter.objects.filter(slug="a-letter-from-a-colleague").exists()


def test_a_record_changed_on_both_sides_is_named_and_an_export_does_not_drop_the_files_side(settings, fixture_copy):
    settings.FIXTURE_DIRS = [fixture_copy]
    run("reload_content", "--force")
    saigo = Character.objects.get(slug="saigo")
    saigo.role = "Edited in the admin"
    saigo.save()
    letter = Letter.objects.order_by("slug").first()
    letter.delete()

    def pulled(data):
        for item in data:
            if item["fields"].get("slug") in ("saigo", letter.slug):
                item["fields"]["summary" if "summary" in item["fields"] else "actor"] = "Changed in a pulled commit"

    edit_json(fixture_copy / "characters.json", pulled)
    edit_json(fixture_copy / "letters.json", pulled)
    with pytest.raises(CommandError) as error:
        run("reload_content")
    refusal, warning = str(error.value).split("The fixtures changed too")
    assert "“saigo”" in refusal and f"deleted in the database: scenes.letter “{letter.slug}”" in refusal
    assert "“saigo”" in warning and f"“{letter.slug}”" in warning  # both sides changed them
    with pytest.raises(CommandError) as error:
        run("export_content")
    assert "“saigo”" in str(error.value) and f"“{letter.slug}”" in str(error.value)
    assert "Changed in a pulled commit" in (fixture_copy / "characters.json").read_text(encoding="utf-8")
    assert "Wrote" in run("export_content", "--force")
    assert "Changed in a pulled commit" not in (fixture_copy / "characters.json").read_text(encoding="utf-8")


def test_a_reload_keeps_every_admin_address_working(admin_client, synced, fixture_copy):
    scenes = {scene.slug: scene.pk for scene in Scene.objects.all()}
    people = {person.slug: person.pk for person in Character.objects.all()}

    def retitle(data):
        data[0]["fields"]["title"] = "A new title"

    edit_json(fixture_copy / "scenes.json", retitle)
    output = run("reload_content", "--fixtures", str(fixture_copy))
    assert "1 scene changed" in output
    assert {scene.slug: scene.pk for scene in Scene.objects.all()} == scenes
    assert {person.slug: person.pk for person in Character.objects.all()} == people
    first = Scene.objects.get(number=1)
    assert first.title == "A new title"
    assert admin_client.get(reverse("admin:scenes_scene_change", args=[first.pk])).status_code == 200


def test_a_slug_changed_in_the_admin_keeps_the_old_address_and_a_reload_changes_it_back(client, admin_client, synced):
    letter = Letter.objects.get(slug="saigos-censored-letter")
    old_url, former = letter.get_absolute_url(), list(letter.former_slugs)
    change = reverse("admin:scenes_letter_change", args=[letter.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["slug"] = "saigos-rewritten-letter"
    response = admin_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    letter.refresh_from_db()
    assert letter.slug == "saigos-rewritten-letter" and letter.former_slugs == [*former, "saigos-censored-letter"]
    response = client.get(old_url)
    assert response.status_code == 301 and response.url == letter.get_absolute_url()
    response = client.get("/api/letters/saigos-censored-letter/?format=csv")  # the API's record too
    assert response.status_code == 301 and response.url == "/api/letters/saigos-rewritten-letter/?format=csv"

    # The files still name it by the old slug: the reload sees one record changed, not one removed and one added
    # with the old slug refused as the renamed record's former slug.
    assert "1 letter changed" in run("reload_content", "--dry-run")
    assert "1 letter changed" in run("reload_content", "--force")
    assert Letter.objects.get(pk=letter.pk).slug == "saigos-censored-letter"


def test_newer_fixtures_load_without_force_when_the_database_was_not_edited(synced, fixture_copy):
    def retitle(data):
        data[-1]["fields"]["title"] = "Pulled from the repository"

    edit_json(fixture_copy / "letters.json", retitle)
    assert "1 letter changed" in run("reload_content", "--fixtures", str(fixture_copy))


def test_a_reload_that_swaps_scene_numbers_and_renames_keeps_ids(synced, fixture_copy):
    first, second = Scene.objects.get(number=1), Scene.objects.get(number=2)

    def swap_and_rename(data):
        scenes = [item for item in data if item["model"] == "scenes.scene"]
        scenes[0]["fields"]["number"], scenes[1]["fields"]["number"] = 2, 1
        old = scenes[1]["fields"]["slug"]
        scenes[1]["fields"]["slug"] = f"{old}-renamed"
        scenes[1]["fields"]["former_slugs"] = [old]
        for item in data:
            if item["model"] == "scenes.appearance" and item["fields"]["scene"] == [old]:
                item["fields"]["scene"] = [f"{old}-renamed"]

    edit_json(fixture_copy / "scenes.json", swap_and_rename)
    for name in ("characters", "flashbacks", "letters"):
        path = fixture_copy / f"{name}.json"
        path.write_text(path.read_text(encoding="utf-8").replace(f'["{second.slug}"]', f'["{second.slug}-renamed"]'))
    run("reload_content", "--fixtures", str(fixture_copy))
    assert Scene.objects.get(pk=first.pk).number == 2
    renamed = Scene.objects.get(pk=second.pk)
    assert renamed.number == 1 and renamed.slug == f"{second.slug}-renamed" and renamed.former_slugs == [second.slug]


def test_a_hand_fixed_typo_is_reported_as_the_error_it_is_not_as_an_edit(admin_client, synced, fixture_copy):
    def typo(data):
        data[0]["fields"]["location"] = ["no-such-place"]

    edit_json(fixture_copy / "scenes.json", typo)
    with pytest.raises(CommandError) as error:
        run("reload_content", "--fixtures", str(fixture_copy))
    message = str(error.value)
    assert "scenes.json" in message and "no-such-place" in message and "export_content" not in message


def test_a_fate_note_stamped_before_the_fate_scene_is_refused_naming_file_and_record(synced, fixture_copy):
    def tell_early(data):
        fujita = next(item for item in data if item["fields"]["slug"] == "fujita")
        fujita["fields"]["fate_detail"] = [{"scene": 6, "text": "Shot by a sniper."}]

    before = snapshot()
    edit_json(fixture_copy / "characters.json", tell_early)
    for args in (["--check"], ["--force"]):
        with pytest.raises(CommandError) as error:
            run("reload_content", "--fixtures", str(fixture_copy), *args)
        fujita = "characters.json: characters.character “fujita”: fate_detail: a part is stamped scene 6, before"
        assert fujita in str(error.value)
    assert snapshot() == before


@pytest.mark.parametrize(
    "slug, change, expected",
    [
        (
            "saigo",
            {"is_group": True},
            "A principal is one person the film follows, not a group: untick “principal” or “group”.",
        ),
        (
            "shimizu",
            {"fate": "unknown"},
            "A fate scene shows the fate, so it cannot be “Not told”: choose the fate it shows, or clear the fate "
            "scene.",
        ),
        (
            "nishi",
            {"aliases": "Baron Nishi\n,,"},
            "aliases: Line 2 (“,,”) is not one name: give one name a line, with no empty lines, no commas and no "
            "spaces around a name.",
        ),
        (
            "nishi",
            {"credit_order": 0},
            "credit_order: The credits count from 1: give their place in the cast list, or leave it empty if "
            "uncredited.",
        ),
    ],
)
def test_a_person_the_model_refuses_is_named_with_what_to_fix(synced, fixture_copy, slug, change, expected):
    def edit(data):
        next(item for item in data if item["fields"]["slug"] == slug)["fields"].update(change)

    edit_json(fixture_copy / "characters.json", edit)
    with pytest.raises(CommandError) as error:
        run("reload_content", "--fixtures", str(fixture_copy), "--check")
    assert str(error.value).endswith(f"characters.json: characters.character “{slug}”: {expected}")


@pytest.mark.parametrize(
    "name, change, expected",
    [
        ("scenes", lambda data: data[0]["fields"].update(location=[[["the-beach"]]]), "expected a natural key"),
        ("scenes", lambda data: data[0]["fields"].update(location=5), "expected a natural key"),
        ("letters", lambda data: data[0]["fields"].update(scenes=[3, 4]), "expected a list of natural keys"),
        ("characters", lambda data: data[0]["fields"].update(slug=["kuribayashi"]), "every record needs a “slug”"),
        ("characters", lambda data: data[0]["fields"].update(principal="yes"), "expected true or false"),
        ("scenes", lambda data: data[0]["fields"].update(number="1"), "expected a whole number"),
        ("characters", lambda data: data[0]["fields"].update(name=None), "expected text"),
        ("characters", lambda data: data[0]["fields"].update(biography=[["a"]]), "biography"),
        ("characters", lambda data: data[0].update(pk=7), "records have no ids"),
    ],
)
def test_a_value_of_the_wrong_shape_names_the_file_and_record_and_changes_nothing(
    synced, fixture_copy, name, change, expected
):
    before = snapshot()
    edit_json(fixture_copy / f"{name}.json", change)
    for args in (["--check"], ["--force"]):
        with pytest.raises(CommandError) as error:
            run("reload_content", "--fixtures", str(fixture_copy), *args)
        assert f"{name}.json" in str(error.value) and expected in str(error.value)
    assert snapshot() == before


def first_part(data):
    return next(item for item in data if item["fields"].get("biography"))["fields"]["biography"][0]


@pytest.mark.parametrize(
    "name, change, field",
    [
        ("characters", lambda data: data[0]["fields"].update(name="Kuri\x00bayashi"), "name"),
        ("scenes", lambda data: data[0]["fields"].update(summary=data[0]["fields"]["summary"] + "\x00"), "summary"),
        ("characters", lambda data: first_part(data).update(text="A part\x00"), "biography"),
        ("characters", lambda data: first_part(data).update({"note\x00": "a key"}), "biography"),
        ("letters", lambda data: data[0]["fields"].update(former_slugs=["old\x00slug"]), "former_slugs"),
        ("flashbacks", lambda data: data[0]["fields"]["characters"].append(["saigo\x00"]), "characters"),
        ("flashbacks", lambda data: data[0]["fields"].update(location=["\x00"]), "location"),
    ],
)
def test_a_nul_character_anywhere_in_a_record_is_refused_naming_the_file_record_and_field(
    synced, fixture_copy, name, change, field
):
    """PostgreSQL's text cannot hold NUL, and SQLite would send it raw to every page that shows the record."""
    before = snapshot()
    path = fixture_copy / f"{name}.json"
    edit_json(path, change)
    record = next(item for item in json.loads(path.read_text(encoding="utf-8")) if "\\u0000" in json.dumps(item))
    for args in (["--check"], ["--force"]):
        with pytest.raises(CommandError) as error:
            run("reload_content", "--fixtures", str(fixture_copy), *args)
        message = str(error.value)
        assert f"{name}.json: {record['model']} “{record['fields']['slug']}”: {field}: a NUL character" in message
    assert snapshot() == before


def test_a_value_nested_too_deeply_is_an_error_not_a_crash(synced, fixture_copy):
    path = fixture_copy / "letters.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"summary": ', '"summary": ' + "[" * 100_000 + "]" * 100_000 + ', "x": ', 1))
    with pytest.raises(CommandError) as error:
        run("reload_content", "--fixtures", str(fixture_copy), "--check")
    assert "letters.json" in str(error.value) and "nested too deeply" in str(error.value)


def test_a_nul_character_in_a_slug_is_shown_escaped_in_the_message(synced, fixture_copy):
    slug = json.loads((fixture_copy / "locations.json").read_text(encoding="utf-8"))[0]["fields"]["slug"]
    edit_json(fixture_copy / "locations.json", lambda data: data[0]["fields"].update(slug=f"{slug}\x00"))
    with pytest.raises(CommandError) as error:
        run("reload_content", "--fixtures", str(fixture_copy), "--check")
    message = str(error.value)
    assert f'"slug": "{slug}\\u0000"' in message and "slug: a NUL character" in message and "\x00" not in message


def test_a_nul_nested_about_as_deeply_as_json_allows_is_refused_not_a_crash(synced, fixture_copy):
    path = fixture_copy / "letters.json"
    text = path.read_text(encoding="utf-8")
    nested = "[" * 900 + '"\\u0000"' + "]" * 900
    path.write_text(text.replace('"summary": ', f'"summary": {nested}, "x": ', 1), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run("reload_content", "--fixtures", str(fixture_copy), "--check")
    assert "letters.json: scenes.letter" in str(error.value) and "summary: a NUL character" in str(error.value)


WRONG_SHAPES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    model_and_field=st.sampled_from(
        [
            (label, field.name)
            for label in [
                "characters.character",
                "scenes.scene",
                "scenes.flashback",
                "scenes.letter",
                "scenes.location",
            ]
            for field in __import__("django.apps", fromlist=["apps"]).apps.get_model(label)._meta.get_fields()
            if getattr(field, "concrete", False) and not field.auto_created
        ]
        + [("scenes.appearance", "scene"), ("scenes.appearance", "on_screen")]
    ),
    value=WRONG_SHAPES,
)
def test_any_value_of_any_shape_is_loaded_or_refused_with_the_file_and_record_named(model_and_field, value):
    """Property: a record with one field set to an arbitrary JSON value either passes the shape check and the
    model's validation, or is refused with a message naming it — never an exception of another kind."""
    label, name = model_and_field
    path = fixtures_dir() / f"{next(n for n, labels in FIXTURE_MODELS.items() if label in labels)}.json"
    item = next(i for i in json.loads(path.read_text(encoding="utf-8")) if i["model"] == label)
    item = {**item, "fields": {**item["fields"], name: value}}
    try:
        errors = shape_errors(item)
    except Exception as error:  # noqa: BLE001 - the point is that nothing escapes
        pytest.fail(f"{label}.{name}={value!r} raised {error!r}")
    assert isinstance(errors, list)


def test_export_orders_by_natural_key_in_python_not_by_the_database_collation(synced):
    people = [
        item["fields"]["slug"]
        for item in json.loads(render_fixture("characters"))
        if item["model"] == "characters.character"
    ]
    assert people == sorted(people)
    # Byte order puts "excavator-who…" before "excavators" ("-" < "s"); collations that ignore hyphens do not.
    assert people.index("excavator-who-makes-the-find") < people.index("excavators")
    for item in json.loads(render_fixture("flashbacks")):
        keys = [key[0] for key in item["fields"]["characters"]]
        assert keys == sorted(keys)


def test_an_export_killed_part_way_leaves_every_file_whole(synced, tmp_path, monkeypatch):
    directory = tmp_path / "fixtures"
    shutil.copytree(fixtures_dir(), directory)
    Letter.objects.update(title="Changed everywhere")
    Scene.objects.update(title="Changed everywhere")
    real_replace, calls = os.replace, []

    def dies_on_the_second_file(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", dies_on_the_second_file)
    with pytest.raises(KeyboardInterrupt):
        export_content(directory)
    for name in FIXTURE_MODELS:
        json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))  # every file parses
    assert not list(directory.glob(".*.tmp")), "no temporary file is left behind"


def test_exported_files_get_the_mode_of_a_new_file_and_replaced_ones_keep_theirs(synced, tmp_path):
    umask = os.umask(0o027)
    try:
        run("export_content", "--fixtures", str(tmp_path))
    finally:
        os.umask(umask)
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in tmp_path.iterdir()} == {
        f"{name}.json": 0o640 for name in FIXTURE_MODELS
    }
    (tmp_path / "scenes.json").chmod(0o664)  # shared with the group on purpose
    Scene.objects.update(title="Changed everywhere")
    assert "scenes.json" in run("export_content", "--fixtures", str(tmp_path))
    assert stat.S_IMODE((tmp_path / "scenes.json").stat().st_mode) == 0o664


def test_reloading_from_a_folder_that_is_not_there_names_the_folder(synced, tmp_path):
    for folder, state in ((tmp_path / "no-such-folder", "does not exist"), (tmp_path / "notes.txt", "is not a folder")):
        if folder.suffix:
            folder.write_text("notes", encoding="utf-8")
        for args in ((), ("--check",), ("--dry-run",)):
            with pytest.raises(CommandError) as error:
                run("reload_content", "--fixtures", str(folder), *args)
            assert f"{folder}: {state}" in str(error.value) and ".json" not in str(error.value)


def test_exporting_into_a_file_is_refused_naming_it(synced, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("an editor's notes", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run("export_content", "--fixtures", str(notes))
    assert str(notes) in str(error.value) and "not a folder" in str(error.value)
    assert notes.read_text(encoding="utf-8") == "an editor's notes"


def test_an_export_that_cannot_write_one_file_replaces_none(synced, fixture_copy):
    (fixture_copy / "scenes.json").unlink()
    (fixture_copy / "scenes.json").mkdir()
    before = {path.name: path.read_bytes() for path in fixture_copy.iterdir() if path.is_file()}
    Character.objects.update(role="Changed everywhere")
    Letter.objects.update(title="Changed everywhere")
    with pytest.raises(CommandError) as error:
        run("export_content", "--fixtures", str(fixture_copy))
    message = str(error.value)
    assert f"{fixture_copy / 'scenes.json'}: is a folder" in message and "Nothing was written" in message
    assert {path.name: path.read_bytes() for path in fixture_copy.iterdir() if path.is_file()} == before


def test_exporting_an_empty_database_refuses_unless_forced(tmp_path):
    for model in reversed(content_models()):
        Character.objects.update(fate_scene=None)
        model.objects.all().delete()
    with pytest.raises(CommandError) as error:
        run("export_content", "--fixtures", str(tmp_path))
    assert "no content" in str(error.value) and not list(tmp_path.glob("*.json"))
    run("export_content", "--fixtures", str(tmp_path), "--force")
    assert (tmp_path / "letters.json").read_text(encoding="utf-8") == "[]\n"


def test_check_and_dry_run_write_nothing(synced, fixture_copy):
    before = snapshot()

    def retitle(data):
        data[0]["fields"]["title"] = "Only a proposal"

    edit_json(fixture_copy / "letters.json", retitle)
    output = run("reload_content", "--fixtures", str(fixture_copy), "--dry-run")
    assert "1 letter changed" in output and "changed: scenes.letter" in output
    run("reload_content", "--fixtures", str(fixture_copy), "--check")
    assert snapshot() == before


def test_a_dry_run_says_when_a_reload_would_refuse_and_only_then(synced, fixture_copy):
    def retitle(data):
        data[0]["fields"]["title"] = "Pulled from the repository"

    edit_json(fixture_copy / "letters.json", retitle)
    assert "would refuse" not in run("reload_content", "--fixtures", str(fixture_copy), "--dry-run")
    Scene.objects.filter(number=1).update(title="Edited in the admin")
    *listed, last = run("reload_content", "--fixtures", str(fixture_copy), "--dry-run").splitlines()
    assert "  changed: scenes.letter" in "\n".join(listed) and "  changed: scenes.scene" in "\n".join(listed)
    assert "would refuse" in last and "--force" in last and "export_content" in last
    assert "would refuse" not in run("reload_content", "--fixtures", str(fixture_copy), "--dry-run", "--force")


def test_load_content_reports_the_diff():
    report = load_content()
    assert str(report).startswith("26 locations") or "locations" in str(report)
    with pytest.raises(ContentError):
        load_content(fixtures_dir() / "nowhere")


def test_the_export_is_byte_identical_whatever_the_database_collation(synced, tmp_path):
    """Run by `make test-collations` on glibc en_US.UTF-8 and ICU en-US databases too, whose order is not byte
    order (glibc's even puts "excavators" before "excavator-who-makes-the-find", ignoring the hyphen)."""
    run("export_content", "--fixtures", str(tmp_path))
    for name in FIXTURE_MODELS:
        assert (tmp_path / f"{name}.json").read_bytes() == (fixtures_dir() / f"{name}.json").read_bytes(), name
    if os.environ.get("PG_COLLATION"):  # the database really does order otherwise, so the check means something
        with connection.cursor() as cursor:
            cursor.execute("SELECT word FROM (VALUES ('Zeta'), ('alpha')) AS words (word) ORDER BY word")
            assert [row[0] for row in cursor.fetchall()] == ["alpha", "Zeta"]  # byte order puts "Zeta" first
