"""Inline SVG of a laid-out chart (`chart_layout.Chart`) for the HTML export.

Plain SVG written by hand rather than a plotting library: the three charts are a few dozen
rectangles, lines and labels, the layout is shared with the PDF renderer, and every piece of
text is escaped here (company names come from scraped or model-written data). No scripts, no
external references: the figure is safe to inline and works offline.
"""

from __future__ import annotations

from html import escape

from marketnav.services.reports.chart_layout import Chart, Circle, Line, Polygon, Rect, Shape, Text

FONT_STACK = (
    "'Noto Sans','Noto Sans Arabic','Noto Sans CJK SC','Noto Sans CJK JP',"
    "'Noto Sans CJK KR','Noto Color Emoji',system-ui,sans-serif"
)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _shape(shape: Shape) -> str:
    if isinstance(shape, Rect):
        return (
            f'<rect x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.w)}" '
            f'height="{_n(shape.h)}" rx="3" fill="{shape.fill}"/>'
        )
    if isinstance(shape, Line):
        dash = ' stroke-dasharray="3 3"' if shape.dashed else ""
        return (
            f'<line x1="{_n(shape.x1)}" y1="{_n(shape.y1)}" x2="{_n(shape.x2)}" '
            f'y2="{_n(shape.y2)}" stroke="{shape.stroke}" stroke-width="{_n(shape.width)}"{dash}/>'
        )
    if isinstance(shape, Polygon):
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in shape.points)
        fill = (
            f'fill="{shape.fill}" fill-opacity="{shape.fill_opacity:g}"'
            if shape.fill
            else 'fill="none"'
        )
        return f'<polygon points="{points}" stroke="{shape.stroke}" {fill}/>'
    if isinstance(shape, Circle):
        centre = f'cx="{_n(shape.cx)}" cy="{_n(shape.cy)}"'
        return f'<circle {centre} r="{_n(shape.r)}" fill="{shape.fill}"/>'
    if isinstance(shape, Text):
        weight = ' font-weight="bold"' if shape.bold else ""
        return (
            f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" font-size="{_n(shape.size)}" '
            f'text-anchor="{shape.anchor}" fill="{shape.fill}"{weight}>{escape(shape.text)}</text>'
        )
    raise TypeError(f"Unknown shape {shape!r}")


def render_svg(chart: Chart) -> str:
    """The chart as one `<svg>` element (scales to its container's width)."""
    body = "".join(_shape(shape) for shape in chart.shapes)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(chart.width)} '
        f'{_n(chart.height)}" width="100%" role="img" aria-label="{escape(chart.title)}" '
        f'font-family="{FONT_STACK}"><title>{escape(chart.title)}</title>{body}</svg>'
    )


def render_figure(chart: Chart) -> str:
    """The chart as a `<figure>`: its title, the SVG and its notes (what is not drawn)."""
    notes = "".join(f'<p class="chart-note">{escape(note)}</p>' for note in chart.notes)
    return (
        f'<figure class="chart" data-chart="{escape(chart.key)}">'
        f"<figcaption>{escape(chart.title)}</figcaption>{render_svg(chart)}{notes}</figure>"
    )
