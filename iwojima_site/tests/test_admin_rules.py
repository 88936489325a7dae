"""One set of rules: every admin save and delete holds the content to the rules a reload enforces, so that
whatever an editor does in the admin either is refused with a message or exports to fixtures that reload."""

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from characters.models import DEATHS, Character
from iwojima_site.tests.test_admin import form_errors, person_form, scene_form
from scenes.content import export_content, load_content
from scenes.models import Appearance, Flashback, Letter, Scene

pytestmark = pytest.mark.django_db


def appearance_form(appearance, **changes):
    data = {
        "scene": appearance.scene_id,
        "character": appearance.character_id,
        "on_screen": appearance.on_screen,
        "voice_over": appearance.voice_over,
        "mentioned": appearance.mentioned,
        **changes,
    }
    return {key: ("on" if value is True else value) for key, value in data.items() if value is not False}


def error_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request) if message.level_tag == "error"]


def shimizu_in_his_confession():
    memory = Flashback.objects.get(rememberer__slug="shimizu")
    return Appearance.objects.get(scene=memory.scene, character__slug="shimizu")


def test_an_editor_cannot_make_a_rememberer_merely_mentioned_in_the_scene_of_his_memory(admin_client):
    appearance = shimizu_in_his_confession()
    url = reverse("admin:scenes_appearance_change", args=[appearance.pk])
    response = admin_client.post(url, appearance_form(appearance, on_screen=False, voice_over=False, mentioned=True))
    assert response.status_code == 302
    assert any("Shimizu" in message and "not in scene" in message for message in error_messages(response))
    appearance.refresh_from_db()
    assert appearance.on_screen


def test_an_editor_cannot_delete_the_appearance_a_memory_needs(admin_client):
    appearance = shimizu_in_his_confession()
    response = admin_client.post(reverse("admin:scenes_appearance_delete", args=[appearance.pk]), {"post": "yes"})
    assert error_messages(response) and Appearance.objects.filter(pk=appearance.pk).exists()


def test_an_editor_cannot_set_a_fate_scene_the_person_is_not_in(admin_client):
    okubo = Character.objects.get(slug="okubo")
    elsewhere = Scene.objects.exclude(appearances__character=okubo).exclude(flashbacks__characters=okubo).first()
    data = {key: value for key, value in model_to_dict(okubo).items() if value is not None}
    data.update(fate_scene=elsewhere.pk, former_slugs="[]", biography="", fate_detail="")
    data = {key: ("on" if value is True else value) for key, value in data.items() if value is not False}
    response = admin_client.post(reverse("admin:characters_character_change", args=[okubo.pk]), data)
    assert response.status_code == 200 and "is not in scene" in response.content.decode()
    okubo.refresh_from_db()
    assert okubo.fate_scene.slug == "the-night-march"


def test_an_editor_cannot_stamp_a_fate_note_before_the_fate_scene(admin_client):
    fujita = Character.objects.get(slug="fujita")
    note = fujita.fate_detail
    data = person_form(fujita, fate_detail="Scene 6: Shot by a sniper.")
    response = admin_client.post(reverse("admin:characters_character_change", args=[fujita.pk]), data)
    assert response.status_code == 200
    assert "a part is stamped scene 6, before the fate scene (42. The general" in response.content.decode()
    fujita.refresh_from_db()
    assert fujita.fate_detail == note
    page = admin_client.get("/characters/fujita/?at=10").content.decode()
    assert "Shot by a sniper" not in page and note[0]["text"] not in page


def test_an_editor_cannot_move_a_fate_scene_after_the_fate_note(admin_client):
    scene = Scene.objects.get(number=42)
    response = admin_client.post(reverse("admin:scenes_scene_change", args=[scene.pk]), scene_form(scene, number=9000))
    assert any("Fujita" in message and "before the fate scene" in message for message in error_messages(response))
    scene.refresh_from_db()
    assert scene.number == 42


def record_form(record, related, **changes):
    """The admin's change form for a letter or a memory as an editor sends it: its many-to-many field `related` as
    keys, with `changes` typed in."""
    data = {key: value for key, value in model_to_dict(record).items() if value is not None}
    data.update(
        former_slugs="\n".join(record.former_slugs),
        source_paragraphs=", ".join(map(str, record.source_paragraphs)),
    )
    data[related] = [other.pk for other in getattr(record, related).all()]
    data.update(changes)
    return data


def letter_form(letter, **changes):
    return record_form(letter, "scenes", **changes)


def flashback_form(memory, **changes):
    return record_form(memory, "characters", **changes)


def test_a_letter_cannot_be_written_to_its_own_writer(admin_client):
    letter = Letter.objects.get(slug="saigos-last-letter")
    url = reverse("admin:scenes_letter_change", args=[letter.pk])
    assert admin_client.post(url, letter_form(letter)).status_code == 302  # as it is, it saves
    response = admin_client.post(url, letter_form(letter, recipient=letter.writer_id))
    assert response.status_code == 200
    assert form_errors(response) == ["Saigo wrote it: the recipient is someone else."]
    letter.refresh_from_db()
    assert letter.recipient.slug == "hanako"


