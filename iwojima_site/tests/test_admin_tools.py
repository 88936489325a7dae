"""The admin as an editor's tool: fields typed as editors think of them, readable labels, "View on site" on
every record, and the "Recent changes" page."""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from characters.models import Character
from iwojima_site.models import Suggestion
from iwojima_site.records import SlugListField
from iwojima_site.source import SourceParagraphsField, paragraph_openings, plot_paragraphs
from scenes.models import Appearance, Flashback, Letter, Location, Scene

pytestmark = pytest.mark.django_db

CONTENT = [Character, Location, Scene, Appearance, Flashback, Letter]


@pytest.mark.parametrize(
    "typed, cleaned",
    [("3, 4", [3, 4]), ("3,4", [3, 4]), ("¶3 ¶4", [3, 4]), ("[3, 4]", [3, 4]), (" 30 ", [30]), ("3;\n4", [3, 4])],
)
def test_source_paragraphs_are_typed_as_numbers(typed, cleaned):
    assert SourceParagraphsField().clean(typed) == cleaned


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "required"),
        ("3, three", "“three” is not a paragraph number"),
        ("3, 31", "Paragraph 31 does not exist"),
        ("0", "Paragraph 0 does not exist"),
        ("3, 3", "Each paragraph is cited once"),
        ("9" * 5000, "is not a paragraph number"),
    ],
)
def test_source_paragraphs_that_do_not_exist_are_refused_with_a_reason(typed, message):
    with pytest.raises(ValidationError) as error:
        SourceParagraphsField().clean(typed)
    assert message in " ".join(error.value.messages)


def test_the_help_shows_the_first_words_of_every_paragraph():
    help_text = str(SourceParagraphsField().help_text)
    assert len(paragraph_openings()) == 30
    for number, opening in paragraph_openings():
        assert " ".join(plot_paragraphs()[number].split()).startswith(opening.removesuffix("…"))
        assert f"¶{number} " in help_text
    assert "<details>" in help_text and "<script" not in help_text


@pytest.mark.parametrize(
    "typed, cleaned",
    [
        ("", []),
        ("[]", []),
        ("old-title", ["old-title"]),
        ("old-title, older-title", ["old-title", "older-title"]),
        ("old-title\nolder-title\n", ["old-title", "older-title"]),
        ('["old-title"]', ["old-title"]),
    ],
)
def test_former_slugs_are_typed_one_a_line_or_with_commas(typed, cleaned):
    assert SlugListField(required=False).clean(typed) == cleaned


@pytest.mark.parametrize("typed", ["Old Title", "old_title", "old-title, old-title", "ünïcode"])
def test_a_former_slug_that_is_not_a_slug_is_refused(typed):
    with pytest.raises(ValidationError):
        SlugListField(required=False).clean(typed)


def scene_form_data(client, scene):
    """The scene's change form as the admin would post it back, inlines included."""
    response = client.get(reverse("admin:scenes_scene_change", args=[scene.pk]))
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {key: value for key, value in data.items() if value is not None}
    data["location"] = scene.location_id
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value not in (None, False):
                    data[inline_form.add_prefix(name)] = "on" if value is True else value
    return data


