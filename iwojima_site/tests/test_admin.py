"""The admin is the editors' tool: every page opens, and only for the right people."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from characters.models import Character
from iwojima_site.story import parts_as_text
from scenes.models import Appearance, Flashback, Letter, Location, Scene

pytestmark = pytest.mark.django_db

CONTENT = [Character, Location, Scene, Appearance, Flashback, Letter]


def person_form(person, **changes):
    """The admin's change form for a person as an editor sends it, with `changes` typed in."""
    data = {key: value for key, value in model_to_dict(person).items() if value is not None}
    data.update(
        former_slugs="\n".join(person.former_slugs),
        biography=parts_as_text(person.biography),
        fate_detail=parts_as_text(person.fate_detail),
    )
    data.update(changes)
    return {key: ("on" if value is True else value) for key, value in data.items() if value is not False}


def scene_form(scene, **changes):
    """The admin's change form for a scene as an editor sends it, its people, memories and letters left as they are,
    with `changes` typed in."""
    data = {key: value for key, value in model_to_dict(scene).items() if value is not None}
    data["source_paragraphs"] = ", ".join(map(str, scene.source_paragraphs))
    for inline in ("appearances", "flashbacks", "Letter_scenes"):
        data.update({f"{inline}-TOTAL_FORMS": 0, f"{inline}-INITIAL_FORMS": 0})
    data.update(changes)
    return data


def form_errors(response):
    """The error messages an admin form shows, as text."""
    return [str(error) for errors in response.context["adminform"].form.errors.values() for error in errors]


def admin_urls(model):
    info = model._meta.app_label, model._meta.model_name
    obj = model.objects.first()
    return [
        reverse("admin:{}_{}_changelist".format(*info)),
        reverse("admin:{}_{}_add".format(*info)),
        reverse("admin:{}_{}_change".format(*info), args=[obj.pk]),
    ]


@pytest.mark.parametrize("model", CONTENT, ids=lambda m: m.__name__)
def test_every_admin_page_opens_for_a_superuser(model, admin_client):
    for url in admin_urls(model):
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", CONTENT, ids=lambda m: m.__name__)
def test_anonymous_visitors_are_sent_to_the_login_page(model, client):
    for url in admin_urls(model):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login")), url


@pytest.mark.parametrize(
    "name, slug",
    [
        ("Kuribashi", "kuribayashi"),
        ("General Kuribayashi", "kuribayashi"),
        ("Ken Watanabe", "kuribayashi"),
        ("Baron Nishi", "nishi"),
    ],
)
def test_a_character_is_found_in_the_admin_by_any_other_name(admin_client, name, slug):
    """By a source spelling, an alias or the actor."""
    response = admin_client.get(reverse("admin:characters_character_changelist"), {"q": name})
    assert (
        reverse("admin:characters_character_change", args=[Character.objects.get(slug=slug).pk])
        in response.content.decode()
    )


def test_the_scene_page_edits_its_people_flashbacks_and_letters(admin_client):
    scene = Flashback.objects.first().scene
    html = admin_client.get(reverse("admin:scenes_scene_change", args=[scene.pk])).content.decode()
    assert "appearances-TOTAL_FORMS" in html and "flashbacks-TOTAL_FORMS" in html
    assert "Letter_scenes-TOTAL_FORMS" in html
    assert "View on site" in html


def test_an_editor_can_change_a_location(editor):
    place = Location.objects.first()
    url = reverse("admin:scenes_location_change", args=[place.pk])
    assert editor.get(url).status_code == 200
    data = {
        "slug": place.slug,
        "name": "A clearer name",
        "region": place.region,
        "description": parts_as_text(place.description),
    }
    assert editor.post(url, data).status_code == 302
    place.refresh_from_db()
    assert place.name == "A clearer name"


def test_an_editor_can_open_a_scene_to_change_it(editor):
    scene = Scene.objects.first()
    response = editor.get(reverse("admin:scenes_scene_change", args=[scene.pk]))
    assert response.status_code == 200 and 'name="_save"' in response.content.decode()


def test_an_editor_cannot_open_users_or_groups(editor):
    assert editor.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_an_editor_writes_a_biography_as_scene_stamped_parts_and_a_missing_scene_is_refused(admin_client):
    from django.forms.models import model_to_dict

    person = Character.objects.get(slug="ito")
    url = reverse("admin:characters_character_change", args=[person.pk])
    data = {key: value for key, value in model_to_dict(person).items() if value is not None}
    data.update(
        aliases=person.aliases,
        former_slugs="[]",
        biography="Scene 3: Hears the admiral out.\n\nScene 999: Never happens.",
        fate_detail="",
    )
    data = {key: ("on" if value is True else value) for key, value in data.items() if value is not False}
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "999" in response.content.decode()
    data["biography"] = "Scene 3: Hears the admiral out."
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    person.refresh_from_db()
    assert person.biography == [{"scene": 3, "text": "Hears the admiral out."}]


