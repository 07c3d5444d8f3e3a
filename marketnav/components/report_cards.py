"""The project page's "Research reports" section: one card per type with live progress.

Cards are laid out statically (one per report type, so icons and labels are literals); their
content comes from `ReportsState.cards[type]`, replaced as progress events arrive.
"""

from __future__ import annotations

import reflex as rx

from marketnav.components.feedback import error_callout
from marketnav.services.reports.catalog import REPORT_ORDER, REPORT_TYPES
from marketnav.state.project import ProjectState
from marketnav.state.reports import ReportsState as S

STATUS_COLOURS = {
    "completed": "green",
    "running": "blue",
    "queued": "blue",
    "failed": "red",
    "cancelled": "orange",
}
STATUS_LABELS = {
    "not_started": "Not started",
    "queued": "Queued",
    "running": "Running",
    "completed": "Completed",
    "failed": "Failed",
    "cancelled": "Cancelled",
}


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
            ("error", rx.text("⚠ ", detail["message"], size="1", color_scheme="red")),
            rx.text(detail["message"], size="1"),
        ),
        class_name="mn-detail",
    )


def _step_row(step: rx.Var) -> rx.Component:
    details = step["details"].to(list[dict])
    return rx.vstack(
        rx.hstack(
            rx.center(_step_icon(step["status"].to(str), step["number"]), width="18px"),
            rx.text(step["name"], size="2", flex="1", min_width="0"),
            rx.text(step["timing"], size="1", color_scheme="gray", white_space="nowrap"),
            width="100%",
            align="center",
            custom_attrs={"data-testid": "report-step", "data-status": step["status"]},
        ),
        rx.cond(
            (step["status"] == "running") & (step["message"] != step["name"]),
            rx.text(step["message"], size="1", color_scheme="gray", padding_left="26px"),
        ),
        rx.cond(
            step["error"] != "",
            rx.text(step["error"], size="1", color_scheme="red", padding_left="26px"),
        ),
        rx.cond(
            (details.length() > 0) & (step["status"] != "pending"),
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


def _timeline(report_type: str) -> rx.Component:
    card = S.cards[report_type]
    return rx.vstack(
        rx.foreach(card["steps"].to(list[dict]), _step_row),
        rx.cond(
            card["eta_text"] != "",
            rx.hstack(
                rx.text("Estimated remaining: ", card["eta_text"], size="1"),
                rx.badge(
                    card["eta_confidence"].to(str),
                    " confidence",
                    color_scheme=rx.match(
                        card["eta_confidence"].to(str),
                        ("high", "green"),
                        ("medium", "amber"),
                        "gray",
                    ),
                    size="1",
                ),
                spacing="2",
                align="center",
                custom_attrs={"data-testid": "report-eta"},
            ),
        ),
        spacing="2",
        width="100%",
        class_name="mn-timeline",
    )


def _versions_menu(report_type: str) -> rx.Component:
    card = S.cards[report_type]
    return rx.cond(
        card["versions"].to(list[dict]).length() > 1,
        rx.menu.root(
            rx.menu.trigger(
                rx.button("v", card["version"], rx.icon("chevron-down", size=12), variant="soft")
            ),
            rx.menu.content(
                rx.foreach(
                    card["versions"].to(list[dict]),
                    lambda v: rx.menu.item(
                        rx.link(
                            "Report v",
                            v["version"],
                            " · ",
                            v["completed_at"],
                            href=f"/projects/{ProjectState.current_id}/reports/{report_type}"
                            f"?version={v['version']}",
                        )
                    ),
                )
            ),
        ),
    )


def _actions(report_type: str) -> rx.Component:
    card = S.cards[report_type]
    status = card["status"].to(str)
    busy = S.busy[report_type]
    start_label = rx.cond(card["version"].to(int) > 0, "Re-run", "Start report")
    return rx.hstack(
        rx.cond(
            card["version"].to(int) > 0,
            rx.link(
                rx.button(rx.icon("file-text", size=14), "View report"),
                href=f"/projects/{ProjectState.current_id}/reports/{report_type}",
                custom_attrs={"data-testid": f"view-{report_type}"},
            ),
        ),
        _versions_menu(report_type),
        rx.cond(
            card["can_run"].to(bool),
            rx.match(
                status,
                (
                    "running",
                    rx.button(
                        "Cancel",
                        color_scheme="red",
                        variant="soft",
                        on_click=S.cancel(report_type),
                        loading=busy,
                        custom_attrs={"data-testid": f"cancel-{report_type}"},
                    ),
                ),
                (
                    "queued",
                    rx.button(
                        "Cancel",
                        color_scheme="red",
                        variant="soft",
                        on_click=S.cancel(report_type),
                        loading=busy,
                        custom_attrs={"data-testid": f"cancel-{report_type}"},
                    ),
                ),
                (
                    "failed",
                    rx.button(
                        rx.icon("rotate-ccw", size=14),
                        "Retry",
                        on_click=S.retry(report_type),
                        loading=busy,
                        custom_attrs={"data-testid": f"retry-{report_type}"},
                    ),
                ),
                (
                    "cancelled",
                    rx.button(
                        rx.icon("rotate-ccw", size=14),
                        "Resume",
                        on_click=S.retry(report_type),
                        loading=busy,
                        custom_attrs={"data-testid": f"retry-{report_type}"},
                    ),
                ),
                rx.button(
                    rx.icon("play", size=14),
                    start_label,
                    variant=rx.cond(card["version"].to(int) > 0, "soft", "solid"),
                    on_click=S.start(report_type, False),
                    loading=busy,
                    custom_attrs={"data-testid": f"start-{report_type}"},
                ),
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _report_card(report_type: str) -> rx.Component:
    spec = REPORT_TYPES[report_type]
    card = S.cards[report_type]
    status = card["status"].to(str)
    active = (status == "running") | (status == "queued")
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(spec.icon, size=18),
                rx.text(spec.label, weight="bold", size="3"),
                rx.spacer(),
                rx.cond(
                    card["outdated"].to(bool),
                    rx.tooltip(
                        rx.badge("Outdated", color_scheme="amber"),
                        content="The inputs changed since this version was made: re-run it.",
                    ),
                ),
                rx.badge(
                    rx.match(status, *STATUS_LABELS.items(), "Not started"),
                    color_scheme=rx.match(status, *STATUS_COLOURS.items(), "gray"),
                    custom_attrs={"data-testid": f"status-{report_type}"},
                ),
                width="100%",
                align="center",
            ),
            rx.text(spec.description, size="2", color_scheme="gray"),
            rx.cond(
                active,
                rx.vstack(
                    rx.progress(value=card["progress"].to(int), width="100%"),
                    rx.text(
                        card["progress"],
                        "% · ",
                        rx.cond(
                            card["current_step"] != "", card["current_step"], "Waiting for a worker"
                        ),
                        size="1",
                        custom_attrs={"data-testid": f"progress-{report_type}"},
                    ),
                    width="100%",
                    spacing="1",
                ),
            ),
            rx.cond(
                (status == "failed") | (status == "cancelled"),
                rx.text(
                    card["error"],
                    rx.cond(card["failed_step_error"] != "", " · ", ""),
                    card["failed_step_error"],
                    size="1",
                    color_scheme="red",
                    custom_attrs={"data-testid": f"error-{report_type}"},
                ),
            ),
            rx.cond(
                card["blocked"] != "",
                rx.text(card["blocked"], size="1", color_scheme="amber"),
            ),
            rx.cond(
                card["summary"].to(dict)["offline_analysis"],
                rx.text("Offline analysis (no AI key configured)", size="1", color_scheme="amber"),
            ),
            _actions(report_type),
            rx.cond(
                card["steps"].to(list[dict]).length() > 0,
                rx.vstack(
                    rx.button(
                        rx.cond(S.expanded[report_type], "Hide", "Show"),
                        " progress details (",
                        card["done_steps"],
                        "/",
                        card["steps"].to(list[dict]).length(),
                        ")",
                        variant="ghost",
                        size="1",
                        on_click=S.toggle_details(report_type),
                        custom_attrs={"data-testid": f"details-{report_type}"},
                    ),
                    rx.cond(S.expanded[report_type], _timeline(report_type)),
                    width="100%",
                    spacing="2",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": f"report-card-{report_type}", "data-status": status},
    )


def _partial_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Partial data: ", S.confirm_label),
            rx.alert_dialog.description(
                "Some sources have no completed report. The verdict uses what is available; "
                "missing sources score zero and are listed as risks."
            ),
            rx.vstack(
                rx.foreach(
                    S.confirm_available,
                    lambda name: rx.text("✓ ", name, color_scheme="green", size="2"),
                ),
                rx.foreach(
                    S.confirm_missing,
                    lambda name: rx.text("✗ ", name, " (missing)", color_scheme="red", size="2"),
                ),
                spacing="1",
                margin_y="12px",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", on_click=S.close_confirm)
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Proceed anyway",
                        on_click=S.confirm_partial,
                        custom_attrs={"data-testid": "confirm-partial"},
                    )
                ),
                justify="end",
                spacing="2",
            ),
        ),
        open=S.confirm_type != "",
    )


def report_cards() -> rx.Component:
    """The "Research reports" section of the project page."""
    return rx.vstack(
        rx.heading("Research reports", size="4"),
        error_callout(S.report_error, "report-error"),
        rx.box(*[_report_card(t) for t in REPORT_ORDER], class_name="mn-report-grid", width="100%"),
        _partial_dialog(),
        spacing="3",
        width="100%",
        custom_attrs={"data-testid": "reports-section"},
    )