def test_an_editor_saves_a_scene_with_paragraphs_typed_as_3_4(admin_client):
    scene = Scene.objects.exclude(flashbacks__isnull=False).exclude(letters__isnull=False).order_by("number").first()
    data = scene_form_data(admin_client, scene)
    assert data["source_paragraphs"] == ", ".join(str(n) for n in scene.source_paragraphs)
    data["source_paragraphs"] = "¶2, 3"
    response = admin_client.post(reverse("admin:scenes_scene_change", args=[scene.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    scene.refresh_from_db()
    assert scene.source_paragraphs == [2, 3]

    data["source_paragraphs"] = "2, 99"
    response = admin_client.post(reverse("admin:scenes_scene_change", args=[scene.pk]), data)
    assert response.status_code == 200 and "Paragraph 99 does not exist" in response.content.decode()


def test_former_slugs_show_one_a_line_in_the_admin(admin_client):
    person = Character.objects.exclude(former_slugs=[]).first()
    html = admin_client.get(reverse("admin:characters_character_change", args=[person.pk])).content.decode()
    assert "\n".join(person.former_slugs) in html


def test_letters_in_a_scene_are_labelled_by_title_and_scene_not_as_objects(admin_client):
    letter = Letter.objects.filter(scenes__isnull=False).first()
    scene = letter.scenes.order_by("number").first()
    html = admin_client.get(reverse("admin:scenes_scene_change", args=[scene.pk])).content.decode()
    assert escape(f"“{letter.title}” in scene {scene.number}") in html
    assert "object (" not in html
    row = Letter.scenes.through.objects.get(letter=letter, scene=scene)
    assert str(row) == f"“{letter.title}” in scene {scene.number}"
    memory = Flashback.characters.through.objects.select_related("character", "flashback").first()
    assert str(memory) == f"{memory.character} in the memory “{memory.flashback}”"


@pytest.mark.parametrize("model", CONTENT, ids=lambda m: m.__name__)
def test_every_content_record_has_view_on_site_and_it_leads_to_a_live_page(model, admin_client):
    record = model.objects.first()
    info = model._meta.app_label, model._meta.model_name
    html = admin_client.get(reverse("admin:{}_{}_change".format(*info), args=[record.pk])).content.decode()
    assert "View on site" in html
    assert admin_client.get(record.get_absolute_url()).status_code == 200


def test_an_appearance_is_shown_on_its_scene_page():
    appearance = Appearance.objects.first()
    assert appearance.get_absolute_url() == appearance.scene.get_absolute_url()


# The "Recent changes" page.


def log(user, record, action, message=""):
    return LogEntry.objects.log_actions(user.pk, [record], action, change_message=message, single_object=True)


@pytest.fixture
def superuser():
    return User.objects.create_superuser("saigo", password="a-long-admin-password")


@pytest.fixture
def editor():
    user = User.objects.create_user("hanako", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_recent_changes_says_who_changed_what_and_when_with_links(client, superuser):
    scene = Scene.objects.order_by("number").first()
    log(superuser, scene, CHANGE, "Changed the summary.")
    client.force_login(superuser)
    response = client.get(reverse("admin:recent_changes"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "saigo" in html and "Changed" in html and "Changed the summary." in html
    assert reverse("admin:scenes_scene_change", args=[scene.pk]) in html
    on_site = reverse("admin:view_on_site", args=[LogEntry.objects.get().content_type_id, scene.pk])
    assert on_site in html
    assert client.get(on_site).url.endswith(scene.get_absolute_url())


def test_a_deleted_record_is_listed_without_dead_links(client, superuser):
    place = Location.objects.create(slug="nowhere", name="Nowhere", region="japan")
    log(superuser, place, ADDITION)
    log(superuser, place, DELETION)
    change_url = reverse("admin:scenes_location_change", args=[place.pk])
    place.delete()
    client.force_login(superuser)
    html = client.get(reverse("admin:recent_changes")).content.decode()
    assert html.count("Nowhere") == 2 and change_url not in html


def test_recent_changes_is_paged_newest_first(client, superuser):
    scenes = list(Scene.objects.order_by("number")[:3])
    for _ in range(20):
        for scene in scenes:
            log(superuser, scene, CHANGE, f"Edit to scene {scene.number}.")
    client.force_login(superuser)
    first = client.get(reverse("admin:recent_changes"))
    assert len(first.context["changes"]) == 50 and first.context["page_obj"].paginator.num_pages == 2
    times = [entry.action_time for entry, _admin_url, _site_url in first.context["changes"]]
    assert times == sorted(times, reverse=True)
    second = client.get(reverse("admin:recent_changes"), {"page": 2})
    assert len(second.context["changes"]) == 10
    assert client.get(reverse("admin:recent_changes"), {"page": "not-a-page"}).status_code == 200


def test_editors_see_content_changes_but_not_changes_to_users(client, superuser, editor):
    log(superuser, editor, CHANGE, "Gave a new password.")
    log(superuser, Location.objects.first(), CHANGE, "Renamed the place.")
    client.force_login(editor)
    html = client.get(reverse("admin:recent_changes")).content.decode()
    assert "Renamed the place." in html and "Gave a new password." not in html


def test_recent_changes_is_for_staff_only(client):
    response = client.get(reverse("admin:recent_changes"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_the_admin_index_links_to_recent_changes_and_open_suggestions(client, editor):
    Suggestion.objects.create(page="/cast/", text="One.")
    Suggestion.objects.create(page="/cast/", text="Two.", status="done")
    client.force_login(editor)
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:recent_changes") in html
    assert reverse("admin:iwojima_site_suggestion_changelist") in html and "(1 open)" in html


def test_the_recent_changes_page_reads_a_few_queries_whatever_the_page_holds(
    client, superuser, django_assert_max_num_queries
):
    for scene in Scene.objects.all():
        log(superuser, scene, CHANGE)
    for person in Character.objects.all()[:20]:
        log(superuser, person, CHANGE)
    client.force_login(superuser)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("admin:recent_changes")).status_code == 200


def test_a_scene_page_does_not_repeat_view_on_site_for_each_person_in_it(admin_client):
    scene = Scene.objects.filter(flashbacks__isnull=True, appearances__isnull=False).first()
    html = admin_client.get(reverse("admin:scenes_scene_change", args=[scene.pk])).content.decode()
    assert html.count(">View on site<") == 1
