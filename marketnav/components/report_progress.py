"""A run's live progress: bar, step list with status and durations, ETA.

`progress_timeline(snapshot)` takes a var holding a presented snapshot
(`services.reports.views.present_snapshot`): `steps` (each with `number`, `name`, `status`,
`timing`, `message`, `error`, `details`), `eta_text` and `eta_confidence`.
"""

from __future__ import annotations

import reflex as rx

CONFIDENCE_COLOURS = (("high", "green"), ("medium", "amber"))


def _step_icon(status: rx.Var, number: rx.Var) -> rx.Component:
    return rx.match(
        status,
        ("completed", rx.icon("check", size=14, color="var(--green-10)")),
        ("running", rx.spinner(size="1")),
        ("failed", rx.icon("x", size=14, color="var(--red-10)")),
        ("skipped", rx.icon("minus", size=14, color="var(--gray-9)")),
        rx.text(number, size="1", color_scheme="gray"),
    )


# Each detail type's icon (lucide, drawn by `rx.icon`: no emoji font needed) and colour.
DETAIL_ICONS = (
    ("keyword", "key-round", "var(--gray-11)"),
    ("search_result", "search", "var(--gray-11)"),
    ("company_rank", "trophy", "var(--amber-10)"),
    ("startup_rank", "trophy", "var(--amber-10)"),
    ("top_companies", "trophy", "var(--amber-10)"),
    ("data_missing", "circle-x", "var(--red-10)"),
    ("data_loaded", "circle-check", "var(--green-10)"),
    ("error", "triangle-alert", "var(--red-10)"),
    ("web_query", "globe", "var(--gray-11)"),
    ("web_page", "file-text", "var(--gray-11)"),
    ("web_summary", "building-2", "var(--green-10)"),
)


def _detail_icon(kind: rx.Var) -> rx.Component:
    return rx.match(
        kind,
        *[
            (name, rx.icon(icon, size=12, color=colour, flex_shrink="0"))
            for name, icon, colour in DETAIL_ICONS
        ],
        rx.fragment(),
    )


def _detail(detail: rx.Var) -> rx.Component:
    """One live detail (presented by `views.present_detail`: message and names are text).

    Plain elements styled by class (`.mn-detail`, `.mn-detail-<type>` in assets/styles.css):
    the feed re-renders on every progress snapshot, and theme components cost more.
    """
    kind = detail["type"].to(str)
    names = detail["names"].to(str)
    return rx.el.div(
        _detail_icon(kind),
        rx.el.span(
            detail["message"].to(str),
            rx.cond(names != "", rx.el.span(" - ", names, class_name="mn-detail-names")),
        ),
        class_name=f"mn-detail mn-detail-{kind}",
        custom_attrs={"data-testid": "step-detail"},
    )


def _step(step: rx.Var) -> rx.Component:
    status = step["status"].to(str)
    details = step["details"].to(list[dict])
    return rx.vstack(
        rx.hstack(
            rx.center(_step_icon(status, step["number"]), width="18px", flex_shrink="0"),
            rx.text(step["name"], size="2", flex="1", min_width="0"),
            rx.text(step["timing"], size="1", color_scheme="gray", white_space="nowrap"),
            width="100%",
            align="center",
            custom_attrs={"data-testid": "progress-step", "data-status": status},
        ),
        rx.cond(
            (status == "running")
            & (step["message"].to(str) != "")
            & (step["message"].to(str) != step["name"].to(str)),
            rx.text(step["message"], size="1", color_scheme="gray", padding_left="26px"),
        ),
        rx.cond(
            step["error"].to(str) != "",
            rx.text(step["error"], size="1", color_scheme="red", padding_left="26px"),
        ),
        rx.cond(
            (details.length() > 0) & (status != "pending"),
            rx.el.div(
                rx.cond(
                    step["earlier_details"].to(int) > 0,
                    rx.el.div(
                        step["earlier_details"], " earlier", class_name="mn-detail mn-detail-more"
                    ),
                ),
                rx.foreach(details, _detail),
                class_name="mn-feed",
                custom_attrs={"data-testid": "step-details"},
            ),
        ),
        spacing="1",
        width="100%",
    )


def progress_timeline(snapshot: rx.Var) -> rx.Component:
    """The step list and the ETA line of a presented snapshot."""
    confidence = snapshot["eta_confidence"].to(str)
    return rx.vstack(
        rx.foreach(snapshot["steps"].to(list[dict]), _step),
        rx.cond(
            snapshot["eta_text"].to(str) != "",
            rx.hstack(
                rx.text("Estimated remaining: ", snapshot["eta_text"].to(str), size="1"),
                rx.badge(
                    confidence,
                    " confidence",
                    color_scheme=rx.match(confidence, *CONFIDENCE_COLOURS, "gray"),
                    size="1",
                ),
                spacing="2",
                align="center",
                wrap="wrap",
                custom_attrs={"data-testid": "progress-eta"},
            ),
        ),
        spacing="2",
        width="100%",
        class_name="mn-timeline",
    )
