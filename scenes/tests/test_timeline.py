"""The narrative chart page (/timeline/): an SVG that parses, a line per charted person, a link per scene, bands
that keep people seen together side by side, fewer crossings than first-appearance order, few queries."""

import re
import time
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from characters.models import Character
from scenes.models import Scene
from scenes.scaling import multiply_content

pytestmark = pytest.mark.django_db

TIMELINE = reverse("scenes:timeline")
SVG = "{http://www.w3.org/2000/svg}"


def chart_of(response):
    """The chart's <svg> element, parsed as XML (it must parse)."""
    html = response.content.decode()
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return ET.fromstring(html[start:end])


def links(svg, css_class):
    return [a for a in svg.iter(f"{SVG}a") if css_class in a.get("class", "").split()]


def test_the_chart_parses_and_draws_a_line_per_charted_person_and_a_link_per_scene(client):
    response = client.get(TIMELINE)
    assert response.status_code == 200
    svg = chart_of(response)
    assert svg.find(f"{SVG}title").text and svg.find(f"{SVG}desc").text
    lines = links(svg, "chart__line")
    rows = response.context["rows"]
    assert [a.get("href") for a in lines] == [row["person"].get_absolute_url() for row in rows]
    assert len({a.get("data-person") for a in lines}) == len(lines)
    # By default: the principals and the named people seen in at least three scenes, no groups.
    people = {row["person"] for row in rows}
    assert set(Character.objects.filter(principal=True)) <= people
    assert not any(person.is_group for person in people)
    columns = [a.get("href") for a in links(svg, "chart__column")]
    assert columns == [scene.get_absolute_url() for scene in Scene.objects.order_by("number")]


def test_every_mark_is_a_link_with_a_text_label(client):
    svg = chart_of(client.get(TIMELINE, {"everyone": "1"}))
    marks = links(svg, "chart__mark")
    assert {a.get("class").split()[1] for a in marks} == {
        "chart__mark--letter",
        "chart__mark--flashback",
        "chart__mark--fate",
    }
    assert all(a.get("href") and a.find(f"{SVG}title").text for a in marks)


def test_two_people_seen_in_a_scene_are_adjacent_in_its_column(client):
    layout = client.get(TIMELINE).context["layout"]
    shimizu, saigo = Character.objects.get(slug="shimizu").pk, Character.objects.get(slug="saigo").pk
    shared = 0
    for column, order in zip(layout.columns, layout.orders, strict=True):
        for band in column.bands:
            # A band's people are next to one another, top to bottom, and its box spans exactly their lines.
            first = order.index(band.members[0])
            assert tuple(order[first : first + len(band.members)]) == band.members
            ys = [layout.line(person).y_at(column.index) for person in band.members]
            assert (band.top, band.bottom) == (min(ys), max(ys))
        band = next((band for band in column.bands if {shimizu, saigo} <= set(band.members)), None)
        if band:
            # Seen together: no line of someone outside the scene runs between them.
            assert abs(order.index(shimizu) - order.index(saigo)) < len(band.members)
            shared += 1
    assert shared > 3  # Saigo and Shimizu share a trench for much of the battle


def test_the_crossings_are_reported_and_fewer_than_by_first_appearance(client):
    response = client.get(TIMELINE)
    crossings, baseline = response.context["crossings"], response.context["baseline_crossings"]
    assert crossings < baseline
    assert f"Lines cross {crossings} times" in response.content.decode()
    everyone = client.get(TIMELINE, {"everyone": "1"}).context
    assert everyone["crossings"] <= everyone["baseline_crossings"]


def test_a_line_ends_at_the_persons_death_and_goes_on_after_a_capture(client):
    chart = client.get(TIMELINE).context["layout"]
    number = dict(Scene.objects.values_list("pk", "number"))

    def last_scene(slug):
        person = Character.objects.get(slug=slug)
        line = chart.line(person.pk)
        return number[chart.columns[line.end[0]].key], person.fate_scene.number

    ends, dies_in = last_scene("shimizu")
    assert ends == dies_in  # his body is seen in the next scene; his line stops at his death
    goes_on_to, captured_in = last_scene("saigo")
    assert goes_on_to > captured_in


