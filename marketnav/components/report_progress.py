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


def _detail(detail: rx.Var) -> rx.Component:
    """One live detail, shown by its type (keywords, search results, ranks, errors)."""
    data = detail["data"].to(dict)
    return rx.box(
        rx.match(
            detail["type"].to(str),
            ("keyword", rx.text("🔑 ", detail["message"], size="1")),
            (
                "search_result",
                rx.text(
                    "🔍 ",
                    detail["message"],
                    rx.cond(
                        data["companies"],
                        rx.text.span(
                            " - ", data["companies"].to(list[str]).join(", "), color_scheme="gray"
                        ),
                    ),
                    size="1",
                ),
            ),
            ("company_rank", rx.text("🏆 ", detail["message"], size="1")),
            ("startup_rank", rx.text("🏆 ", detail["message"], size="1")),
            ("top_companies", rx.text("🏆 ", detail["message"], size="1")),
            ("data_missing", rx.text("✗ ", detail["message"], size="1", color_scheme="red")),
            ("data_loaded", rx.text("✓ ", detail["message"], size="1", color_scheme="green")),
            ("error", rx.text("⚠ ", detail["message"], size="1", color_scheme="red")),
            rx.text(detail["message"], size="1"),
        ),
        class_name="mn-detail",
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
            rx.vstack(
                rx.foreach(details, _detail),
                spacing="0",
                padding_left="26px",
                width="100%",
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
