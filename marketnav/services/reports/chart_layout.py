"""Chart layout for the exports: each chart as a list of plain shapes in one coordinate system.

The layout is computed once here; `chart_svg` writes the shapes as inline SVG (HTML export) and
`chart_pdf` draws them with fpdf2's primitives (PDF export, so labels get the PDF's font
fallback and right-to-left shaping). Units are SVG user units (px at 100 %), y grows downwards.
What cannot be drawn is never drawn as 0: it goes into the chart's `notes`, which every
renderer prints under the chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from marketnav.services.reports import label_layout
from marketnav.services.reports.chart_data import ChartSection, ReportCharts, report_charts

WIDTH = 640.0
ACCENT = "#3e63dd"
AXIS = "#52606d"
GRID = "#d9dde3"
TEXT = "#1f2933"
LABEL_CHARS = 26


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str = ACCENT


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = GRID
    width: float = 1.0
    dashed: bool = False


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    stroke: str = GRID
    fill: str | None = None
    fill_opacity: float = 1.0


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    fill: str = ACCENT


@dataclass(frozen=True)
class Text:
    x: float  # the anchor point on the baseline
    y: float
    text: str
    size: float = 11.0
    anchor: str = "start"  # start | middle | end, as SVG's text-anchor
    fill: str = TEXT
    bold: bool = False


Shape = Rect | Line | Polygon | Circle | Text


@dataclass
class Chart:
    """One laid-out chart: a title, its size, its shapes and the notes printed under it."""

    key: str  # funding | competitors | radar
    title: str
    height: float
    shapes: list[Shape] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    width: float = WIDTH


def _short(name: str, limit: int = LABEL_CHARS) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def nice_ticks(high: float, low: float = 0.0, count: int = 5) -> list[float]:
    """Round tick values from `low` to at least `high` (about `count` of them)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def tick_label(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:g}"


def money_label(musd: float) -> str:
    return f"${musd / 1000:,.2f}B" if musd >= 1000 else f"${musd:,.1f}M"


# -- funding ---------------------------------------------------------------------------------


def funding_chart(points: list[dict[str, Any]], unknown: int, hidden: int) -> Chart:
    """Horizontal bars of funding ($M) by company, largest first."""
    row, top, label_w, right = 26.0, 8.0, 180.0, 80.0
    plot_w = WIDTH - label_w - right
    ticks = nice_ticks(max(p["funding_musd"] for p in points))
    scale = plot_w / ticks[-1]
    bottom = top + row * len(points)
    chart = Chart("funding", "Funding by company ($M)", bottom + 30)
    for tick in ticks:
        x = label_w + tick * scale
        chart.shapes.append(Line(x, top, x, bottom, dashed=True))
        chart.shapes.append(Text(x, bottom + 16, tick_label(tick), 10, "middle", AXIS))
    for i, point in enumerate(points):
        y = top + i * row
        width = max(1.0, point["funding_musd"] * scale)
        chart.shapes.append(Text(label_w - 8, y + row / 2 + 4, _short(point["name"]), 11, "end"))
        chart.shapes.append(Rect(label_w, y + 4, width, row - 8))
        chart.shapes.append(
            Text(label_w + width + 6, y + row / 2 + 4, money_label(point["funding_musd"]), 10)
        )
    chart.shapes.append(Line(label_w, top, label_w, bottom, AXIS))
    if hidden:
        chart.notes.append(
            f"The {len(points)} largest shown; {_plural(hidden, 'smaller one', 'smaller ones')}"
            " not shown."
        )
    if unknown:
        chart.notes.append(
            f"{_plural(unknown, 'company', 'companies')} without public funding not shown."
        )
    return chart


# -- competitor map --------------------------------------------------------------------------


def competitor_chart(points: list[dict[str, Any]], y_label: str, unplaced: int) -> Chart:
    """Companies by funding ($M, across) and score or rank (up), each point labelled."""
    left, right, top, bottom_gap, height = 56.0, 24.0, 24.0, 40.0, 340.0
    plot_w, plot_h = WIDTH - left - right, height - top - bottom_gap
    x_ticks = nice_ticks(max(p["funding_musd"] for p in points))
    ys = [p["y"] for p in points]
    low = min(0.0, min(ys))
    y_ticks = nice_ticks(max(ys), low)
    chart = Chart("competitors", "Competitor map", height)
    bottom = top + plot_h

    def x_of(value: float) -> float:
        return left + value / x_ticks[-1] * plot_w

    def y_of(value: float) -> float:
        return bottom - (value - y_ticks[0]) / (y_ticks[-1] - y_ticks[0]) * plot_h

    for tick in x_ticks:
        chart.shapes.append(Line(x_of(tick), top, x_of(tick), bottom, dashed=True))
        chart.shapes.append(Text(x_of(tick), bottom + 16, tick_label(tick), 10, "middle", AXIS))
    for tick in y_ticks:
        chart.shapes.append(Line(left, y_of(tick), left + plot_w, y_of(tick), dashed=True))
        chart.shapes.append(Text(left - 6, y_of(tick) + 4, tick_label(tick), 10, "end", AXIS))
    chart.shapes.append(Line(left, bottom, left + plot_w, bottom, AXIS))
    chart.shapes.append(Line(left, top, left, bottom, AXIS))
    chart.shapes.append(Text(left + plot_w / 2, height - 4, "Funding ($M)", 10, "middle", AXIS))
    chart.shapes.append(Text(left, top - 10, y_label, 10, "middle", AXIS, bold=True))
    centres = [(x_of(p["funding_musd"]), y_of(p["y"])) for p in points]
    names = [_short(p["name"], 20) for p in points]
    sizes = [label_layout.label_size(name, 10) for name in names]
    scene = label_layout.Scene(centres, label_layout.Box(left + 2, top - 8, WIDTH - 2, bottom - 2))
    chosen = label_layout.place([scene], sizes, label_layout.EXPORT)
    boxes = label_layout.boxes_of(scene, sizes, chosen, label_layout.EXPORT)
    for cx, cy in centres:
        chart.shapes.append(Circle(cx, cy, 5))
    for (cx, cy), name, box, where in zip(centres, names, boxes, chosen, strict=True):
        if box is None:
            continue
        if where.startswith("far"):  # a leader line from the point to its label
            lx = min(max(cx, box.x0), box.x1)
            ly = min(max(cy, box.y0), box.y1)
            chart.shapes.append(Line(cx, cy, lx, ly, AXIS, 0.6))
        chart.shapes.append(Text(box.x0 + 1, box.y1 - 3, name, 10, "start"))
    chart.notes.append(f"Across: funding ($M) · up: {y_label.lower()}.")
    crowded = [p["name"] for p, where in zip(points, chosen, strict=True) if where is None]
    if crowded:
        chart.notes.append(f"Not labelled (no room beside the point): {', '.join(crowded)}.")
    if unplaced:
        chart.notes.append(
            f"{_plural(unplaced, 'company', 'companies')} without public funding or a "
            f"{y_label.lower()} not shown."
        )
    return chart


