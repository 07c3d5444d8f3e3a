"""PPTX export of a pitch deck with python-pptx: a 16:9 deck, one slide per slide section.

The deck opens with a title slide (startup, report title, version and date), then one slide
per section of kind "slide": its title, its bullets (`data["bullets"]`, else the section's
markdown list items) and its speaker notes (`data["notes"]`). Offline decks carry an "Offline
analysis" footer on every slide. Text is set as plain runs, never parsed as markup.
"""

from __future__ import annotations

import io
import re

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from marketnav.services.ai import OFFLINE_LABEL
from marketnav.services.reports.citations import MARKER
from marketnav.services.reports.evidence import run_is_demo
from marketnav.services.reports.evidence_render import data_used_count
from marketnav.services.reports.exports import ReportDocument, SectionDoc

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
TITLE_LAYOUT, CONTENT_LAYOUT = 0, 1
ACCENT = RGBColor(0x1F, 0x4E, 0x79)
MUTED = RGBColor(0x6B, 0x72, 0x80)
FOOTER = f"{OFFLINE_LABEL}: written without an AI model, from the data alone."
DEMO_FOOTER = "Demo data: built on the bundled demo data set, not live market data."
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*\S)\s*$")
_MARKUP = re.compile(r"(\*\*|__|`)")


def _plain(text: str) -> str:
    return MARKER.sub("", _MARKUP.sub("", text)).strip()


def _labels(doc: ReportDocument) -> list[str]:
    """What every slide says about how the deck was made (offline, demo data)."""
    demo = run_is_demo(doc.summary)
    return [label for label, on in ((FOOTER, doc.offline), (DEMO_FOOTER, demo)) if on]


def slide_bullets(section: SectionDoc) -> list[str]:
    """The slide's bullets: the structured ones, else the markdown's list items."""
    bullets = section.data.get("bullets") if isinstance(section.data, dict) else None
    if isinstance(bullets, list) and bullets:
        return [_plain(str(b)) for b in bullets if str(b).strip()]
    found = []
    for line in section.markdown.splitlines():
        match = _LIST_ITEM.match(line)
        if match:
            found.append(_plain(match.group(1)))
    return found


def _write(paragraph, text: str, size: int | None = None, color: RGBColor | None = None) -> None:
    """Set a paragraph's text as one plain run (works for empty text too)."""
    for run in list(paragraph.runs):
        run._r.getparent().remove(run._r)
    run = paragraph.add_run()
    run.text = text
    if size:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color


def _footer(slide, text: str) -> None:
    box = slide.shapes.add_textbox(
        Inches(0.5), HEIGHT - Inches(0.6), WIDTH - Inches(1), Inches(0.4)
    )
    _write(box.text_frame.paragraphs[0], text, 11, MUTED)


def _fit(shape, left: Emu, top: Emu, width: Emu, height: Emu) -> None:
    shape.left, shape.top, shape.width, shape.height = left, top, width, height


def render_pptx(doc: ReportDocument) -> bytes:
    """The deck as .pptx bytes: a title slide, then one slide per slide section."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    deck.core_properties.title = f"{doc.startup_name}: {doc.title}"
    deck.core_properties.author = "MarketNavigator"

    cover = deck.slides.add_slide(deck.slide_layouts[TITLE_LAYOUT])
    _fit(cover.shapes.title, Inches(0.8), Inches(2.2), WIDTH - Inches(1.6), Inches(1.6))
    _write(cover.shapes.title.text_frame.paragraphs[0], doc.startup_name, color=ACCENT)
    subtitle = cover.placeholders[1]
    _fit(subtitle, Inches(0.8), Inches(3.9), WIDTH - Inches(1.6), Inches(1.2))
    generated = f" · {doc.generated_at:%Y-%m-%d}" if doc.generated_at else ""
    _write(subtitle.text_frame.paragraphs[0], f"{doc.title} · version {doc.version}{generated}")
    if _labels(doc):
        _footer(cover, "  ·  ".join(_labels(doc)))
    if doc.data_used:
        cover.notes_slide.notes_text_frame.text = "Data used:\n" + "\n".join(
            f"- {line.get('source', '')}: {data_used_count(line)}"
            + (f" (via {line['report']})" if line.get("report") else "")
            for line in doc.data_used
        )

    slides = [s for s in doc.sections if s.kind == "slide"]
    for number, section in enumerate(slides, start=1):
        slide = deck.slides.add_slide(deck.slide_layouts[CONTENT_LAYOUT])
        _fit(slide.shapes.title, Inches(0.6), Inches(0.35), WIDTH - Inches(1.2), Inches(1.1))
        _write(slide.shapes.title.text_frame.paragraphs[0], section.title, color=ACCENT)
        body = slide.placeholders[1]
        _fit(body, Inches(0.8), Inches(1.6), WIDTH - Inches(1.6), HEIGHT - Inches(2.5))
        frame = body.text_frame
        frame.word_wrap = True
        bullets = slide_bullets(section) or [_plain(section.markdown)[:400]]
        for index, bullet in enumerate(bullets):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            _write(paragraph, bullet, 22 if len(bullets) <= 4 else 20)
        notes = section.data.get("notes") if isinstance(section.data, dict) else ""
        if notes:
            slide.notes_slide.notes_text_frame.text = str(notes)
        _footer(
            slide,
            "".join(f"{label}  ·  " for label in _labels(doc))
            + f"{doc.startup_name} · {number}/{len(slides)}",
        )
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
