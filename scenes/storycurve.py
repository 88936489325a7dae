"""Screen order against story order: a pure function from the film's shots to geometry (no database, no template).

After Story Curves (Kim, Bach, Im, Pfister and Pfister, "Visualizing Nonlinear Narratives with Story Curves",
IEEE TVCG 2018): screen order runs left to right, story time top to bottom, and one curve joins what is shown in
the order it is shown, so a film told straight is a level line and every flashback is a jump up and back. Story
time here is coarse: a few bands (the caller's keys, earliest first), each drawn as one level, because the
sources date the film's events no finer than that. Items whose order in story time is not told (the memories)
share their band's level in the order they are shown and carry `order_told=False`, so the page can say so
instead of implying a date.

Input (plain data; keys are whatever the caller uses):
    items: [Item(key, band, kind, order_told)] in screen order; `band` is one of `bands`, `kind` a word the
           caller draws by (e.g. "scene", "memory").
    bands: [band key, …] in story order, earliest first (drawn top to bottom).
Output: `story_layout(items, bands)` → StoryLayout(bands, points, segments, width, height), every coordinate in
SVG user units.
"""

from dataclasses import dataclass

# Geometry, in SVG user units.
STEP = 20  # from one shown item to the next
LEFT = 12  # before the first item
RIGHT = 12
TOP = 26  # room above the bands for the scene numbers
BAND_HEIGHT = 50  # each band: its name at the top, its level below it
LEVEL = 34  # from a band's top to its level
LABEL = 14  # from a band's top to its name's baseline
BOTTOM = 6


@dataclass(frozen=True)
class Item:
    """One thing shown, in screen order: a scene, or a memory it cuts to."""

    key: object
    band: object
    kind: str = "scene"
    order_told: bool = True


@dataclass(frozen=True)
class BandBox:
    """A band of story time: a strip from `top` to `top + height` across the chart, its level at `y`."""

    key: object
    index: int
    top: float
    height: float
    y: float
    label_y: float


@dataclass(frozen=True)
class Point:
    """Where an item sits: `index` in screen order (0-based), `x` across, `y` its band's level. `jump` is
    "back" (to an earlier band than the item before it), "forward" (to a later one) or "" (same band, or the
    first item)."""

    key: object
    kind: str
    band: object
    index: int
    x: float
    y: float
    order_told: bool
    jump: str


@dataclass(frozen=True)
class CurveSegment:
    """The curve from one item to the next: `jump` as the later Point's; `d` an SVG path."""

    jump: str
    d: str


@dataclass(frozen=True)
class StoryLayout:
    bands: tuple
    points: tuple
    segments: tuple
    width: float
    height: float

    @property
    def jumps(self):
        """The points the curve jumps to, in screen order: [(Point, "back" | "forward"), …]."""
        return [(point, point.jump) for point in self.points if point.jump]


def band_boxes(bands):
    """The bands' strips, earliest at the top."""
    return tuple(
        BandBox(
            key, n, TOP + n * BAND_HEIGHT, BAND_HEIGHT, TOP + n * BAND_HEIGHT + LEVEL, TOP + n * BAND_HEIGHT + LABEL
        )
        for n, key in enumerate(bands)
    )


def story_layout(items, bands):
    """The chart's geometry (see the module's docstring). Raises ValueError for an item in an unknown band."""
    boxes = band_boxes(bands)
    box_of = {box.key: box for box in boxes}
    unknown = {item.band for item in items} - set(box_of)
    if unknown:
        raise ValueError(f"items in bands not given: {sorted(map(str, unknown))}")
    points = []
    for n, item in enumerate(items):
        box = box_of[item.band]
        jump = ""
        if points and box.index != box_of[points[-1].band].index:
            jump = "back" if box.index < box_of[points[-1].band].index else "forward"
        x = LEFT + STEP * (n + 0.5)
        points.append(Point(item.key, item.kind, item.band, n, x, box.y, item.order_told, jump))
    segments = tuple(_segment(a, b) for a, b in zip(points, points[1:], strict=False))
    width = LEFT + STEP * len(items) + RIGHT
    height = TOP + BAND_HEIGHT * len(boxes) + BOTTOM
    return StoryLayout(boxes, tuple(points), segments, width, height)


def _segment(a, b):
    """Level from a to b within a band; between bands an S-curve, steep so that the jump reads as one."""
    if a.y == b.y:
        return CurveSegment("", f"M{a.x:g} {a.y:g} H{b.x:g}")
    mid = (a.x + b.x) / 2
    return CurveSegment(b.jump, f"M{a.x:g} {a.y:g} C{mid:g} {a.y:g} {mid:g} {b.y:g} {b.x:g} {b.y:g}")
