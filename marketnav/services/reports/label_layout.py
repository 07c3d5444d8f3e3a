"""Point labels that do not collide: one placement for the exports and the viewer's chart.

A label may sit in one of a few candidate places around its point (above, below, right, left,
and for the exports the diagonals and farther out with a leader line). Labels are placed
greedily, the most crowded points first; a candidate is taken only when its box stays inside
the plot and overlaps no label placed before and no other point. The same choice can be
required to hold in several scenes at once (the viewer's chart is as wide as the screen:
its points are checked at a phone's and at a desktop's width). A label with no free place is
left out and named by the caller, never drawn over another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

CHAR_WIDTH = 0.6  # average advance of a sans-serif character, in font sizes (a safe estimate)


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, gap: float = 1.0) -> bool:
        return not (
            self.x1 + gap <= other.x0
            or other.x1 + gap <= self.x0
            or self.y1 + gap <= other.y0
            or other.y1 + gap <= self.y0
        )

    def inside(self, bounds: Box) -> bool:
        return (
            self.x0 >= bounds.x0
            and self.x1 <= bounds.x1
            and self.y0 >= bounds.y0
            and self.y1 <= bounds.y1
        )

    def hits_circle(self, cx: float, cy: float, r: float) -> bool:
        nx = min(max(cx, self.x0), self.x1)
        ny = min(max(cy, self.y0), self.y1)
        return (nx - cx) ** 2 + (ny - cy) ** 2 < r * r


# A candidate: (name, box of a label of width w and height h around a point at x, y of radius r).
Candidate = tuple[str, Callable[[float, float, float, float, float], Box]]


def _above(gap: float) -> Callable[[float, float, float, float, float], Box]:
    return lambda x, y, w, h, r: Box(x - w / 2, y - r - gap - h, x + w / 2, y - r - gap)


def _below(gap: float) -> Callable[[float, float, float, float, float], Box]:
    return lambda x, y, w, h, r: Box(x - w / 2, y + r + gap, x + w / 2, y + r + gap + h)


def _right(gap: float) -> Callable[[float, float, float, float, float], Box]:
    return lambda x, y, w, h, r: Box(x + r + gap, y - h / 2, x + r + gap + w, y + h / 2)


def _left(gap: float) -> Callable[[float, float, float, float, float], Box]:
    return lambda x, y, w, h, r: Box(x - r - gap - w, y - h / 2, x - r - gap, y + h / 2)


# Where Recharts' LabelList can put a label (its position, and its offset from the point),
# for the viewer: the four sides, then above and below a little farther out.
SIDES: tuple[Candidate, ...] = (
    ("top", _above(5)),
    ("bottom", _below(5)),
    ("right", _right(5)),
    ("left", _left(5)),
    ("top-far", _above(19)),
    ("bottom-far", _below(19)),
)


def _diagonal(dx: int, dy: int, gap: float) -> Callable[[float, float, float, float, float], Box]:
    def box(x: float, y: float, w: float, h: float, r: float) -> Box:
        left = x + r + gap * 0.7 if dx > 0 else x - r - gap * 0.7 - w
        top = y + r + gap * 0.7 if dy > 0 else y - r - gap * 0.7 - h
        return Box(left, top, left + w, top + h)

    return box


def _ring(gap: float, prefix: str) -> tuple[Candidate, ...]:
    return (
        (f"{prefix}top", _above(gap)),
        (f"{prefix}bottom", _below(gap)),
        (f"{prefix}right", _right(gap)),
        (f"{prefix}left", _left(gap)),
        (f"{prefix}top-right", _diagonal(1, -1, gap)),
        (f"{prefix}top-left", _diagonal(-1, -1, gap)),
        (f"{prefix}bottom-right", _diagonal(1, 1, gap)),
        (f"{prefix}bottom-left", _diagonal(-1, 1, gap)),
    )


# The exports draw their own text: diagonals too, and rings farther out, where a leader line
# ties the label to its point (candidates named "far-...").
EXPORT: tuple[Candidate, ...] = (
    *_ring(4, ""),
    *(c for gap in (16, 30, 44, 60, 78) for c in _ring(gap, f"far{gap}-")),
)


@dataclass(frozen=True)
class Scene:
    """The points of one chart in pixels (y down), the plot area and the points' radius."""

    points: Sequence[tuple[float, float]]
    bounds: Box
    radius: float = 5.0
    obstacles: Sequence[Box] = ()  # text a label must not cover (axis tick labels)


def label_size(text: str, font_size: float) -> tuple[float, float]:
    return len(text) * font_size * CHAR_WIDTH + 2, font_size + 2


def place(
    scenes: Sequence[Scene],
    sizes: Sequence[tuple[float, float]],
    candidates: Sequence[Candidate] = SIDES,
) -> list[str | None]:
    """The candidate name of each label (None: no free place), valid in every scene."""
    count = len(sizes)
    if not scenes or count == 0:
        return []
    first = scenes[0]

    def crowding(i: int) -> int:
        x, y = first.points[i]
        w, h = sizes[i]
        return sum(
            1
            for j, (ox, oy) in enumerate(first.points)
            if j != i and abs(ox - x) < w + 10 and abs(oy - y) < 3 * h
        )

    order = sorted(range(count), key=lambda i: (-crowding(i), first.points[i]))
    placed: list[list[Box]] = [[] for _ in scenes]
    chosen: list[str | None] = [None] * count
    for i in order:
        w, h = sizes[i]
        for name, box_of in candidates:
            boxes = []
            for scene in scenes:
                x, y = scene.points[i]
                box = box_of(x, y, w, h, scene.radius)
                if not box.inside(scene.bounds) or any(box.overlaps(o) for o in scene.obstacles):
                    break
                if any(
                    box.hits_circle(px, py, scene.radius + 1)
                    for j, (px, py) in enumerate(scene.points)
                    if j != i
                ):
                    break
                boxes.append(box)
            else:
                if all(
                    not any(b.overlaps(other) for other in placed[s]) for s, b in enumerate(boxes)
                ):
                    chosen[i] = name
                    for s, b in enumerate(boxes):
                        placed[s].append(b)
                    break
    return chosen


def boxes_of(
    scene: Scene,
    sizes: Sequence[tuple[float, float]],
    chosen: Sequence[str | None],
    candidates: Sequence[Candidate] = SIDES,
) -> list[Box | None]:
    """The label boxes of a placement in one scene (for drawing and for tests)."""
    by_name = dict(candidates)
    return [
        None if name is None else by_name[name](x, y, w, h, scene.radius)
        for (x, y), (w, h), name in zip(scene.points, sizes, chosen, strict=True)
    ]
