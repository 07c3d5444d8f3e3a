"""Charts of the report viewer (Recharts): funding by company, verdict radar, competitor map.

Each takes a var holding a list of points prepared by `services.reports.viewer`; sizes are
fixed heights with a responsive width, so a chart never widens the page on a phone.
"""

from __future__ import annotations

import reflex as rx

from marketnav.services.reports import viewer_charts

AXIS = "var(--gray-11)"
ACCENT = "var(--accent-9)"


def _chart_box(
    title: str, chart: rx.Component, test_id: str, caption: rx.Component | None = None
) -> rx.Component:
    return rx.box(
        rx.text(title, size="2", weight="bold"),
        caption or rx.fragment(),
        rx.box(chart, margin_top="6px"),
        class_name="mn-chart",
        custom_attrs={"data-testid": test_id},
    )


def funding_chart(points: rx.Var) -> rx.Component:
    """Horizontal bars of funding ($M) by company, largest first (long names stay readable)."""
    return _chart_box(
        "Funding by company ($M)",
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", horizontal=False),
            rx.recharts.x_axis(type_="number", stroke=AXIS, unit=" M"),
            rx.recharts.y_axis(
                data_key="name", type_="category", width=110, stroke=AXIS, interval=0
            ),
            rx.recharts.graphing_tooltip(),
            rx.recharts.bar(
                data_key="funding_musd",
                name="Funding ($M)",
                fill=ACCENT,
                radius=[0, 4, 4, 0],
                max_bar_size=28,
                is_animation_active=False,
            ),
            data=points,
            layout="vertical",
            height=320,
            width="100%",
            margin={"top": 5, "right": 16, "bottom": 5, "left": 5},
        ),
        "funding-chart",
    )


def _radar(points: rx.Var, outer_radius: str, font_size: int) -> rx.Component:
    return rx.recharts.radar_chart(
        rx.recharts.polar_grid(),
        rx.recharts.polar_angle_axis(
            data_key="axis", stroke=AXIS, tick={"fontSize": font_size, "fill": AXIS}
        ),
        # Ticks between Demand (top) and Competition, clear of the axis labels.
        rx.recharts.polar_radius_axis(domain=[0, 100], angle=54, tick_count=5),
        rx.recharts.radar(
            data_key="score",
            name="Score",
            stroke=ACCENT,
            fill=ACCENT,
            fill_opacity=0.35,
            is_animation_active=False,
        ),
        rx.recharts.graphing_tooltip(),
        data=points,
        height=300,
        width="100%",
        outer_radius=outer_radius,
    )


def verdict_radar(points: rx.Var, unknown_axes: rx.Var | str = "") -> rx.Component:
    """The verdict's known axes (0-100); unknown axes are named below, never drawn as 0.

    The axis names have a fixed width while the chart is as wide as the screen: on a phone
    the radar is drawn smaller (and its names a little smaller), so "Competition" and
    "Feasibility" are not cut at the chart's edges."""
    return _chart_box(
        "Scores by axis",
        rx.fragment(
            rx.box(_radar(points, "70%", 14), class_name="mn-wide-only"),
            rx.box(_radar(points, "42%", 12), class_name="mn-narrow-only"),
        ),
        "verdict-radar",
        rx.cond(
            unknown_axes != "",
            rx.text(
                "Unknown (no evidence), not drawn: ",
                unknown_axes,
                size="1",
                color_scheme="gray",
                custom_attrs={"data-testid": "radar-unknown"},
            ),
        ),
    )


def competitor_map(view: rx.Var, y_label: rx.Var) -> rx.Component:
    """Companies by funding ($M, x) and score or rank (y). Each label sits on the side of its
    point that `services.reports.viewer_charts` found free at every width (one series per
    side); points whose label has no free side are drawn unlabelled and named below."""
    by_side = view["by_position"].to(dict[str, list[dict]])
    tick_style = {"fontSize": viewer_charts.TICK_FONT_SIZE}
    labelled = [
        rx.recharts.scatter(
            rx.recharts.label_list(
                data_key="name",
                position=position,
                offset=offset,
                fill=AXIS,
                custom_attrs={"fontSize": viewer_charts.FONT_SIZE},
            ),
            data=by_side[side].to(list[dict]),
            name="Companies",
            fill=ACCENT,
            is_animation_active=False,
        )
        for side, (position, offset) in viewer_charts.POSITIONS.items()
    ]
    unlabelled = view["unlabelled"].to(str)
    return _chart_box(
        "Competitor map",
        rx.recharts.scatter_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
            rx.recharts.x_axis(
                data_key="funding_musd",
                type_="number",
                name="Funding",
                unit=" M",
                stroke=AXIS,
                domain=view["x_domain"].to(list),
                ticks=view["x_ticks"].to(list),
                tick=tick_style,
                height=int(viewer_charts.X_AXIS_HEIGHT),
            ),
            rx.recharts.y_axis(
                data_key="y",
                type_="number",
                name=y_label,
                stroke=AXIS,
                width=int(viewer_charts.Y_AXIS_WIDTH),
                domain=view["y_domain"].to(list),
                ticks=view["y_ticks"].to(list),
                tick=tick_style,
            ),
            rx.recharts.graphing_tooltip(),
            *labelled,
            rx.recharts.scatter(
                data=by_side[viewer_charts.UNLABELLED].to(list[dict]),
                name="Companies",
                fill=ACCENT,
                is_animation_active=False,
            ),
            height=int(viewer_charts.HEIGHT),
            width="100%",
            margin={k: int(v) for k, v in viewer_charts.MARGIN.items()},
        ),
        "competitor-map",
        rx.vstack(
            rx.text("Across: funding ($M) · up: ", y_label, size="1", color_scheme="gray"),
            rx.cond(
                unlabelled != "",
                rx.text(
                    "Not labelled (no room beside the point; hover it for the name): ",
                    unlabelled,
                    size="1",
                    color_scheme="gray",
                    custom_attrs={"data-testid": "map-unlabelled"},
                ),
            ),
            spacing="0",
        ),
    )
