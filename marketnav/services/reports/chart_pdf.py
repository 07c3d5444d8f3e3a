"""A laid-out chart (`chart_layout.Chart`) drawn with fpdf2's primitives in the PDF export.

Drawn rather than embedded as SVG so that labels go through `cell`, which uses the PDF's
font fallback and text shaping: a Chinese or Arabic company name prints like the body text.
"""

from __future__ import annotations

from fpdf import FPDF

from marketnav.services.reports.chart_layout import Chart, Circle, Line, Polygon, Rect, Text

PX_TO_PT = 0.75  # chart font sizes are CSS px
LABEL_BOX = 200.0  # mm: wide enough for any label; the text is aligned inside it


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def draw_chart(pdf: FPDF, chart: Chart, family: str) -> None:
    """Title, chart and notes at the current position, scaled to the text width."""
    scale = pdf.epw / chart.width
    height = chart.height * scale
    if pdf.get_y() + height + 16 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.set_font(family, "B", 10)
    pdf.multi_cell(0, 6, chart.title, new_x="LMARGIN", new_y="NEXT")
    left, top = pdf.l_margin, pdf.get_y()

    def at(x: float, y: float) -> tuple[float, float]:
        return left + x * scale, top + y * scale

    with pdf.local_context():
        for shape in chart.shapes:
            if isinstance(shape, Rect):
                pdf.set_fill_color(*_rgb(shape.fill))
                x, y = at(shape.x, shape.y)
                pdf.rect(x, y, shape.w * scale, shape.h * scale, style="F")
            elif isinstance(shape, Line):
                pdf.set_draw_color(*_rgb(shape.stroke))
                pdf.set_line_width(shape.width * scale)
                if shape.dashed:
                    pdf.set_dash_pattern(dash=1, gap=1)
                pdf.line(*at(shape.x1, shape.y1), *at(shape.x2, shape.y2))
                pdf.set_dash_pattern()
            elif isinstance(shape, Polygon):
                pdf.set_draw_color(*_rgb(shape.stroke))
                pdf.set_line_width(scale)
                points = [at(x, y) for x, y in shape.points]
                if shape.fill:
                    pdf.set_fill_color(*_rgb(shape.fill))
                    with pdf.local_context(fill_opacity=shape.fill_opacity):
                        pdf.polygon(points, style="DF")
                else:
                    pdf.polygon(points, style="D")
            elif isinstance(shape, Circle):
                pdf.set_fill_color(*_rgb(shape.fill))
                pdf.circle(*at(shape.cx, shape.cy), shape.r * scale, style="F")
            elif isinstance(shape, Text):
                _label(pdf, shape, family, at(shape.x, shape.y))
    pdf.set_xy(left, top + height + 2)
    pdf.set_font(family, size=8)
    pdf.set_text_color(82, 96, 109)
    for note in chart.notes:
        pdf.multi_cell(0, 4.5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)


def _label(pdf: FPDF, text: Text, family: str, anchor: tuple[float, float]) -> None:
    """One label: its baseline at the anchor, aligned as SVG's text-anchor says."""
    size_pt = text.size * PX_TO_PT
    pdf.set_font(family, "B" if text.bold else "", size_pt)
    pdf.set_text_color(*_rgb(text.fill))
    height = size_pt / pdf.k * 1.2
    x, baseline = anchor
    # A box around the anchor, kept on the page (fpdf2 reads a negative x from the right edge).
    room_left, room_right = x - 0.5, pdf.w - x - 0.5
    if text.anchor == "end":
        width, box_x, align = min(LABEL_BOX, room_left), x - min(LABEL_BOX, room_left), "R"
    elif text.anchor == "middle":
        half = min(LABEL_BOX / 2, room_left, room_right)
        width, box_x, align = 2 * half, x - half, "C"
    else:
        width, box_x, align = min(LABEL_BOX, room_right), x, "L"
    pdf.set_xy(box_x, baseline - height * 0.75)
    margin, pdf.c_margin = pdf.c_margin, 0
    try:
        pdf.cell(width, height, text.text, align=align)
    finally:
        pdf.c_margin = margin
