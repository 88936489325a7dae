"""The narrative chart's layout: a pure function from content to geometry (no database, no template).

A narrative chart, in the manner of xkcd 657 "Movie Narrative Charts" (Randall Munroe, 2009): scenes run left to
right in screen order, each person is one line, and the people seen together in a scene are drawn side by side
in a band. Which line sits above which is chosen column by column to keep line crossings low, with the layered
barycentre heuristic that storyline layouts use (Tanahashi & Ma, "Design Considerations for Optimizing
Storyline Visualizations", IEEE TVCG 2012; Liu et al., "StoryFlow", 2013): sweep left to right and right to left,
sorting each column's groups by the mean position of their people in the neighbouring column, then swap
neighbouring groups while that removes crossings. The result is deterministic (every sort breaks ties by the
previous order) and never has more crossings than ordering the lines by first appearance, which it is measured
against.

Input (plain data, keys are whatever the caller uses, e.g. slugs):
    scenes: [SceneIn(key, seen={person, …}, heard={person, …}, letters=(item, …), flashbacks=((item, rememberer), …))]
            in screen order; `seen` is on screen or in a memory the scene cuts to, `heard` is voice-over.
    people: [person, …] the lines to draw, in the order of prominence (the order of the legend, not of the chart).
    fates:  {person: scene key} where each person's fate happens (people without one are left out).
    ends:   the people whose fate is their death: their lines end at the fate scene.
Output: `layout(...)` → Layout(columns, lines, marks, width, height, crossings, baseline_crossings).
"""

from dataclasses import dataclass, field

# Geometry, in SVG user units.
COLUMN_WIDTH = 30  # from one scene's centre to the next
LEFT = 84  # room before the first column, for the names of the lines that start there
TOP = 44  # room above the lines for the scene numbers and the letter marks
LINE_GAP = 10  # between two lines of one band: room for a name over each
GROUP_GAP = 22  # between bands (and lines on their own)
BOTTOM = 16
SWEEPS = 6  # left-right and right-left sweeps; the layout settles within a few


@dataclass(frozen=True)
class SceneIn:
    key: object
    seen: frozenset = frozenset()
    heard: frozenset = frozenset()
    letters: tuple = ()
    flashbacks: tuple = ()  # ((item, rememberer), …)


@dataclass(frozen=True)
class Band:
    """People seen together in one scene: a box from `top` to `bottom` around their lines."""

    members: tuple
    top: float
    bottom: float


@dataclass(frozen=True)
class Column:
    key: object
    index: int
    x: float
    bands: tuple  # (Band, …) for the group of two or more people seen together, if any


@dataclass(frozen=True)
class Segment:
    """One piece of a line: `state` is "seen", "heard" (drawn dashed) or "away" (in neither, drawn thin)."""

    state: str
    d: str  # an SVG path


@dataclass(frozen=True)
class Line:
    person: object
    points: tuple  # ((column index, x, y), …) for every column from the first to the last it runs through
    segments: tuple

    @property
    def start(self):
        return self.points[0]

    @property
    def end(self):
        return self.points[-1]

    def y_at(self, index):
        return next(y for i, _x, y in self.points if i == index)


@dataclass(frozen=True)
class Mark:
    """A letter (at the top of a scene's column), a flashback (on the rememberer's line) or a fate (where a line
    ends). `item` is the caller's letter or flashback key; `person` is None for a letter."""

    kind: str
    column: int
    x: float
    y: float
    person: object = None
    item: object = None


@dataclass(frozen=True)
class Layout:
    columns: tuple
    lines: tuple
    marks: tuple
    width: float
    height: float
    crossings: int
    baseline_crossings: int  # the crossings when lines are ordered by first appearance
    orders: tuple = field(repr=False, default=())  # each column's people, top to bottom

    def line(self, person):
        return next(line for line in self.lines if line.person == person)


def spans(scenes, people, fates, ends=frozenset()):
    """{person: (first column, last column)}: the columns a line runs through, from the first scene the person is
    seen or heard in to the last (or to the fate scene, if later; for the people in `ends`, whose fate is their
    death, to the fate scene: a body seen later is not the person's story going on). People in no scene get no
    line."""
    index = {scene.key: i for i, scene in enumerate(scenes)}
    result = {}
    for i, scene in enumerate(scenes):
        for person in scene.seen | scene.heard:
            if person in people:
                first, _last = result.get(person, (i, i))
                result[person] = (first, i)
    for person, scene_key in fates.items():
        if person in result and scene_key in index:
            first, last = result[person]
            fate = index[scene_key]
            result[person] = (first, fate if person in ends and fate >= first else max(last, fate))
    return result


def groups_of(scene, active):
    """The groups a column must keep together: everyone seen in the scene is one band; each other person whose
    line runs through the column is a group of one. Returns [[person, …], …] in no particular order."""
    together = [p for p in active if p in scene.seen]
    return ([together] if together else []) + [[p] for p in active if p not in scene.seen]