# -- verdict radar ---------------------------------------------------------------------------


def radar_chart(axes: list[dict[str, Any]]) -> Chart:
    """The verdict's axes (0-100); an axis without a score is dashed and labelled unknown."""
    height, radius = 320.0, 105.0
    cx, cy = WIDTH / 2, height / 2 + 4
    chart = Chart("radar", "Scores by axis", height)
    count = len(axes)

    def at(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        return cx + math.cos(angle) * radius * value / 100, cy + math.sin(
            angle
        ) * radius * value / 100

    for ring in (25, 50, 75, 100):
        chart.shapes.append(Polygon(tuple(at(i, ring) for i in range(count))))
    for i, axis in enumerate(axes):
        known = axis["score"] is not None
        x, y = at(i, 100)
        chart.shapes.append(Line(cx, cy, x, y, GRID if known else AXIS, dashed=not known))
        lx, ly = at(i, 118)
        anchor = "middle" if abs(lx - cx) < 8 else "start" if lx > cx else "end"
        score = f"{axis['score']:.0f}" if known else "unknown"
        chart.shapes.append(Text(lx, ly + 4, f"{axis['axis']}: {score}", 11, anchor, bold=known))
    known = [(i, a["score"]) for i, a in enumerate(axes) if a["score"] is not None]
    if len(known) == count:
        chart.shapes.append(
            Polygon(tuple(at(i, s) for i, s in known), ACCENT, ACCENT, fill_opacity=0.35)
        )
    else:  # only the edges between two known neighbours: no area implies a score
        scores = dict(known)
        for i, score in known:
            following = (i + 1) % count
            if following in scores and following != i:
                (x1, y1), (x2, y2) = at(i, score), at(following, scores[following])
                chart.shapes.append(Line(x1, y1, x2, y2, ACCENT, 2.0))
        unknown = [a["axis"] for a in axes if a["score"] is None]
        chart.notes.append("No score, so not drawn (not 0): " + ", ".join(unknown) + ".")
    for i, score in known:
        x, y = at(i, score)
        chart.shapes.append(Circle(x, y, 3.5))
    return chart


def export_charts(charts: ReportCharts) -> dict[str, Chart]:
    """The laid-out charts of a report, by key (only those with data)."""
    laid: dict[str, Chart] = {}
    if charts.funding:
        laid["funding"] = funding_chart(
            charts.funding, charts.funding_unknown, charts.funding_hidden
        )
    if charts.competitors:
        laid["competitors"] = competitor_chart(
            charts.competitors, charts.competitor_y_label, charts.competitors_unplaced
        )
    if charts.radar_axes:
        laid["radar"] = radar_chart(charts.radar_axes)
    return laid


@dataclass
class Placement:
    """Where each chart goes, as in the viewer: charts before or after a section's body."""

    before: dict[str, list[Chart]] = field(default_factory=dict)
    after: dict[str, list[Chart]] = field(default_factory=dict)
    end: list[Chart] = field(default_factory=list)  # no section to hold them

    def all(self) -> list[Chart]:
        placed = [c for charts in (*self.before.values(), *self.after.values()) for c in charts]
        return placed + self.end


def place(sections: list[ChartSection], laid: dict[str, Chart]) -> Placement:
    """The funding chart after the section whose data holds it (else before the first company),
    the competitor map before the first company, the radar after the verdict decision."""
    placement = Placement()
    first_company = next((s.key for s in sections if s.kind == "company"), None)
    funding_home = next(
        (
            s.key
            for s in sections
            if isinstance(s.data.get("funding_chart"), list) and s.data["funding_chart"]
        ),
        None,
    )
    wanted: list[tuple[str, str | None, str]] = [
        ("competitors", first_company, "before"),
        ("funding", funding_home or first_company, "after" if funding_home else "before"),
        (
            "radar",
            "verdict_decision" if any(s.key == "verdict_decision" for s in sections) else None,
            "after",
        ),
    ]
    for chart_key, section_key, where in wanted:
        chart = laid.get(chart_key)
        if chart is None:
            continue
        if section_key is None:
            placement.end.append(chart)
        else:
            getattr(placement, where).setdefault(section_key, []).append(chart)
    return placement


def placed_charts(sections: list[ChartSection]) -> Placement:
    """The charts of a report's sections, laid out and placed (what the exports draw)."""
    return place(sections, export_charts(report_charts(sections)))
