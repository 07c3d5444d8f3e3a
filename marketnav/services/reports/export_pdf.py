"""PDF export with fpdf2: the Data used box, each section's HTML, and the report's charts.

Text is set in Noto Sans with fallbacks for Arabic/Persian, CJK, emoji and symbols, shaped
with HarfBuzz (uharfbuzz) so Arabic joins and runs right to left (`pdf_fonts`). Each section's
HTML comes from `exports.section_html`, as in the HTML export; its citation links
(`<a href="#src-…">`) become internal links to the Sources list items (named destinations).
Every character written is collected, and any that no installed font covers is logged.
"""

from __future__ import annotations

import logging
import re
from html import unescape

from fpdf import FPDF
from fpdf.fonts import FontFace
from fpdf.html import HTML2FPDF

from marketnav.services.reports import chart_data, chart_layout, chart_pdf, exports, pdf_fonts
from marketnav.services.reports.exports import ReportDocument

logger = logging.getLogger(__name__)
_CELL = re.compile(r"(<t[dh](?:\s[^>]*)?>)(.*?)(</t[dh]>)", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_ID = re.compile(r"""\sid=["']([^"']+)["']""")


def _flatten_cells(html: str) -> str:
    """fpdf2 tables take plain text only: drop inline tags (bold, links, code) inside cells."""
    return _CELL.sub(lambda m: m.group(1) + _TAG.sub("", m.group(2)) + m.group(3), html)


class _AnchoredHTML(HTML2FPDF):
    """fpdf2's HTML layout, plus: an element's `id` becomes a named destination, and a
    `#fragment` link whose target the document lacks is written as plain text."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        super().handle_starttag(tag, attrs)
        values = dict(attrs)
        pdf: _ReportPDF = self.pdf  # type: ignore[assignment]
        if values.get("id"):
            pdf.set_link(name=values["id"], y=pdf.get_y(), page=pdf.page)
        href = self.href if tag == "a" and isinstance(self.href, str) else ""
        if href.startswith("#") and href[1:] not in pdf.anchors:
            self.href = ""


class _ReportPDF(FPDF):
    HTML2FPDF_CLASS = _AnchoredHTML

    def __init__(self, footer_text: str, anchors: set[str], chars: set[str], mono: bool):
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.anchors = anchors  # ids the document defines: internal links may point there
        self.used_chars: set[str] = set()
        self.families = pdf_fonts.install_fonts(self, chars | set(footer_text), mono=mono)

    def normalize_text(self, text: str) -> str:
        self.used_chars.update(text)
        return super().normalize_text(text)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.families.main, size=8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 8, f"{self.footer_text} · page {self.page_no()}", align="C")

    def line_text(self, text: str, size: float, style: str = "", height: float = 6) -> None:
        self.set_font(self.families.main, style, size)
        self.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    def html_block(self, html: str, key: str) -> None:
        """Lay out sanitised HTML; markup fpdf2 cannot lay out keeps its words as plain text."""
        family = self.families.main
        html = _flatten_cells(html)
        styles = {
            "code": FontFace(family=self.families.mono),
            "pre": FontFace(family=self.families.mono),
        }
        self.set_font(family, size=10)
        if self.text_shaping:  # a cell or multi_cell before leaves its direction behind; unset,
            # HarfBuzz guesses each run's direction (else Arabic after Latin prints reversed)
            self.text_shaping.update(fragment_direction=None, paragraph_direction=None)
        try:
            self.write_html(html, font_family=family, tag_styles=styles)
        except Exception:  # keep the words, lose the formatting
            logger.warning("PDF: section %s rendered as plain text", key, exc_info=True)
            self.set_font(family, size=10)
            self.multi_cell(0, 5, unescape(_TAG.sub("", html)), new_x="LMARGIN", new_y="NEXT")


def _anchors(doc: ReportDocument, htmls: list[str]) -> set[str]:
    ids = {section.anchor for section in doc.sections}
    for html in htmls:
        ids.update(_ID.findall(html))
    return ids


def _boxed(pdf: _ReportPDF, html: str) -> None:
    """The Data used box: its HTML inside a thin frame (when it fits on one page)."""
    page, top = pdf.page, pdf.get_y()
    with pdf.local_context():
        pdf.set_left_margin(pdf.l_margin + 3)
        pdf.set_right_margin(pdf.r_margin + 3)
        pdf.set_x(pdf.l_margin)
        pdf.html_block(html, "data_used")
    pdf.set_left_margin(pdf.l_margin - 3)
    pdf.set_right_margin(pdf.r_margin - 3)
    pdf.set_x(pdf.l_margin)
    if pdf.page == page:
        with pdf.local_context(draw_color=(200, 205, 212), line_width=0.3):
            pdf.rect(pdf.l_margin, top - 1, pdf.epw, pdf.get_y() - top + 2)
    pdf.ln(2)


def _chart_text(chart: chart_layout.Chart) -> str:
    labels = [shape.text for shape in chart.shapes if isinstance(shape, chart_layout.Text)]
    return " ".join([chart.title, *labels, *chart.notes])


def render_pdf(doc: ReportDocument) -> bytes:
    """The report as an A4 PDF: header, Data used, then each section with its charts."""
    data_used = exports.data_used_html(doc)
    bodies = [exports.section_html(section) for section in doc.sections]
    placement = chart_layout.placed_charts(chart_data.from_sections(doc.sections))
    htmls = [data_used, *bodies]
    texts = [doc.title, doc.startup_name, doc.project_name, *map(unescape, htmls)]
    texts += [s.company_name or s.title for s in doc.sections]
    texts += [_chart_text(chart) for chart in placement.all()]
    pdf = _ReportPDF(
        f"{doc.title} · {doc.startup_name} · v{doc.version}",
        _anchors(doc, htmls),
        set("".join(texts)),
        mono=any("<code" in html or "<pre" in html for html in htmls),
    )
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_title(f"{doc.title}: {doc.startup_name}")
    pdf.set_author("MarketNavigator")
    pdf.add_page()
    pdf.line_text(f"{doc.title}: {doc.startup_name}", 18, "B", 9)
    generated = f"{doc.generated_at:%Y-%m-%d %H:%M} UTC" if doc.generated_at else "in progress"
    pdf.line_text(f"{doc.project_name} · version {doc.version} · {generated}", 10)
    if doc.offline:
        pdf.set_text_color(150, 90, 0)
        pdf.line_text("Offline analysis: written without an AI model, from the data alone.", 10)
        pdf.set_text_color(0, 0, 0)
    if data_used.strip():
        pdf.ln(3)
        _boxed(pdf, data_used)
    family = pdf.families.main
    for section, body in zip(doc.sections, bodies, strict=True):
        for chart in placement.before.get(section.key, []):
            pdf.ln(2)
            chart_pdf.draw_chart(pdf, chart, family)
        pdf.ln(4)
        pdf.set_link(name=section.anchor, y=pdf.get_y(), page=pdf.page)
        pdf.line_text(section.company_name or section.title, 14, "B", 8)
        pdf.html_block(body, section.key)
        for chart in placement.after.get(section.key, []):
            pdf.ln(2)
            chart_pdf.draw_chart(pdf, chart, family)
    for chart in placement.end:
        chart_pdf.draw_chart(pdf, chart, family)
    data = bytes(pdf.output())
    _warn_uncovered(pdf, doc)
    return data


def _warn_uncovered(pdf: _ReportPDF, doc: ReportDocument) -> list[str]:
    missing = pdf_fonts.uncovered(pdf, pdf.used_chars)
    if missing:
        listed = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:40])
        more = f" and {len(missing) - 40} more" if len(missing) > 40 else ""
        logger.warning(
            "PDF export of %s v%s: no installed font has a glyph for %s%s; they print as empty "
            "boxes (install fonts-noto-core, fonts-noto-cjk, fonts-noto-color-emoji)",
            doc.report_type,
            doc.version,
            listed,
            more,
        )
    return missing