def test_highlighting_and_everyone_are_in_the_address(client):
    response = client.get(TIMELINE, {"everyone": "1", "highlight": ["saigo", "nobody"]})
    svg = chart_of(response)
    highlighted = [a.get("data-person") for a in links(svg, "chart__line--highlighted")]
    assert highlighted == ["saigo"]
    assert len(response.context["rows"]) > len(client.get(TIMELINE).context["rows"])
    assert response.context["highlight"] == ["saigo"]


def test_a_part_of_the_film_shows_only_its_scenes(client):
    response = client.get(TIMELINE, {"part": "invasion"})
    numbers = [column["scene"].number for column in response.context["chart"]["columns"]]
    assert numbers == list(Scene.objects.filter(part="invasion").values_list("number", flat=True))


def notices_of(response):
    """The text of the notices above the chart ("" when there are none)."""
    found = re.search(r'<div class="notice" role="status">(.*?)</div>', response.content.decode())
    return found[1] if found else ""


def test_a_part_or_a_person_the_chart_cannot_show_is_said_so_above_it(client):
    assert notices_of(client.get(TIMELINE, {"part": "invasion", "highlight": "saigo"})) == ""
    unknown = client.get(TIMELINE, {"part": "99", "highlight": ["saigo", "nobody"]})
    assert unknown.status_code == 200
    assert "There is no part “99”: the chart shows the whole film." in notices_of(unknown)
    assert "so not highlighted: “nobody”." in notices_of(unknown)
    # Watching along, a part not reached yet; and a text of any length is repeated cut short.
    early = Scene.objects.filter(part="frame").order_by("number").first().number
    later = client.get(TIMELINE, {"part": "last-stand", "at": early, "highlight": "x" * 500})
    assert f"The last stand has no scenes up to scene {early}: the chart shows " in notices_of(later)
    assert "“" + "x" * 40 + "…”" in notices_of(later) and "x" * 41 not in notices_of(later)


@pytest.mark.parametrize(
    "query, notice",
    [
        ("page=abc", "There is no page “abc” of these scenes, which fill 1 page: the chart shows page 1."),
        ("page=00", "There is no page “00” of these scenes, which fill 1 page: the chart shows page 1."),
        ("page=7", "There is no page “7” of these scenes, which fill 1 page: the chart shows page 1."),
        ("part=frame&page=5", "There is no page “5” of these scenes, which fill 1 page: the chart shows page 1."),
        ("everyone=maybe", "“Everyone” is yes (1) or no, not “maybe”: the chart shows the principals and the people"),
    ],
)
def test_a_page_or_an_answer_the_chart_cannot_read_is_said_so_above_it(client, query, notice):
    """A list answers 404 for a page it does not have; the chart shows the page it has and says so."""
    response = client.get(f"{TIMELINE}?{query}")
    assert response.status_code == 200 and notice in notices_of(response)


def test_everyone_reads_yes_as_the_box_ticked(client):
    ticked = client.get(TIMELINE, {"everyone": "1"}).context
    response = client.get(TIMELINE, {"everyone": "yes"})
    assert response.context["everyone"] and notices_of(response) == ""
    assert len(response.context["chart"]["lines"]) == len(ticked["chart"]["lines"])
    assert not client.get(TIMELINE, {"everyone": "no"}).context["everyone"]