def count_crossings(orders):
    """How many times two lines cross: for each pair of neighbouring columns, the pairs of people in both whose
    order differs. `orders` is [[person, …] top to bottom, …] per column."""
    total = 0
    for left, right in zip(orders, orders[1:], strict=False):
        total += _crossings_between(left, right)
    return total


def _crossings_between(left, right):
    position = {person: i for i, person in enumerate(right)}
    shared = [position[p] for p in left if p in position]
    if shared == sorted(shared):
        return 0  # the common case, checked at C speed: the lines keep their order
    # Inversions in the right column's positions, read in the left column's order.
    return sum(1 for i, a in enumerate(shared) for b in shared[i + 1 :] if a > b)


def first_appearance_orders(groups, rank):
    """The baseline: each column's groups by their earliest-appearing member, members by first appearance."""
    orders = []
    for column in groups:
        ordered = sorted((sorted(group, key=rank.get) for group in column), key=lambda g: rank[g[0]])
        orders.append([p for group in ordered for p in group])
    return orders


def _barycentre_pass(groups, orders, columns):
    """Reorder each column in `columns` (in that sequence) by the positions of its people in the column just
    visited: a group goes where its members were on average; people new to the column keep their place."""
    reference = None  # {person: position} in the column just visited
    for i in columns:
        current = {p: n for n, p in enumerate(orders[i])}
        if reference is not None and len(current) > 1:
            where = {p: reference.get(p, n) for p, n in current.items()}
            # Each group keyed by (mean position, its first member's current place): no two groups tie, and a
            # group of one (most groups: a line passing through) needs no sorting of its own.
            keyed = []
            for group in groups[i]:
                if len(group) == 1:
                    keyed.append((where[group[0]], current[group[0]], group))
                else:
                    group = sorted(group, key=lambda p, where=where, current=current: (where[p], current[p]))
                    mean = sum(where[p] for p in group) / len(group)
                    keyed.append((mean, min(current[p] for p in group), group))
            keyed.sort()
            orders[i] = [p for _mean, _place, group in keyed for p in group]
            current = {p: n for n, p in enumerate(orders[i])}
        reference = current


def _split(order, column_groups):
    """A column's order as its groups, top to bottom."""
    group_of = {p: n for n, group in enumerate(column_groups) for p in group}
    result = []
    for person in order:
        if result and group_of[result[-1][0]] == group_of[person]:
            result[-1].append(person)
        else:
            result.append([person])
    return result


def _swap_neighbours(groups, orders):
    """Swap neighbouring groups (and neighbouring lines within a band) wherever that removes crossings with the
    columns either side, until no swap helps."""
    last = len(orders) - 1
    # between[i]: the crossings between columns i and i + 1 (none after the last), kept current as columns change.
    between = [_crossings_between(left, right) for left, right in zip(orders, orders[1:], strict=False)] + [0]
    improved = True
    while improved:
        improved = False
        for i in range(len(orders)):
            before = (between[i - 1] if i else 0) + between[i]
            if not before:
                continue  # no crossings beside this column for a swap to remove
            blocks = _split(orders[i], groups[i])
            # Whole groups first, then the lines within each group.
            candidates = [(blocks, n) for n in range(len(blocks) - 1)]
            for block_index, block in enumerate(blocks):
                candidates += [((block_index, block), n) for n in range(len(block) - 1)]
            for target, n in candidates:
                if isinstance(target, tuple):
                    _, block = target
                    block[n], block[n + 1] = block[n + 1], block[n]
                else:
                    target[n], target[n + 1] = target[n + 1], target[n]
                orders[i] = [p for block in blocks for p in block]
                left = _crossings_between(orders[i - 1], orders[i]) if i else 0
                right = _crossings_between(orders[i], orders[i + 1]) if i < last else 0
                if left + right < before:
                    improved = True
                    if i:
                        between[i - 1] = left
                    between[i], before = right, left + right
                    continue
                # No better: swap back.
                if isinstance(target, tuple):
                    block[n], block[n + 1] = block[n + 1], block[n]
                else:
                    target[n], target[n + 1] = target[n + 1], target[n]
                orders[i] = [p for block in blocks for p in block]


def _fewer_crossings(orders, best, best_count):
    """(a copy of `orders`, its crossings) if it crosses less than `best` does, else (best, best_count)."""
    count = count_crossings(orders)
    return ([list(o) for o in orders], count) if count < best_count else (best, best_count)


