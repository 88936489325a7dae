"""The screen-order/story-order layout on its own, without Django: tiny hand-made films."""

import pytest

from scenes.storycurve import BAND_HEIGHT, STEP, Item, story_layout

BANDS = ["earlier", "before", "battle", "present"]

# A frame story: the present, back to the war (with a memory from before it), then the present again.
FILM = [
    Item(1, "present"),
    Item(2, "before"),
    Item(3, "before"),
    Item("m", "earlier", kind="memory", order_told=False),
    Item(4, "battle"),
    Item(5, "present"),
]


def test_screen_order_runs_across_and_story_order_down():
    chart = story_layout(FILM, BANDS)
    xs = [point.x for point in chart.points]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert all(b - a == STEP for a, b in zip(xs, xs[1:], strict=False))
    # Earliest band on top; each band is one level (coarse story time).
    ys = {box.key: box.y for box in chart.bands}
    assert ys["earlier"] < ys["before"] < ys["battle"] < ys["present"]
    assert all(point.y == ys[point.band] for point in chart.points)
    assert chart.height >= len(BANDS) * BAND_HEIGHT and chart.width > xs[-1]


def test_the_frame_and_each_memory_are_jumps():
    chart = story_layout(FILM, BANDS)
    assert [(point.key, jump) for point, jump in chart.jumps] == [
        (2, "back"),  # from the present day into the war: the frame story's flashback
        ("m", "back"),  # a memory
        (4, "forward"),  # back from the memory
        (5, "forward"),  # to the present day again
    ]
    # One curve piece between each pair of neighbours: level within a band, a curve for a jump.
    assert len(chart.segments) == len(FILM) - 1
    assert chart.segments[1].d.startswith("M") and " H" in chart.segments[1].d and not chart.segments[1].jump
    assert " C" in chart.segments[0].d and chart.segments[0].jump == "back"


def test_an_untold_order_is_kept_and_shares_the_level_of_its_band():
    film = [
        Item(1, "before"),
        Item("m1", "earlier", "memory", order_told=False),
        Item(2, "battle"),
        Item("m2", "earlier", "memory", order_told=False),
    ]
    chart = story_layout(film, BANDS)
    m1, m2 = chart.points[1], chart.points[3]
    assert m1.y == m2.y and m1.x < m2.x  # the order shown, at one level: no order in time is implied
    assert not m1.order_told and chart.points[0].order_told


def test_an_empty_film_and_an_unknown_band():
    chart = story_layout([], BANDS)
    assert chart.points == () and chart.segments == () and len(chart.bands) == 4
    with pytest.raises(ValueError, match="future"):
        story_layout([Item(1, "future")], BANDS)


def test_the_layout_is_deterministic():
    assert story_layout(FILM, BANDS) == story_layout(list(FILM), list(BANDS))
