"""The screen-order/story-order page (/timeline/story/): an SVG that parses, a link per scene and memory, the
frame and the memories in the right bands, the same facts in a table, and a bounded page at any size."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iwojima_site.tests.reading import links as page_links
from iwojima_site.tests.reading import text
from scenes.models import Flashback, Scene
from scenes.scaling import multiply_content
from scenes.tests.test_timeline import SVG, chart_of, links, notices_of

pytestmark = pytest.mark.django_db

STORY = reverse("scenes:story_chart")


def test_the_chart_parses_and_links_each_scene_and_each_memory_in_screen_order(client):
    response = client.get(STORY)
    assert response.status_code == 200
    svg = chart_of(response)
    assert svg.find(f"{SVG}title").text and svg.find(f"{SVG}desc").text
    scenes = [a.get("href") for a in links(svg, "story__scene")]
    assert scenes == [scene.get_absolute_url() for scene in Scene.objects.order_by("number")]
    memories = [a.get("href") for a in links(svg, "story__memory")]
    assert memories == [memory.get_absolute_url() for memory in Flashback.objects.in_screen_order()]
    # Every mark is focusable (a link) with a text label.
    assert all(a.find(f"{SVG}title").text for a in links(svg, "story__scene") + links(svg, "story__memory"))


def band_of(response, item):
    """The band label of a scene's or a memory's row in the chart's facts."""
    return next(row["band"] for row in response.context["chart"]["rows"] if item in (row["scene"], row["memory"]))


def test_the_frame_a_scene_of_the_war_and_a_memory_sit_in_their_bands(client):
    response = client.get(STORY)
    first, last = Scene.objects.order_by("number").first(), Scene.objects.order_by("number").last()
    assert band_of(response, first) == band_of(response, last) == "The present day: the excavation"
    assert band_of(response, Scene.objects.get(slug="the-newcomer")) == "Before the invasion"
    assert band_of(response, Scene.objects.get(slug="shot-in-cold-blood")) == "The battle, from 19 February 1945"
    memory = Flashback.objects.get(slug="the-day-saigo-was-drafted")
    assert band_of(response, memory) == "Earlier years, which the memories reach"
    # Each memory is a jump back in time, and the film comes forward again after it.
    rows = response.context["chart"]["rows"]
    for n, row in enumerate(rows):
        if row["memory"]:
            assert row["jump"] == "jumps back in time"
            assert rows[n + 1]["memory"] or rows[n + 1]["jump"] == "jumps forward in time"
    # The frame: back from the present into the war after the first scene, forward again at the last.
    assert rows[1]["jump"] == "jumps back in time" and rows[-1]["jump"] == "jumps forward in time"


def test_the_memories_share_one_level_marked_order_not_told_and_no_date_is_invented(client):
    response = client.get(STORY)
    memories = response.context["chart"]["memories"]
    assert len(memories) == Flashback.objects.count()
    assert len({mark["point"].y for mark in memories}) == 1
    assert all("order not told" in mark["label"] for mark in memories)
    html = response.content.decode()
    assert html.count("(order not told)") >= Flashback.objects.count()
    # The only date on the page is the battle's first day, which the film's facts give.
    years = set(re.findall(r"\b(1[89]\d\d|20\d\d)\b", text(response)))
    assert years <= {"1945", "2006"}, years


def test_the_two_charts_and_the_home_page_link_one_another(client):
    assert STORY in page_links(client.get(reverse("scenes:timeline")))
    assert reverse("scenes:timeline") in page_links(client.get(STORY))
    home = page_links(client.get(reverse("home")))
    assert STORY in home and reverse("scenes:timeline") in home


def test_the_chart_stays_bounded_at_a_hundred_times_the_content(client):
    multiply_content(99)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(STORY)
    assert response.status_code == 200
    assert len(queries) <= 6, [q["sql"][:80] for q in queries]
    chart = response.context["chart"]
    assert len(chart["scenes"]) == 60 and response.context["pages"] == -(-Scene.objects.count() // 60)
    chart_of(response)
    assert response.context["next_url"] == f"{STORY}?page=2"
    with CaptureQueriesContext(connection) as more:
        second = client.get(STORY, {"page": "2"})
    assert len(more) == len(queries)
    assert [column["scene"].number for column in second.context["chart"]["scenes"]] == list(range(61, 121))
    assert len(second.content) < 200_000


def test_a_page_the_chart_does_not_have_is_said_so_above_it(client):
    response = client.get(STORY, {"page": "99"})
    assert response.status_code == 200
    assert "There is no page “99” of these scenes, which fill 1 page: the chart shows page 1." in notices_of(response)
    assert notices_of(client.get(STORY, {"page": "1"})) == ""
