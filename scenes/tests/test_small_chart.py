"""The home page's small narrative chart: the principals' lines, a link to the full chart, and a home page that
stays within its budget (40 KB, one query more than before the chart) at a hundred times the content."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from characters.models import Character
from scenes.scaling import multiply_content
from scenes.tests.test_timeline import SVG

pytestmark = pytest.mark.django_db

HOME = reverse("home")
MAX_HOME_BYTES = 40_000
HOME_QUERIES = 9  # 8 before the chart, and the chart's one


def small_chart_of(html):
    """The <a> around the small chart, parsed as XML (it must parse)."""
    start = html.index('<a class="small-chart__link"')
    return ET.fromstring(html[start : html.index("</a>", start) + len("</a>")])


def test_the_home_page_draws_a_line_per_principal_and_links_the_full_chart(client):
    html = client.get(HOME).content.decode()
    link = small_chart_of(html)
    assert link.get("href") == reverse("scenes:timeline")
    svg = link.find(f"{SVG}svg")
    assert svg.get("role") == "img" and svg.find(f"{SVG}title").text and svg.find(f"{SVG}desc").text
    drawn = [g.get("data-person") for g in svg.iter(f"{SVG}g") if g.get("data-person")]
    principals = Character.objects.filter(principal=True)
    assert sorted(drawn) == sorted(person.slug for person in principals)
    # The legend names each line and links the person.
    for person in principals:
        assert f'<a href="{person.get_absolute_url()}">{person.name}</a>' in html
    # A fate is marked for each principal whose fate scene is on the home page's chart (all of them here).
    assert len(list(svg.iter(f"{SVG}path"))) > len(drawn)
    assert html.count('class="small-chart__fate"') == principals.exclude(fate_scene=None).count()


def test_the_home_page_stays_within_its_budget_at_a_hundred_times_the_content(client):
    with CaptureQueriesContext(connection) as queries:
        client.get(HOME)
    assert len(queries) <= HOME_QUERIES
    multiply_content(99)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert len(queries) <= HOME_QUERIES, [q["sql"][:80] for q in queries]
    assert len(response.content) <= MAX_HOME_BYTES
    chart = response.context["small_chart"]
    assert 0 < len(chart["lines"]) <= 12
    small_chart_of(response.content.decode())
