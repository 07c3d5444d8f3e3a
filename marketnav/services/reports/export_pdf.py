"""PDF export with fpdf2: the sanitised HTML of each section laid out with a Unicode font.

fpdf2's core fonts are Latin-1 only, so a TrueType font (DejaVu Sans, Debian's fonts-dejavu-core,
installed in the Docker image too) is embedded; text in other scripts still renders.
"""

from __future__ import annotations

import logging
import re
from html import unescape
from pathlib import Path

from fpdf import FPDF

from marketnav.services.markdown_render import to_safe_html
from marketnav.services.reports.exports import ReportDocument

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"


logger = logging.getLogger(__name__)
_CELL = re.compile(r"(<t[dh](?:\s[^>]*)?>)(.*?)(</t[dh]>)", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _flatten_cells(html: str) -> str:
    """fpdf2 tables take plain text only: drop inline tags (bold, links, code) inside cells."""
    return _CELL.sub(lambda m: m.group(1) + _TAG.sub("", m.group(2)) + m.group(3), html)


class _ReportPDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 8, f"{self.footer_text} · page {self.page_no()}", align="C")


def _font_files() -> dict[str, Path]:
    files = {
        "": FONT_DIR / "DejaVuSans.ttf",
        "B": FONT_DIR / "DejaVuSans-Bold.ttf",
        "I": FONT_DIR / "DejaVuSans-Oblique.ttf",
        "BI": FONT_DIR / "DejaVuSans-BoldOblique.ttf",
    }
    missing = [str(p) for p in files.values() if not p.exists()]
    if missing:
        raise RuntimeError(f"PDF export needs the DejaVu fonts (fonts-dejavu-core): {missing}")
    return files


def render_pdf(doc: ReportDocument) -> bytes:
    """The report as an A4 PDF (title page header, then each section)."""
    pdf = _ReportPDF(f"{doc.title} · {doc.startup_name} · v{doc.version}")
    for style, path in _font_files().items():
        pdf.add_font(FONT, style=style, fname=str(path))
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_title(f"{doc.title}: {doc.startup_name}")
    pdf.set_author("MarketNavigator")
    pdf.add_page()
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(0, 9, f"{doc.title}: {doc.startup_name}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    generated = f"{doc.generated_at:%Y-%m-%d %H:%M} UTC" if doc.generated_at else "in progress"
    pdf.multi_cell(
        0,
        6,
        f"{doc.project_name} · version {doc.version} · {generated}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if doc.offline:
        pdf.set_text_color(150, 90, 0)
        pdf.multi_cell(
            0,
            6,
            "Offline analysis: written without an AI model, from the data alone.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_text_color(0, 0, 0)
    for section in doc.sections:
        pdf.ln(4)
        pdf.set_font(FONT, "B", 14)
        pdf.multi_cell(0, 8, section.company_name or section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=10)
        html = _flatten_cells(to_safe_html(section.markdown))
        try:
            pdf.write_html(html, font_family=FONT)
        except Exception:  # markup fpdf2 cannot lay out: keep the words, lose the formatting
            logger.warning("PDF: section %s rendered as plain text", section.key, exc_info=True)
            pdf.set_font(FONT, size=10)
            pdf.multi_cell(0, 5, unescape(_TAG.sub("", html)), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
