"""Competitor-map labels never collide (#13: "PlanetGusto" over "Flexpo"), in the exports'
layout and in the viewer's chart at a phone's and a desktop's width."""

from __future__ import annotations

import itertools

import pytest

from marketnav.services.reports import chart_layout, label_layout, viewer_charts

# What the report showed: two companies with almost the same funding and score among others.
MARKET = [
    {"name": "PlanetGusto", "funding_musd": 48.0, "y": 61.0},
    {"name": "Flexpo", "funding_musd": 52.0, "y": 60.0},
    {"name": "Gustoso Foods", "funding_musd": 70.0, "y": 66.0},
    {"name": "MealWheel", "funding_musd": 30.0, "y": 55.0},
    {"name": "Snackly", "funding_musd": 140.0, "y": 20.0},
    {"name": "Big Kitchen Group", "funding_musd": 400.0, "y": 90.0},
    {"name": "Tiny Bites", "funding_musd": 0.5, "y": 5.0},
    {"name": "ChefAtHome Market", "funding_musd": 210.0, "y": 58.0},
]
# A crowd no layout can label beside each point at phone width (points on top of each other).
CROWD = [
    {"name": name, "funding_musd": 12.0 + i * 0.4, "y": 60.0 + (i % 3)}
    for i, name in enumerate(["PlanetGusto", "Flexpo", "Gustoso", "MealWheel", "Chefly", "Bitey"])
] + [{"name": "Big Kitchen Group", "funding_musd": 400.0, "y": 90.0}]


def _text_box(text: chart_layout.Text) -> label_layout.Box:
    width, height = label_layout.label_size(text.text, text.size)
    return label_layout.Box(text.x - 1, text.y - height + 3, text.x - 1 + width, text.y + 3)


@pytest.mark.parametrize("points", [MARKET, CROWD], ids=["market", "crowd"])
def test_export_labels_do_not_overlap_and_every_name_is_shown_or_said(points):
    chart = chart_layout.competitor_chart(points, "Score", 0)
    names = {p["name"] for p in points}
    labels = [s for s in chart.shapes if isinstance(s, chart_layout.Text) and s.text in names]
    assert {"PlanetGusto", "Flexpo"} <= {t.text for t in labels}
    for a, b in itertools.combinations(labels, 2):
        assert not _text_box(a).overlaps(_text_box(b), gap=0), (a.text, b.text)
    dots = [s for s in chart.shapes if isinstance(s, chart_layout.Circle)]
    for label in labels:  # no label covers another company's point
        box = _text_box(label)
        assert sum(box.hits_circle(d.cx, d.cy, d.r) for d in dots) <= 1, label.text
    shown = {t.text for t in labels}
    missing = names - shown
    assert all(any(n in note for note in chart.notes) for n in missing)
    if points is MARKET:
        assert shown == names  # room for every label, so every label is drawn


def test_placement_refuses_a_place_taken_in_any_scene():
    size = label_layout.label_size("PlanetGusto", 11)
    bounds = label_layout.Box(0, 0, 300, 300)
    # Far apart on a wide screen, on top of each other on a narrow one.
    wide = label_layout.Scene([(100, 150), (200, 150)], bounds)
    narrow = label_layout.Scene([(100, 150), (104, 150)], bounds)
    alone = label_layout.place([wide], [size, size])
    assert alone == ["top", "top"]
    both = label_layout.place([wide, narrow], [size, size])
    assert both[0] != both[1] and None not in both


@pytest.mark.parametrize("points", [MARKET, CROWD], ids=["market", "crowd"])
def test_viewer_labels_fit_at_phone_and_desktop_width(points):
    shown = viewer_charts.competitor_map_view(points)
    assert set(shown["by_position"]) == {*viewer_charts.POSITIONS, "none"}
    placed = {p["name"]: where for where, pts in shown["by_position"].items() for p in pts}
    assert set(placed) == {p["name"] for p in points}
    if points is MARKET:
        # At a phone's width PlanetGusto and Flexpo are 2 px apart, next to the y axis: one
        # label fits beside them, the other name is said under the chart, never drawn over.
        assert [placed["PlanetGusto"], placed["Flexpo"]].count("none") <= 1
        assert sum(where != "none" for where in placed.values()) >= 7
    # The fixed domains the placement was computed for.
    assert shown["x_domain"][0] == 0 and shown["x_domain"][1] >= 400
    assert shown["y_domain"][0] <= 5 and shown["y_domain"][1] >= 90
    unlabelled = [n for n, where in placed.items() if where == "none"]
    assert shown["unlabelled"] == ", ".join(unlabelled)
    # Recheck the viewer's own geometry: no two labels overlap at any checked width.
    for width in viewer_charts.CHECKED_WIDTHS:
        scene, sizes = viewer_charts.scene_at(points, shown, width)
        names = [p["name"] for p in points]
        chosen = [None if placed[n] == "none" else placed[n] for n in names]
        boxes = [b for b in label_layout.boxes_of(scene, sizes, chosen) if b is not None]
        for a, b in itertools.combinations(boxes, 2):
            assert not a.overlaps(b, gap=0), width
