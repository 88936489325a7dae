"""Home, search and error pages; titles; the number of queries every page makes."""

import re
from datetime import date

import pytest
from django.urls import reverse

from characters.models import Character
from iwojima_site.film import FILM_FACTS
from iwojima_site.pages import site_pages
from iwojima_site.source import PLOT_SUMMARY
from iwojima_site.tests.reading import links, read, text, title
from iwojima_site.views import contributor_credit
from scenes.models import Flashback, Letter, Part, Scene

pytestmark = pytest.mark.django_db


def test_home_page_introduces_the_site_and_links_every_scene(client):
    response = client.get("/")
    page, page_links = text(response), links(response)
    assert response.status_code == 200
    assert f"{Scene.objects.count()} scenes" in " ".join(page.split())
    assert f"{Character.objects.filter(is_group=False).count()} people" in " ".join(page.split())
    assert f"{Letter.objects.count()} letters" in " ".join(page.split())
    assert f"{Flashback.objects.count()} flashbacks" in " ".join(page.split())
    assert all(scene.get_absolute_url() in page_links for scene in Scene.objects.all())
    for part in Part:
        assert part.label in page
    for person in Character.objects.filter(principal=True):
        assert person.get_absolute_url() in page_links
    assert 'role="search"' in response.content.decode()


def test_every_year_a_page_states_is_one_the_sources_give(client):
    """A year is a fact: the plot summary's (1911, 1932) and the film's published facts (1945, 2006) are the only
    ones, so "1944, before the invasion" (the summary says only "just before the invasion") may not be shown."""
    year = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
    given = set(year.findall(PLOT_SUMMARY.read_text(encoding="utf-8")))
    given |= {found for _label, value in FILM_FACTS for found in year.findall(value)}
    assert given == {"1911", "1932", "1945", "2006"}
    paths = [path for _name, path in site_pages()] + [scene.get_absolute_url() for scene in Scene.objects.all()]
    for path in paths:
        stated = set(year.findall(text(client.get(path)))) - {str(date.today().year)}  # a citation's access date
        assert stated <= given, (path, stated - given)


def test_home_page_credits_the_plot_summary_and_warns_of_spoilers(client):
    page = text(client.get("/"))
    assert contributor_credit() == "NOTE: This spoiler sent in by Steve K."
    assert "Steve K." in page and "Spoiler warning" in page


@pytest.mark.parametrize(
    "spelling", ["Kuribashi", "Kuribachi", "Kuribayashi", "kuribayashi", "Tadamichi", "the general"]
)
def test_search_finds_the_general_by_every_name(client, spelling):
    response = client.get(reverse("search"), {"q": spelling})
    assert reverse("characters:detail", args=["kuribayashi"]) in links(response)


def test_search_finds_every_person_by_every_alias(client):
    for person in Character.objects.all():
        for alias in person.alias_list:
            response = client.get(reverse("search"), {"q": alias})
            assert person.get_absolute_url() in links(response), f"{alias!r} should find {person}"


def test_search_results_are_grouped_by_kind_with_counts(client):
    response = client.get(reverse("search"), {"q": "letter"})
    page = " ".join(text(response).split())
    groups = {group["label"]: group["count"] for group in response.context["groups"]}
    assert groups["Letters"] == Letter.objects.filter(title__icontains="letter").count() + (
        Letter.objects.exclude(title__icontains="letter").filter(summary__icontains="letter").count()
    )
    for label, count in groups.items():
        if count:
            assert f"{label} ({count})" in page
    assert f"{sum(groups.values())} results" in page


def test_search_with_no_results_helps(client):
    response = client.get(reverse("search"), {"q": "submarine"})
    assert response.status_code == 200
    assert "0 results" in text(response) and reverse("scenes:list") in links(response)


def test_search_with_no_query_shows_the_box(client):
    response = client.get(reverse("search"))
    assert response.status_code == 200 and 'name="q"' in response.content.decode()


@pytest.mark.parametrize("query", ["x" * 5000, "Saigo\x00"])
def test_bad_search_gets_a_form_error(client, query):
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 400
    assert read(response).h1s and "field-error" in response.content.decode()


def all_page_urls():
    return [path for _name, path in site_pages()]


def test_every_page_has_one_h1_a_unique_title_and_a_breadcrumb(client):
    titles = {}
    for url in all_page_urls():
        response = client.get(url)
        page = read(response)
        assert response.status_code == 200, url
        assert len(page.h1s) == 1, url
        assert title(response) not in titles, f"{url} has the same title as {titles.get(title(response))}"
        titles[title(response)] = url
        if url != "/":
            assert 'aria-label="Breadcrumb"' in response.content.decode(), url


def test_a_scene_page_title_names_the_scene(client):
    scene = Scene.objects.get(number=2)
    assert title(client.get(scene.get_absolute_url())).startswith(f"Scene 2: {scene.title}")


def test_every_page_stays_within_12_queries_on_the_real_content(client, django_assert_max_num_queries):
    for url in all_page_urls():
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200, url


def test_search_summary_counts_each_kind_in_words(client):
    response = client.get(reverse("search"), {"q": "Shimizu"})
    groups = {group["label"]: group["count"] for group in response.context["groups"]}
    page = " ".join(text(response).split())
    assert groups["People"] >= 1
    people = "1 person" if groups["People"] == 1 else f"{groups['People']} people"
    assert people in page
    assert not any(f" 0 {kind}" in page for kind in ("scenes", "people", "letters", "flashbacks"))
