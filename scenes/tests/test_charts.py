"""The narrative chart's layout on its own, without Django: tiny hand-made films."""

from scenes.charts import SceneIn, count_crossings, layout


def scene(key, seen=(), heard=(), letters=(), flashbacks=()):
    return SceneIn(key, frozenset(seen), frozenset(heard), tuple(letters), tuple(flashbacks))


def adjacent(chart, column, a, b):
    order = chart.orders[column]
    return abs(order.index(a) - order.index(b)) == 1


# a and c meet in the middle scene; b is on its own throughout: first appearance puts b between them.
CROSSING_FILM = [
    scene(1, seen="a"),
    scene(2, seen="b"),
    scene(3, seen="c"),
    scene(4, seen="ac"),
    scene(5, seen="b"),
]


def test_two_people_who_share_a_scene_share_its_band():
    chart = layout(CROSSING_FILM, people="abc")
    assert adjacent(chart, 3, "a", "c")
    band = next(band for band in chart.columns[3].bands if len(band.members) > 1)
    assert set(band.members) == {"a", "c"}
    assert chart.line("a").y_at(3) != chart.line("c").y_at(3)


def test_the_layout_never_crosses_more_than_first_appearance_order_and_here_less():
    chart = layout(CROSSING_FILM, people="abc")
    assert chart.baseline_crossings == 1
    assert chart.crossings == 0 == count_crossings(chart.orders)


def test_a_bigger_film_is_never_worse_than_first_appearance():
    people = "abcdefgh"
    film = [scene(i, seen={people[(i * 3) % 8], people[(i * 5 + 1) % 8], people[(i * 7 + 2) % 8]}) for i in range(30)]
    chart = layout(film, people)
    assert chart.crossings <= chart.baseline_crossings
    assert len(chart.lines) == len(set(people))


def test_the_layout_is_deterministic():
    film = [scene(i, seen={"abcdef"[i % 6], "abcdef"[(i * 2) % 6]}) for i in range(20)]
    assert layout(film, "abcdef") == layout(film, "abcdef")


def test_lines_run_from_first_scene_to_the_fate_and_marks_sit_on_them():
    film = [
        scene(1, seen="a", letters=["note"]),
        scene(2, seen="ab", flashbacks=[("memory", "a")]),
        scene(3, heard="a", seen="b"),
        scene(4, seen="b"),
    ]
    chart = layout(film, people="ab", fates={"a": 3, "b": 2})
    a, b = chart.line("a"), chart.line("b")
    assert [i for i, _x, _y in a.points] == [0, 1, 2]
    assert [i for i, _x, _y in b.points] == [1, 2, 3]  # seen after the fate scene: the line goes on
    assert "heard" in {segment.state for segment in a.segments}
    kinds = {(mark.kind, mark.column, mark.person, mark.item) for mark in chart.marks}
    assert kinds == {
        ("letter", 0, None, "note"),
        ("flashback", 1, "a", "memory"),
        ("fate", 2, "a", None),
        ("fate", 1, "b", None),
    }
    fate = next(mark for mark in chart.marks if mark.kind == "fate" and mark.person == "a")
    assert (fate.x, fate.y) == a.end[1:]


def test_a_line_ends_at_a_death_even_if_the_body_is_seen_later():
    film = [scene(1, seen="ab"), scene(2, seen="ab"), scene(3, seen="ab")]
    chart = layout(film, people="ab", fates={"a": 2, "b": 2}, ends={"a"})
    assert [i for i, _x, _y in chart.line("a").points] == [0, 1]  # dies in scene 2
    assert [i for i, _x, _y in chart.line("b").points] == [0, 1, 2]  # captured in scene 2: goes on
    assert chart.columns[2].bands == ()  # b alone in scene 3: no band with a


def test_people_in_no_scene_get_no_line_and_an_empty_film_draws_nothing():
    assert [line.person for line in layout([scene(1, seen="a")], people="ab").lines] == ["a"]
    empty = layout([], people="a")
    assert empty.lines == () and empty.crossings == 0