def order_lines(scenes, people, fates, ends=frozenset()):
    """Each column's people top to bottom, and the crossings of that order and of the first-appearance baseline.

    Returns (orders, crossings, baseline_crossings, line spans)."""
    people = list(dict.fromkeys(people))
    line_spans = spans(scenes, set(people), fates, ends)
    # First appearance: the first column, then the order of prominence.
    prominence = {p: n for n, p in enumerate(people)}
    rank = {p: n for n, p in enumerate(sorted(line_spans, key=lambda p: (line_spans[p][0], prominence[p])))}
    groups = []
    for i, scene in enumerate(scenes):
        active = [p for p in rank if line_spans[p][0] <= i <= line_spans[p][1]]
        groups.append(groups_of(scene, active))
    baseline = first_appearance_orders(groups, rank)
    best, best_count = [list(o) for o in baseline], count_crossings(baseline)
    baseline_count = best_count
    orders = [list(o) for o in baseline]
    forward, backward = list(range(len(scenes))), list(reversed(range(len(scenes))))
    after_forward = None
    for _ in range(SWEEPS):
        if best_count == 0:
            break  # nothing left to remove
        _barycentre_pass(groups, orders, forward)
        if orders == after_forward:
            # Settled: a pass depends only on the order it starts from, so from here the sweeps repeat the last.
            break
        after_forward = [list(o) for o in orders]
        best, best_count = _fewer_crossings(orders, best, best_count)
        _barycentre_pass(groups, orders, backward)
        best, best_count = _fewer_crossings(orders, best, best_count)
    _swap_neighbours(groups, best)
    return best, count_crossings(best), baseline_count, line_spans


def layout(scenes, people, fates=None, ends=frozenset()):
    """The chart's geometry (see the module's docstring for the shapes); the lines of the people in `ends` stop at
    their fate scene."""
    fates = fates or {}
    orders, crossings, baseline, line_spans = order_lines(scenes, people, fates, ends)
    x_of = [LEFT + COLUMN_WIDTH * (i + 0.5) for i in range(len(scenes))]
    y_of = []  # per column: {person: y}
    columns = []
    for i, (scene, order) in enumerate(zip(scenes, orders, strict=True)):
        ys, bands, y = {}, [], TOP
        for block in _split(order, groups_of(scene, order)):
            for n, person in enumerate(block):
                ys[person] = y + n * LINE_GAP
            if len(block) > 1:
                bands.append(Band(tuple(block), y, y + (len(block) - 1) * LINE_GAP))
            y += (len(block) - 1) * LINE_GAP + GROUP_GAP
        y_of.append(ys)
        columns.append(Column(scene.key, i, x_of[i], tuple(bands)))
    half = COLUMN_WIDTH * 0.3
    # Each column's stroke ends and the midpoint from the column before, formatted once rather than per line.
    ends = [(f"{x - half:g}", f"{x + half:g}", f"{(x_of[i - 1] + x) / 2:g}" if i else "") for i, x in enumerate(x_of)]
    lines = []
    for person in people:
        if person not in line_spans:
            continue
        first, last = line_spans[person]
        points = tuple((i, x_of[i], y_of[i][person]) for i in range(first, last + 1))
        lines.append(Line(person, points, tuple(_segments(points, scenes, person, ends))))
    marks = _marks(scenes, fates, x_of, y_of)
    height = max((max(ys.values(), default=TOP) for ys in y_of), default=TOP) + BOTTOM
    width = LEFT + COLUMN_WIDTH * (len(scenes) + 1)
    return Layout(tuple(columns), tuple(lines), tuple(marks), width, height, crossings, baseline, tuple(orders))


def _state(scene, person):
    if person in scene.seen:
        return "seen"
    return "heard" if person in scene.heard else "away"


def _segments(points, scenes, person, ends):
    """A short level stroke across each column in the person's state there, and an S-curve from each column to
    the next (in the state of the later column, so a line fades out where the person is away). `ends` are each
    column's (left end, right end, midpoint from the column before) as SVG numbers."""
    segments = []
    previous = None  # (state, y) at the column before, the y as an SVG number
    for i, _x, y in points:
        state = _state(scenes[i], person)
        left, right, mid = ends[i]
        y = f"{y:g}"
        if previous:
            previous_state, previous_y = previous
            curve = f"M{ends[i - 1][1]} {previous_y} C{mid} {previous_y} {mid} {y} {left} {y}"
            segments.append(Segment(state if state != "away" else previous_state, curve))
        segments.append(Segment(state, f"M{left} {y} H{right}"))
        previous = state, y
    return segments


def _marks(scenes, fates, x_of, y_of):
    marks = []
    for i, scene in enumerate(scenes):
        # Letters side by side under the scene's number, centred on its column.
        for n, item in enumerate(scene.letters):
            offset = (n - (len(scene.letters) - 1) / 2) * 8
            marks.append(Mark("letter", i, x_of[i] + offset, TOP - 16, item=item))
        for item, rememberer in scene.flashbacks:
            if rememberer in y_of[i]:
                marks.append(Mark("flashback", i, x_of[i], y_of[i][rememberer], person=rememberer, item=item))
    index = {scene.key: i for i, scene in enumerate(scenes)}
    for person, scene_key in fates.items():
        i = index.get(scene_key)
        if i is not None and person in y_of[i]:
            marks.append(Mark("fate", i, x_of[i], y_of[i][person], person=person))
    return marks