def test_a_principal_saved_as_a_group_is_told_what_to_fix(admin_client):
    saigo = Character.objects.get(slug="saigo")
    url = reverse("admin:characters_character_change", args=[saigo.pk])
    response = admin_client.post(url, person_form(saigo, is_group=True))
    assert response.status_code == 200
    assert form_errors(response) == [
        "A principal is one person the film follows, not a group: untick “principal” or “group”."
    ]
    saigo.refresh_from_db()
    assert not saigo.is_group


def test_a_fate_not_told_beside_a_fate_scene_is_refused(admin_client):
    # An editor's slip made Shimizu's page read "Fate: Not told — in scene 34 Shot in cold blood".
    shimizu = Character.objects.get(slug="shimizu")
    url = reverse("admin:characters_character_change", args=[shimizu.pk])
    response = admin_client.post(url, person_form(shimizu, fate="unknown"))
    assert response.status_code == 200
    assert form_errors(response) == [
        "A fate scene shows the fate, so it cannot be “Not told”: choose the fate it shows, or clear the fate scene."
    ]
    shimizu.refresh_from_db()
    assert shimizu.fate == "shot-after-surrendering"


@pytest.mark.parametrize("number", [-1, 0])
def test_a_scene_number_below_1_is_refused_once_as_counted_from_1(admin_client, number):
    scene = Scene.objects.get(number=3)
    response = admin_client.post(
        reverse("admin:scenes_scene_change", args=[scene.pk]), scene_form(scene, number=number)
    )
    assert form_errors(response) == ["Ensure this value is greater than or equal to 1."]
    assert 'min="1"' in response.content.decode()


@pytest.mark.parametrize("place", [-1, 0])
def test_a_credit_before_the_first_is_refused_saying_the_credits_count_from_1(admin_client, place):
    nishi = Character.objects.get(slug="nishi")
    url = reverse("admin:characters_character_change", args=[nishi.pk])
    response = admin_client.post(url, person_form(nishi, credit_order=place))
    assert form_errors(response) == [
        "The credits count from 1: give their place in the cast list, or leave it empty if uncredited."
    ]
    nishi.refresh_from_db()
    assert nishi.credit_order == 3


@pytest.mark.parametrize(
    "typed, saved, shown",
    [
        (",,", "", None),
        (" Baron Nishi ,, the baron\r\n\r\n", "Baron Nishi\nthe baron", "“Baron Nishi”, “the baron”"),
    ],
)
def test_aliases_are_typed_one_a_line_or_between_commas_and_none_is_empty(admin_client, typed, saved, shown):
    nishi = Character.objects.get(slug="nishi")
    url = reverse("admin:characters_character_change", args=[nishi.pk])
    assert admin_client.post(url, person_form(nishi, aliases=typed)).status_code == 302
    nishi.refresh_from_db()
    assert nishi.aliases == saved
    page = admin_client.get(nishi.get_absolute_url()).content.decode()
    assert "“”" not in page and "“,,”" not in page
    assert ("Also called" in page) == bool(shown) and (shown is None or shown in page)


def test_a_person_renamed_back_takes_the_old_slug_back_from_the_former_slugs(admin_client):
    """sam → sam-x → sam: the second rename is not refused as "a current slug cannot also be a former one"; the old
    address and the one in between both keep leading to the page."""
    person = Character.objects.get(slug="sam")
    url = reverse("admin:characters_character_change", args=[person.pk])
    assert admin_client.post(url, person_form(person, slug="sam-x")).status_code == 302
    person.refresh_from_db()
    assert person.slug == "sam-x" and "sam" in person.former_slugs
    response = admin_client.post(url, person_form(person, slug="sam"))
    assert response.status_code == 302, form_errors(response)
    person.refresh_from_db()
    assert person.slug == "sam" and "sam" not in person.former_slugs and "sam-x" in person.former_slugs
    assert admin_client.get("/characters/sam-x/")["Location"] == "/characters/sam/"
    # Listing its own slug among its former slugs without renaming is still refused.
    response = admin_client.post(url, person_form(person, former_slugs="sam\nsam-x"))
    assert response.status_code == 200 and "cannot also be a former one" in " ".join(form_errors(response))
