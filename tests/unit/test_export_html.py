"""HTML export: section HTML from exports.section_html, Data used under the header, section
anchors, inline SVG charts (escaped, no scripts) and a font stack with the Noto fonts."""

from __future__ import annotations

import re

from marketnav.services.reports import exports
from marketnav.services.reports.export_html import render_html
from marketnav.services.reports.exports import ReportDocument, SectionDoc


def _doc(**summary) -> ReportDocument:
    sections = [
        SectionDoc(
            "funding_overview",
            "Funding",
            "chart",
            "Funding of the field.",
            data={
                "funding_chart": [
                    {"name": "Rover", "funding_usd": 310_000_000},
                    {"name": "<script>alert(1)</script>", "funding_usd": 50_000_000},
                    {"name": "Unknown Co", "funding_usd": None},
                ]
            },
        ),
        SectionDoc("company_rover", "Rover", "company", "About Rover.", "Rover", {"score": 0.9}),
        SectionDoc(
            "verdict_decision",
            "Verdict Decision",
            "markdown",
            "ITERATE.",
            data={
                "verdict": "ITERATE",
                "total_score": 61,
                "scores": {
                    "demand": None,
                    "competition": 40,
                    "differentiation": 55,
                    "economics": 70,
                    "feasibility": 65,
                },
            },
        ),
    ]
    return ReportDocument(
        "quick_report", "Quick Report", "Pets", "PawPal", 1, None, sections, summary
    )


def test_sections_come_from_section_html_with_their_anchor_as_id(monkeypatch):
    monkeypatch.setattr(
        exports,
        "section_html",
        lambda s: (
            f'<p>{s.key} says 1<sup class="cite"><a href="#src-{s.key}-1">1</a></sup></p>'
            f'<ol class="sources"><li id="src-{s.key}-1">A source</li></ol>'
        ),
    )
    html = render_html(_doc())
    for key in ("funding_overview", "company_rover", "verdict_decision"):
        assert f'<section id="sec-{key}">' in html
        assert f'<li><a href="#sec-{key}">' in html  # the contents link to the anchor
        assert f'<a href="#src-{key}-1">1</a>' in html and f'<li id="src-{key}-1">' in html


def test_the_data_used_box_sits_right_under_the_header(monkeypatch):
    html = render_html(
        _doc(data_used=[{"source": "Crunchbase", "records": 4, "noun": "companies", "demo": True}])
    )
    box = html.index('class="data-used"')
    assert html.index("</header>") < box < html.index("<nav>")
    assert "Built on demo data." in html[box:]
    assert 'class="data-used"' not in render_html(_doc())  # no data used lines: no empty box


def test_charts_are_inline_svg_with_escaped_text_and_no_script():
    html = render_html(_doc())
    assert html.count("<svg ") == 2  # funding and radar; one company cannot make a map
    assert "<script" not in html.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'data-chart="funding"' in html and 'data-chart="radar"' in html
    assert "1 company without public funding not shown." in html
    funding_figure = re.search(r'<figure class="chart" data-chart="funding">.*?</figure>', html)
    assert "Unknown Co" not in funding_figure.group(0)
    # The funding chart follows the body of the section that holds its data.
    assert html.index("Funding of the field.") < html.index('data-chart="funding"')
    assert html.index('data-chart="funding"') < html.index('id="sec-company_rover"')
    # The radar follows the verdict; the unknown axis is labelled, never drawn as 0.
    radar = html[html.index('data-chart="radar"') :]
    assert "Demand: unknown" in radar and "Competition: 40" in radar
    assert "fill-opacity" not in radar  # no filled area while an axis is unknown
    assert "No score, so not drawn (not 0): Demand." in radar


def test_the_font_stack_names_the_noto_fonts():
    html = render_html(_doc())
    body_css = re.search(r"body\{font-family:([^;]+);", html).group(1)
    for family in ("Noto Sans", "Noto Sans Arabic", "Noto Sans CJK SC", "Noto Color Emoji"):
        assert f'"{family}"' in body_css
    assert "unicode-bidi:plaintext" in html  # Arabic and Persian paragraphs run right to left
