"""The source page and its citations, the cast list, and old addresses that keep working."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from characters.models import Character
from iwojima_site.tests.reading import links, read, text
from scenes.models import Flashback, Letter, Location, Scene
from scenes.tests.factories import make_character, make_flashback, make_letter, make_scene

pytestmark = pytest.mark.django_db

SOURCE = reverse("source")


def test_the_source_page_gives_every_paragraph_an_anchor_and_the_contributors_credit(client):
    html = client.get(SOURCE).content.decode()
    assert set(re.findall(r'id="p(\d+)"', html)) == {str(n) for n in range(1, 31)}
    assert "Steve K." in html


def test_every_citation_links_to_an_existing_paragraph_anchor(client):
    anchors = set(re.findall(r'id="(p\d+)"', client.get(SOURCE).content.decode()))
    records = [*Scene.objects.all(), *Flashback.objects.all(), *Letter.objects.all()]
    for record in records:
        cited = {
            link.split("#")[1] for link in links(client.get(record.get_absolute_url())) if link.startswith(SOURCE + "#")
        }
        assert cited == {f"p{n}" for n in record.source_paragraphs}, record
        assert cited <= anchors


def test_the_source_lists_the_scenes_drawn_from_each_paragraph(client):
    page_links = links(client.get(SOURCE))
    assert all(scene.get_absolute_url() in page_links for scene in Scene.objects.all())


def test_the_cast_lists_the_credits_in_order_with_each_character(client):
    response = client.get(reverse("cast"))
    cast = list(Character.objects.exclude(credit_order=None).order_by("credit_order"))
    assert [person.credit_order for person in cast] == list(range(1, len(cast) + 1)) and len(cast) >= 14
    page = " ".join(text(response).split())
    positions = [page.index(person.actor) for person in cast]
    assert positions == sorted(positions), "actors in credit order"
    page_links = links(response)
    assert all(person.get_absolute_url() in page_links for person in cast)


def test_the_cast_is_linked_from_home_and_the_people_list(client):
    for url in (reverse("home"), reverse("characters:list")):
        assert reverse("cast") in links(client.get(url)), url


def test_the_home_page_has_the_films_facts(client):
    page = " ".join(text(client.get(reverse("home"))).split())
    for fact in (
        "Clint Eastwood",
        "Iris Yamashita",
        "Paul Haggis",
        "2006",
        "Japanese",
        "Flags of Our Fathers",
        "19 February 1945",
    ):
        assert fact in page, fact


def test_a_credited_person_absent_from_the_events_says_so_and_lists_no_scene(client):
    for person in Character.objects.filter(credited_only=True):
        page = " ".join(text(client.get(person.get_absolute_url())).split())
        assert "in the film’s credits" in page and person.actor in page
        assert not person.appearances.exists() and not person.flashbacks.exists()


@pytest.mark.parametrize("kind", ["scene", "person", "letter", "flashback"])
def test_a_former_slug_answers_301_to_the_page_that_answers_200(client, kind):
    person = make_character()
    scene = make_scene(people=[person])
    record = {
        "scene": scene,
        "person": person,
        "letter": make_letter(scenes=[scene]),
        "flashback": make_flashback(scene, person),
    }[kind]
    old_url = record.get_absolute_url()
    record.former_slugs, record.slug = [record.slug], f"{record.slug}-renamed"
    record.full_clean()
    record.save()
    # Watching along from the record's scene on: a record still to come is not redirected to (test_watch_along).
    response = client.get(f"{old_url}?at={scene.number}")
    assert response.status_code == 301 and response.url == f"{record.get_absolute_url()}?at={scene.number}"
    assert client.get(response.url).status_code == 200


def test_every_former_slug_in_the_content_redirects_to_a_live_page(client):
    redirected = 0
    for model in (Character, Scene, Letter, Flashback, Location):
        for record in model.objects.exclude(former_slugs=[]):
            for slug in record.former_slugs:
                url = record.get_absolute_url().replace(f"/{record.slug}/", f"/{slug}/")
                response = client.get(url)
                assert response.status_code == 301 and client.get(response.url).status_code == 200, url
                redirected += 1
    assert redirected >= 14, "the merged scenes and renamed groups keep their old addresses"


def test_an_unknown_slug_is_still_404(client):
    assert client.get(reverse("scenes:detail", args=["no-such-scene"])).status_code == 404


@pytest.mark.parametrize("slug", ["Upper_Case", "under_score", "two--hyphens", "-leading"])
def test_a_slug_is_what_a_former_slug_may_be(slug):
    # Else the admin kept it among the former slugs at a rename, and the record could no longer be saved.
    scene = make_scene()
    scene.slug = slug
    with pytest.raises(ValidationError) as error:
        scene.full_clean()
    assert "is not a slug: use lowercase letters" in error.value.message_dict["slug"][0]


def test_a_former_slug_cannot_be_another_records_slug():
    first, second = make_scene(), make_scene()
    second.former_slugs = [first.slug]
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "former_slugs" in error.value.message_dict
    first.former_slugs = ["old-name"]
    first.save()
    second.former_slugs, second.slug = [], "old-name"
    with pytest.raises(ValidationError):
        second.full_clean()


def test_location_former_slugs_are_validated():
    place = Location.objects.first()
    place.former_slugs = ["Not A Slug"]
    with pytest.raises(ValidationError):
        place.full_clean()


def test_every_place_has_a_page_listing_its_scenes_in_order(client):
    page_links = links(client.get(reverse("scenes:place_list")))
    for place in Location.objects.prefetch_related("scenes"):
        assert place.get_absolute_url() in page_links
        response = client.get(place.get_absolute_url())
        scene_urls = [scene.get_absolute_url() for scene in place.scenes.order_by("number")]
        linked = [link for link in read(response).links if link in scene_urls]
        assert linked == scene_urls, place


def test_a_scene_page_links_its_place(client):
    scene = Scene.objects.select_related("location").first()
    assert scene.location.get_absolute_url() in links(client.get(scene.get_absolute_url()))


def test_a_shared_list_link_that_chooses_someone_by_a_former_slug_leads_to_the_same_list_today(client):
    nishi = Character.objects.get(slug="nishi")
    nishi.former_slugs, nishi.slug = [*nishi.former_slugs, "nishi"], "baron-nishi"
    nishi.full_clean()
    nishi.save()
    response = client.get("/scenes/", {"character": ["saigo", "nishi"], "period": "1945"})
    assert response.status_code == 301
    assert response.url == "/scenes/?character=saigo&character=baron-nishi&period=1945"
    assert client.get(response.url).status_code == 200
    assert client.get("/scenes/", {"character": "nobody-ever"}).status_code == 400  # a slug no one had
    response = client.get("/api/people/nishi/")
    assert response.status_code == 301 and response.url == "/api/people/baron-nishi/"


@pytest.mark.parametrize(
    "address, moved",
    [
        (
            "/scenes/facets/character/?character=sam&period=1945",
            "/scenes/facets/character/?character=sam-the-prisoner&period=1945",
        ),
        ("/letters/facets/writer/?writer=sam", "/letters/facets/writer/?writer=sam-the-prisoner"),
        ("/letters/facets/recipient/?recipient=sam", "/letters/facets/recipient/?recipient=sam-the-prisoner"),
        ("/flashbacks/facets/character/?character=sam", "/flashbacks/facets/character/?character=sam-the-prisoner"),
        ("/flashbacks/facets/rememberer/?rememberer=sam", "/flashbacks/facets/rememberer/?rememberer=sam-the-prisoner"),
        (
            "/timeline/?highlight=saigo&highlight=sam&part=invasion",
            "/timeline/?highlight=saigo&highlight=sam-the-prisoner&part=invasion",
        ),
        # Named by the old slug and the new one: once, in one redirect.
        ("/timeline/?highlight=sam&highlight=sam-the-prisoner", "/timeline/?highlight=sam-the-prisoner"),
        ("/api/scenes/?character=sam", "/api/scenes/?character=sam-the-prisoner"),
        ("/api/letters/?writer=sam&format=csv", "/api/letters/?writer=sam-the-prisoner&format=csv"),
    ],
)
def test_every_address_that_chooses_someone_by_a_former_slug_answers_301_to_it_by_the_slug_now(client, address, moved):
    sam = Character.objects.get(slug="sam")
    sam.former_slugs, sam.slug = [*sam.former_slugs, "sam"], "sam-the-prisoner"
    sam.full_clean()
    sam.save()
    response = client.get(address)
    assert response.status_code == 301
    assert response.url == moved
    assert client.get(moved).status_code == 200
    # A slug no one ever had is still the form's error (a chart says it does not draw it): nothing to follow.
    assert client.get(address.replace("sam", "nobody-ever")).status_code in (200, 400)