def test_a_page_or_a_horizon_written_otherwise_is_sent_to_its_plain_digits(client):
    """`page=01` is page 1: the chart's address says so as int() writes it, rather than showing page 1 with a notice
    that it has no page “01”, at an address of its own (another cache entry, another ETag)."""
    response = client.get(TIMELINE + "?part=frame&page=01&everyone=1&at=%2B0")
    assert response.status_code == 400  # a horizon that names no scene keeps its 400, before any clean-up
    response = client.get(TIMELINE + "?part=frame&page=01&everyone=1&at=07")
    assert response.status_code == 302 and response.url == TIMELINE + "?part=frame&page=1&everyone=1&at=7"
    assert notices_of(client.get(response.url)) == ""


def test_a_parameter_the_chart_does_not_read_is_dropped_from_its_address(client):
    response = client.get(TIMELINE + "?part=frame&charcter=saigo&everyone=&page=1")
    assert response.status_code == 302 and response.url == TIMELINE + "?part=frame&page=1"
    story = reverse("scenes:story_chart")
    response = client.get(story + "?part=frame&at=12")
    assert response.status_code == 302 and response.url == story + "?at=12"


def test_the_scene_list_filtered_by_people_links_to_the_chart_with_them_highlighted(client):
    html = client.get(reverse("scenes:list"), {"character": ["saigo", "shimizu"]}).content.decode()
    assert f'href="{TIMELINE}?highlight=saigo&amp;highlight=shimizu"' in html


def test_the_chart_stays_bounded_at_a_hundred_times_the_content(client):
    multiply_content(99)
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(TIMELINE)
    assert response.status_code == 200
    assert len(queries) <= 12, [q["sql"][:80] for q in queries]
    assert time.monotonic() - started < 10
    # More than 60 scenes: one part at a time (the first), and at most 40 lines.
    assert response.context["part"] == "frame"
    assert len(response.context["chart"]["columns"]) <= 60
    assert len(response.context["chart"]["lines"]) <= 40
    chart_of(response)
    # The rest of the part, a page at a time, each page in the address; the last page has no "later".
    frame = list(Scene.objects.filter(part="frame").order_by("number").values_list("number", flat=True))
    assert response.context["pages"] == -(-len(frame) // 60) > 1
    assert response.context["next_url"] == f"{TIMELINE}?page=2" and response.context["previous_url"] is None
    with CaptureQueriesContext(connection) as queries:
        second = client.get(TIMELINE, {"part": "frame", "page": "2", "highlight": "saigo"})
    assert len(queries) <= 12
    assert [column["scene"].number for column in second.context["chart"]["columns"]] == frame[60:120]
    assert "page=1" not in second.context["previous_url"] and "highlight=saigo" in second.context["previous_url"]
    last = client.get(TIMELINE, {"page": "999"}).context
    assert last["page"] == last["pages"] and last["next_url"] is None


def seen_in(slug):
    """{scene pk} where the person is on screen or in a memory shown there, read straight from the tables."""
    person = Character.objects.get(slug=slug)
    on_screen = set(person.appearances.filter(on_screen=True).values_list("scene", flat=True))
    return on_screen | set(person.flashbacks.values_list("scene", flat=True))


def test_a_person_page_shows_their_scenes_across_the_film_and_whom_they_share_most_scenes_with(client):
    shimizu = Character.objects.get(slug="shimizu")
    response = client.get(shimizu.get_absolute_url())
    strip, companions = response.context["strip"], response.context["companions"]
    assert strip["total"] == Scene.objects.count()
    assert [scene.number for _x, scene, _seen in strip["marks"]] == [
        scene.number for scene, _ways in response.context["scenes"]
    ]
    html = response.content.decode()
    assert f'from <a href="{strip["first"].get_absolute_url()}">scene {strip["first"].number}' in html
    # The top five individuals by scenes seen together, each count checked against the tables.
    assert 0 < len(companions) <= 5
    mine = seen_in("shimizu")
    counts = [count for _person, count in companions]
    assert counts == sorted(counts, reverse=True)
    for person, count in companions:
        assert not person.is_group and count == len(mine & seen_in(person.slug))
    assert companions[0][0].slug == "saigo"
    assert "Shares most scenes with" in html
