"""PPTX export of a pitch deck: 16:9, title slide + one slide per slide section, notes, footer."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from pptx import Presentation
from pptx.util import Inches

from marketnav.services.reports import exports
from marketnav.services.reports.catalog import PITCH_SLIDES
from marketnav.services.reports.export_pptx import DEMO_FOOTER, FOOTER, render_pptx
from marketnav.services.reports.exports import ReportDocument, SectionDoc


def document(offline: bool = True, extra: list[SectionDoc] | None = None) -> ReportDocument:
    slides = [
        SectionDoc(
            key=f"slide_{n:02d}",
            title=title,
            kind="slide",
            markdown="- ignored when data has bullets",
            data={"bullets": [f"{title} point {i}" for i in range(1, 4)], "notes": f"Say {n}"},
        )
        for n, title in enumerate(PITCH_SLIDES, start=1)
    ]
    return ReportDocument(
        report_type="pitch_deck",
        title="Pitch Deck Report",
        project_name="FreshBox project",
        startup_name="FreshBox",
        version=2,
        generated_at=datetime(2025, 5, 1, 12, 0, tzinfo=UTC),
        sections=[*slides, *(extra or [])],
        summary={"offline_analysis": True} if offline else {},
    )


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def test_a_16_9_deck_with_a_title_slide_and_one_slide_per_section():
    deck = Presentation(io.BytesIO(render_pptx(document())))
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    assert len(deck.slides) == 11
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles == ["FreshBox", *PITCH_SLIDES]
    assert "Pitch Deck Report · version 2 · 2025-05-01" in texts(deck.slides[0])
    problem = deck.slides[2]
    body = problem.placeholders[1].text_frame
    assert [p.text for p in body.paragraphs] == [f"Problem point {i}" for i in range(1, 4)]
    assert problem.notes_slide.notes_text_frame.text == "Say 2"
    assert deck.core_properties.title == "FreshBox: Pitch Deck Report"


def test_offline_decks_carry_the_offline_footer_on_every_slide():
    offline = Presentation(io.BytesIO(render_pptx(document(offline=True))))
    assert all(any(FOOTER in t for t in texts(s)) for s in offline.slides)
    assert any("FreshBox · 3/10" in t for t in texts(offline.slides[3]))
    online = Presentation(io.BytesIO(render_pptx(document(offline=False))))
    assert not any(FOOTER in t for s in online.slides for t in texts(s))


def test_bullets_fall_back_to_the_markdown_and_other_sections_are_skipped():
    fallback = SectionDoc(
        key="slide_11",
        title="Appendix",
        kind="slide",
        markdown="Intro line\n- **First** point\n2. Second `point`\n\n> Speaker notes: x",
    )
    overview = SectionDoc(key="notes", title="Notes", kind="markdown", markdown="- not a slide")
    deck = Presentation(io.BytesIO(render_pptx(document(extra=[fallback, overview]))))
    assert len(deck.slides) == 12
    last = deck.slides[-1]
    assert last.shapes.title.text == "Appendix"
    assert [p.text for p in last.placeholders[1].text_frame.paragraphs] == [
        "First point",
        "Second point",
    ]


def test_pitch_decks_export_pptx_through_the_export_registry():
    assert exports.formats_for("pitch_deck")[-1] == "pptx"
    assert "pptx" not in exports.formats_for("verdict")
    data = exports.render(document(), "pptx")
    assert data[:2] == b"PK" and len(Presentation(io.BytesIO(data)).slides) == 11


def test_a_deck_on_demo_data_says_so_on_every_slide_and_lists_its_data():
    doc = document(offline=False)
    doc.summary["data_used"] = [
        {
            "source": "Crunchbase · bundled demo data set (not live Crunchbase data)",
            "records": 8,
            "noun": "companies",
            "demo": True,
            "report": "Crunchbase Analysis v1",
        }
    ]
    deck = Presentation(io.BytesIO(render_pptx(doc)))
    assert all(any(DEMO_FOOTER in t for t in texts(s)) for s in deck.slides)
    notes = deck.slides[0].notes_slide.notes_text_frame.text
    assert notes.startswith("Data used:") and "8 companies (via Crunchbase Analysis v1)" in notes
    live = document(offline=False)
    live.summary["data_used"] = [{**doc.summary["data_used"][0], "demo": False}]
    rendered = Presentation(io.BytesIO(render_pptx(live)))
    assert not any(DEMO_FOOTER in t for s in rendered.slides for t in texts(s))
