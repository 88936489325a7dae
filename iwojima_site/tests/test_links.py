"""What leaves the site: canonical links and link previews on every page, sitemap.xml, robots.txt, citations,
the links to each page's data, and the print stylesheet."""

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from characters.models import Character
from iwojima_site.pages import site_pages
from scenes.models import Flashback, Letter, Location, Scene

pytestmark = pytest.mark.django_db

PREVIEW_TAGS = ["og:title", "og:description", "og:url", "og:type", "og:site_name"]


def canonical_links(html):
    return re.findall(r'<link rel="canonical" href="([^"]*)">', html)


def meta(html, name):
    return re.findall(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', html)


def test_every_page_has_one_canonical_link_to_its_bare_address_and_its_preview_tags(client):
    for name, path in site_pages():
        html = client.get(path).content.decode()
        bare = path.split("?")[0]
        assert canonical_links(html) == [settings.SITE_URL + bare], name
        for tag in PREVIEW_TAGS + ["twitter:card", "twitter:title"]:
            assert len(meta(html, tag)) == 1 and meta(html, tag)[0], f"{name}: {tag}"
        assert meta(html, "og:url") == canonical_links(html)
        assert meta(html, "og:title")[0] in html.split("<title>")[1]


def test_addresses_come_from_the_configured_site_url(client, settings):
    settings.SITE_URL = "https://iwojima.example.org"
    scene = Scene.objects.get(number=2)
    html = client.get(scene.get_absolute_url()).content.decode()
    assert canonical_links(html) == [f"https://iwojima.example.org{scene.get_absolute_url()}"]
    body = client.get(reverse("api:scene-detail", args=[scene.slug])).json()
    assert body["url"] == f"https://iwojima.example.org{scene.get_absolute_url()}"


def test_sitemap_lists_every_record_page_and_the_lists(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = {loc.text for loc in ElementTree.fromstring(response.content).findall("s:url/s:loc", namespace)}
    for model in (Scene, Character, Letter, Flashback, Location):
        for record in model.objects.all():
            assert settings.SITE_URL + record.get_absolute_url() in locations, record
    # Every page of the site's own design at its bare address (no query), all but search's empty form.
    for name, path in site_pages():
        if "?" not in path and name != "search":
            assert settings.SITE_URL + path in locations, name


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    text = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in text and "Disallow: /admin/" in text


@pytest.mark.parametrize("kind", ["scene", "person"])
def test_scene_and_person_pages_offer_a_citation_the_browser_dates(client, kind):
    record = Scene.objects.get(number=2) if kind == "scene" else Character.objects.get(slug="kuribayashi")
    html = client.get(record.get_absolute_url()).content.decode()
    citation = re.search(r"<p class=\"cite__text\"[^>]*>(.*?)</p>", html, re.S).group(1)
    assert settings.SITE_URL + record.get_absolute_url() in citation
    assert "Letters from Iwo Jima, scene by scene" in citation
    # No date from the server: a cached page would carry a stale one. The reader's browser adds it.
    assert "Accessed" not in citation and "<span data-accessed></span>" in citation
    assert "js/cite.js" in html
    script = Path(finders.find("js/cite.js")).read_text(encoding="utf-8")
    assert "Accessed" in script and "clipboard" in script


def test_lists_and_records_link_their_data_keeping_the_filters(client):
    html = client.get(reverse("scenes:list"), {"character": "saigo", "period": "1945"}).content.decode()
    assert 'href="/api/scenes/?character=saigo&amp;period=1945"' in html
    assert 'href="/api/scenes/?character=saigo&amp;period=1945&amp;format=csv"' in html
    html = client.get(reverse("characters:detail", args=["kuribayashi"])).content.decode()
    assert 'href="/api/people/kuribayashi/"' in html and 'href="/api/people/kuribayashi/?format=csv"' in html


def test_the_print_stylesheet_hides_navigation_filters_and_forms():
    css = Path(finders.find("css/site.css")).read_text(encoding="utf-8")
    rules = " ".join(block for block in re.findall(r"@media print \{(.*?)\n\}", css, re.S))
    for selector in [".site-nav", ".listing__filters", "form", ".data-links", ".suggest-link", ".breadcrumb"]:
        assert selector in rules
