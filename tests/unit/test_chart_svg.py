"""Chart data, layout and SVG of the exports: missing values are left out and said, never 0."""

from __future__ import annotations

import pytest

from marketnav.services.reports import chart_data, chart_layout, chart_svg
from marketnav.services.reports.chart_data import ChartSection


def _company(name: str, **data) -> ChartSection:
    return ChartSection(f"company_{name.lower()}", "company", name, data)


def _verdict(scores: dict) -> ChartSection:
    return ChartSection(
        "verdict_decision", "markdown", "Verdict", {"verdict": "go", "scores": scores}
    )


OLD_SCORES = {
    "demand": 70,
    "competition": 40,
    "differentiation": 55,
    "economics": 0,
    "feasibility": 65,
}


def test_funding_from_company_sections_counts_companies_without_a_figure():
    sections = [
        _company("Big", funding_usd=2e9),
        _company("Nested", facts={"total_funding_usd": "5000000"}),
        _company("Unknown"),
        _company("Junk", funding_usd="n/a"),
        _company("Zero", funding_usd=0),  # a reported 0 is a figure, drawn as 0
    ]
    charts = chart_data.report_charts(sections)
    assert [p["name"] for p in charts.funding] == ["Big", "Nested", "Zero"]
    assert charts.funding[0]["funding_musd"] == 2000.0
    assert charts.funding_unknown == 2 and charts.funding_hidden == 0
    chart = chart_layout.funding_chart(charts.funding, charts.funding_unknown, 0)
    assert chart.notes == ["2 companies without public funding not shown."]
    labels = [s.text for s in chart.shapes if isinstance(s, chart_layout.Text)]
    assert "$2.00B" in labels and "$0.0M" in labels and "Unknown" not in labels


def test_funding_keeps_the_largest_bars_and_says_how_many_are_cut():
    sections = [_company(f"C{i}", funding_usd=(i + 1) * 1e6) for i in range(15)]
    charts = chart_data.report_charts(sections)
    assert len(charts.funding) == chart_data.MAX_FUNDING_BARS and charts.funding_hidden == 3
    chart = chart_layout.funding_chart(charts.funding, 0, charts.funding_hidden)
    assert chart.notes == ["The 12 largest shown; 3 smaller ones not shown."]


@pytest.mark.parametrize(
    ("scores", "unknown"),
    [
        (OLD_SCORES, []),  # old stored runs: int scores, a 0 is a real 0
        ({**OLD_SCORES, "demand": None}, ["Demand"]),
        ({**OLD_SCORES, "demand": "unknown", "economics": {"raw": None}}, ["Demand", "Economics"]),
    ],
)
def test_verdict_axes_keep_unknown_scores_as_none(scores, unknown):
    badge, points, axes = chart_data.verdict_chart([_verdict(scores)])
    assert badge["verdict"] == "GO"
    assert [a["axis"] for a in axes if a["score"] is None] == unknown
    assert {p["axis"] for p in points}.isdisjoint(unknown)  # the viewer's points: known only
    chart = chart_layout.radar_chart(axes)
    labels = [s.text for s in chart.shapes if isinstance(s, chart_layout.Text)]
    for axis in unknown:
        assert f"{axis}: unknown" in labels
    filled = [s for s in chart.shapes if isinstance(s, chart_layout.Polygon) and s.fill]
    dashed = [s for s in chart.shapes if isinstance(s, chart_layout.Line) and s.dashed]
    dots = [s for s in chart.shapes if isinstance(s, chart_layout.Circle)]
    assert len(dots) == 5 - len(unknown)  # no point at the centre for an unknown axis
    assert len(dashed) == len(unknown)
    if unknown:
        assert not filled and chart.notes == [
            f"No score, so not drawn (not 0): {', '.join(unknown)}."
        ]
    else:
        assert len(filled) == 1 and "Economics: 0" in labels and not chart.notes


def test_competitor_map_counts_companies_it_cannot_place():
    sections = [
        _company("A", funding_usd=10e6, score=0.9),
        _company("B", funding_usd=20e6, score=0.4),
        _company("C", score=0.7),
        _company("D", funding_usd=5e6),
    ]
    charts = chart_data.report_charts(sections)
    assert [p["name"] for p in charts.competitors] == ["A", "B"]
    assert charts.competitor_y_label == "Score" and charts.competitors_unplaced == 2
    chart = chart_layout.competitor_chart(charts.competitors, "Score", 2)
    assert "2 companies without public funding or a score not shown." in chart.notes


def test_placement_follows_the_viewer():
    sections = [
        ChartSection("overview", "markdown", "Overview", {}),
        _company("A", funding_usd=10e6, score=0.9),
        _company("B", funding_usd=20e6, score=0.4),
        _verdict(OLD_SCORES),
    ]
    placement = chart_layout.placed_charts(sections)
    assert [c.key for c in placement.before["company_a"]] == ["competitors", "funding"]
    assert [c.key for c in placement.after["verdict_decision"]] == ["radar"]
    assert not placement.end


def test_nice_ticks_cover_the_range_with_round_steps():
    assert chart_layout.nice_ticks(361.5) == [0, 100, 200, 300, 400]
    assert chart_layout.nice_ticks(0.91) == [0, 0.25, 0.5, 0.75, 1.0]
    assert chart_layout.nice_ticks(0) == [0, 0.25, 0.5, 0.75, 1.0]  # all zero still has an axis


def test_svg_escapes_text_and_holds_only_drawing_elements():
    charts = chart_data.report_charts(
        [
            _company('<b onclick="x">', funding_usd=1e6),
            _company("Ok & Co", funding_usd=2e6),
        ]
    )
    svg = chart_svg.render_svg(chart_layout.funding_chart(charts.funding, 0, 0))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and svg.endswith("</svg>")
    assert "<b " not in svg and "&lt;b onclick=&quot;x&quot;&gt;" in svg
    assert "Ok &amp; Co" in svg and "<script" not in svg and "href" not in svg