def test_no_one_writes_a_letter_in_a_scene_after_their_death(admin_client):
    letter = Letter.objects.get(slug="kuribayashis-letter-to-his-son")  # heard in voice-over in scene 42, his death
    url = reverse("admin:scenes_letter_change", args=[letter.pk])
    later = list(Scene.objects.filter(number__in=[43, 44]).values_list("pk", flat=True))
    response = admin_client.post(url, letter_form(letter, scenes=[*letter_form(letter)["scenes"], *later]))
    assert response.status_code == 200
    assert form_errors(response) == ["Kuribayashi dies in scene 42, so writes no letter in scenes 43, 44."]
    assert list(letter.scenes.values_list("number", flat=True)) == [42]
    # Nor may his death move before a scene in which he writes: every save is held to the rules a reload enforces.
    kuribayashi = Character.objects.get(slug="kuribayashi")
    earlier = Scene.objects.filter(
        appearances__character=kuribayashi, appearances__on_screen=True, number__range=(4, 41)
    )
    response = admin_client.post(
        reverse("admin:characters_character_change", args=[kuribayashi.pk]),
        person_form(kuribayashi, fate_scene=earlier.order_by("number").last().pk),
    )
    assert any(
        "dies in scene" in message and "writes no letter in scene 42" in message for message in error_messages(response)
    )
    kuribayashi.refresh_from_db()
    assert kuribayashi.fate_scene.number == 42
    # A death told by the fate note alone (no fate scene) counts from the note's first scene.
    kashiwara = Character.objects.get(slug="kashiwara")
    assert kashiwara.fate in DEATHS and kashiwara.fate_scene is None
    died = kashiwara.death_scene_number()
    after = Scene.objects.get(number=died + 1)
    response = admin_client.post(url, letter_form(letter, writer=kashiwara.pk, scenes=[after.pk]))
    assert form_errors(response) == [f"Kashiwara dies in scene {died}, so writes no letter in scene {died + 1}."]
    # Read aloud or found, a letter may outlive its writer.
    response = admin_client.post(url, letter_form(letter, presentation="found", scenes=later))
    assert response.status_code == 302 and sorted(letter.scenes.values_list("number", flat=True)) == [43, 44]


def test_a_memory_has_its_rememberer_among_its_people(admin_client):
    memory = Flashback.objects.get(slug="the-day-saigo-was-drafted")
    url = reverse("admin:scenes_flashback_change", args=[memory.pk])
    others = [pk for pk in flashback_form(memory)["characters"] if pk != memory.rememberer_id]
    response = admin_client.post(url, flashback_form(memory, characters=others))
    assert response.status_code == 200
    assert form_errors(response) == ["Saigo remembers it, so they are among the people in it; add them to it."]
    assert memory.characters.filter(pk=memory.rememberer_id).exists()
    assert admin_client.post(url, flashback_form(memory)).status_code == 302


# --- Property: random sequences of admin edits ----------------------------------------------------------------

EDITS = st.lists(
    st.tuples(
        st.sampled_from(["delete_appearance", "mention_only", "delete_letter", "delete_scene", "delete_flashback"]),
        st.integers(min_value=0, max_value=10_000),
    ),
    min_size=1,
    max_size=4,
)


def apply(client, edit, pick):
    """Make one edit through the admin, as an editor would; returns the response."""
    if edit in ("delete_appearance", "mention_only"):
        appearances = list(Appearance.objects.order_by("pk"))
        appearance = appearances[pick % len(appearances)]
        if edit == "mention_only":
            url = reverse("admin:scenes_appearance_change", args=[appearance.pk])
            return client.post(url, appearance_form(appearance, on_screen=False, voice_over=False, mentioned=True))
        return client.post(reverse("admin:scenes_appearance_delete", args=[appearance.pk]), {"post": "yes"})
    model = {"delete_letter": Letter, "delete_scene": Scene, "delete_flashback": Flashback}[edit]
    records = list(model.objects.order_by("pk"))
    if not records:
        return None
    record = records[pick % len(records)]
    return client.post(reverse(f"admin:scenes_{model._meta.model_name}_delete", args=[record.pk]), {"post": "yes"})


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_any_sequence_of_admin_edits_is_refused_or_exports_fixtures_that_reload(admin_client, tmp_path_factory, edits):
    with transaction.atomic():
        for edit, pick in edits:
            before = Appearance.objects.count() + Letter.objects.count() + Scene.objects.count()
            admin_client.cookies.pop("messages", None)  # only this edit's messages count
            response = apply(admin_client, edit, pick)
            if response is None:
                continue
            assert response.status_code in (200, 302), (edit, response.status_code)
            if error_messages(response):  # refused: nothing changed
                assert Appearance.objects.count() + Letter.objects.count() + Scene.objects.count() == before
        directory = tmp_path_factory.mktemp("export")
        export_content(directory)
        load_content(directory, commit=False)  # raises ContentError if the export would not reload
        transaction.set_rollback(True)
