"""What changed in the market: the box above a version's sections and the diff panel's list.

Each change (found by `services.reports.market_changes`, never by the model) links to its
evidence in the old and the new version; a change resting on demo data carries the badge.
"""

from __future__ import annotations

import reflex as rx

from marketnav.state.report_viewer import ReportViewerState as Viewer

KIND_COLOURS = (
    ("verdict", "violet"),
    ("entered", "green"),
    ("named_found", "green"),
    ("left", "red"),
    ("named_missing", "red"),
    ("funding", "blue"),
    ("status", "amber"),
    ("threat", "orange"),
    ("social", "cyan"),
)


def _evidence_link(change: rx.Var, key: str, side: str) -> rx.Component:
    href, label, source = change[f"{key}_href"], change[f"{key}_label"], change[f"{key}_source"]
    return rx.cond(
        href.to(str) != "",
        rx.link(
            f"{side} ",
            label,
            href=href.to(str),
            size="1",
            title=source.to(str),
            custom_attrs={"data-testid": f"change-{side.lower()}"},
        ),
    )


def _change(change: rx.Var) -> rx.Component:
    kind = change["kind"].to(str)
    return rx.el.li(
        rx.hstack(
            rx.badge(change["label"], color_scheme=rx.match(kind, *KIND_COLOURS, "gray")),
            rx.text(change["text"], size="2"),
            rx.cond(
                change["demo"].to(bool),
                rx.el.span("demo data", class_name="demo-badge"),
            ),
            rx.hstack(
                _evidence_link(change, "old", "Was"),
                _evidence_link(change, "new", "Now"),
                spacing="2",
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        class_name="mn-change",
        custom_attrs={"data-testid": "market-change", "data-kind": kind},
    )


def change_list(changes: rx.Var) -> rx.Component:
    return rx.el.ul(rx.foreach(changes, _change), class_name="mn-change-list")


def since_previous_box() -> rx.Component:
    """Above the sections: the changes since the version before (or that there were none)."""
    return rx.cond(
        Viewer.changes_comparable & (Viewer.changes_since > 0),
        rx.box(
            rx.text(
                "What changed in the market since v",
                Viewer.changes_since,
                size="2",
                weight="bold",
            ),
            rx.cond(
                Viewer.market_changes.length() > 0,
                change_list(Viewer.market_changes),
                rx.text(
                    "No change in the competitors, their funding, status or threat levels, "
                    "the verdict or the social signal.",
                    size="2",
                    color_scheme="gray",
                    custom_attrs={"data-testid": "no-market-change"},
                ),
            ),
            class_name="mn-changes",
            id="market-changes",
            width="100%",
            custom_attrs={"data-testid": "market-changes"},
        ),
    )


def diff_changes() -> rx.Component:
    """In the diff panel: the market changes between the two versions compared."""
    return rx.cond(
        Viewer.diff_changes.length() > 0,
        rx.box(
            rx.text("What changed in the market", size="2", weight="bold"),
            change_list(Viewer.diff_changes),
            class_name="mn-changes",
            width="100%",
            custom_attrs={"data-testid": "diff-market-changes"},
        ),
    )
