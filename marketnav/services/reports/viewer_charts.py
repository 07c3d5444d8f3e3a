"""The viewer's competitor map (Recharts) with labels that do not collide.

Recharts draws a label at one of four sides of a point (`LabelList` position). The page's chart
is as wide as its column, so the side of each label is chosen here, once, for the geometry of
the chart at every width it may have (a 360 px phone up to a desktop with both panels closed):
a side is taken only when the label is clear of every other label and point at all of them.
The axes get fixed domains (the same round ticks as the exports), so the geometry computed
here is the one Recharts draws. Points whose label has no free side are drawn without one and
named under the chart (their tooltip still names them).
"""

from __future__ import annotations

from typing import Any

from marketnav.services.reports import label_layout
from marketnav.services.reports.chart_layout import nice_ticks

# LabelList position and offset of each placement (label_layout.SIDES).
POSITIONS = {
    "top": ("top", 5),
    "bottom": ("bottom", 5),
    "right": ("right", 5),
    "left": ("left", 5),
    "top-far": ("top", 19),
    "bottom-far": ("bottom", 19),
}
UNLABELLED = "none"
FONT_SIZE = 11
TICK_FONT_SIZE = 12  # the component sets its axes' tick font size to this
# The component's geometry (components/report_charts.competitor_map): keep the two in step.
HEIGHT = 320.0
MARGIN = {"top": 20.0, "right": 24.0, "bottom": 5.0, "left": 5.0}
Y_AXIS_WIDTH = 48.0
X_AXIS_HEIGHT = 30.0
POINT_RADIUS = 5.0
# Widths of the chart box's drawing area: phones (360 and 390 px screens), a tablet, a desktop
# with both side panels open, and with both closed.
CHECKED_WIDTHS = (310.0, 340.0, 520.0, 700.0, 940.0)


def _tick(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _ticks(points: list[dict[str, Any]]) -> tuple[list[float | int], list[float | int]]:
    """The axes' ticks (given to Recharts, so the geometry here is the one it draws)."""
    x_ticks = nice_ticks(max(p["funding_musd"] for p in points))
    ys = [p["y"] for p in points]
    y_ticks = nice_ticks(max(ys), min(0.0, min(ys)))
    return [_tick(t) for t in x_ticks], [_tick(t) for t in y_ticks]


def _plot(width: float) -> label_layout.Box:
    left = MARGIN["left"] + Y_AXIS_WIDTH
    return label_layout.Box(
        left, MARGIN["top"], width - MARGIN["right"], HEIGHT - MARGIN["bottom"] - X_AXIS_HEIGHT
    )


def scene_at(
    points: list[dict[str, Any]], view: dict[str, Any], width: float
) -> tuple[label_layout.Scene, list[tuple[float, float]]]:
    """The points in pixels at one chart width, and the label sizes."""
    plot = _plot(width)
    x0, x1 = view["x_ticks"][0], view["x_ticks"][-1]
    y0, y1 = view["y_ticks"][0], view["y_ticks"][-1]
    centres = [
        (
            plot.x0 + (p["funding_musd"] - x0) / ((x1 - x0) or 1) * (plot.x1 - plot.x0),
            plot.y1 - (p["y"] - y0) / ((y1 - y0) or 1) * (plot.y1 - plot.y0),
        )
        for p in points
    ]
    # Labels may use the margins and the y axis' room, never cover a tick label or the x axis.
    bounds = label_layout.Box(MARGIN["left"], 2, width - 2, plot.y1 - 1)
    ticks = []
    for tick in view["y_ticks"]:
        y = plot.y1 - (tick - y0) / ((y1 - y0) or 1) * (plot.y1 - plot.y0)
        tick_w, tick_h = label_layout.label_size(str(tick), TICK_FONT_SIZE)
        ticks.append(
            label_layout.Box(plot.x0 - 8 - tick_w, y - tick_h / 2, plot.x0, y + tick_h / 2)
        )
    sizes = [label_layout.label_size(p["name"], FONT_SIZE) for p in points]
    return label_layout.Scene(centres, bounds, POINT_RADIUS, ticks), sizes


def competitor_map_view(points: list[dict[str, Any]]) -> dict[str, Any]:
    """{"by_position": {top|bottom|right|left|none: [points]}, x/y domains, unlabelled names}."""
    if not points:
        return {}
    x_ticks, y_ticks = _ticks(points)
    view: dict[str, Any] = {
        "x_ticks": x_ticks,
        "y_ticks": y_ticks,
        "x_domain": [x_ticks[0], x_ticks[-1]],
        "y_domain": [y_ticks[0], y_ticks[-1]],
    }
    scenes = []
    sizes: list[tuple[float, float]] = []
    for width in CHECKED_WIDTHS:
        scene, sizes = scene_at(points, view, width)
        scenes.append(scene)
    chosen = label_layout.place(scenes, sizes, label_layout.SIDES)
    by_position: dict[str, list[dict[str, Any]]] = {p: [] for p in (*POSITIONS, UNLABELLED)}
    for point, where in zip(points, chosen, strict=True):
        by_position[where or UNLABELLED].append(point)
    view["by_position"] = by_position
    view["unlabelled"] = ", ".join(p["name"] for p in by_position[UNLABELLED])
    return view
