"""The project page's "Research reports" section: one card per type with live progress.

Cards are laid out statically (one per report type, so icons and labels are literals); their
content comes from `ReportsState.cards[type]`, replaced as progress events arrive.
"""

from __future__ import annotations

import reflex as rx

from marketnav.components.feedback import error_callout, partial_data_dialog
from marketnav.components.report_progress import progress_timeline
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
            modal=False,
        ),
    )


def _actions(report_type: str) -> rx.Component:
    card = S.cards[report_type]
    status = card["status"].to(str)
    busy = S.busy[report_type]
    start_label = rx.cond(card["version"].to(int) > 0, "Re-run", "Start report")
    cancel = rx.button(
        "Cancel",
        color_scheme="red",
        variant="soft",
        on_click=S.cancel(report_type),
        loading=busy,
        custom_attrs={"data-testid": f"cancel-{report_type}"},
    )
    return rx.hstack(
        rx.cond(
            card["version"].to(int) > 0,
            rx.link(
                # The link takes the focus; the button inside is only its look (one tab stop).
                rx.button(rx.icon("file-text", size=14), "View report", tab_index=-1),
                href=f"/projects/{ProjectState.current_id}/reports/{report_type}",
                custom_attrs={"data-testid": f"view-{report_type}"},
            ),
        ),
        _versions_menu(report_type),
        rx.cond(
            card["can_run"].to(bool),
            rx.match(
                status,
                ("running", cancel),
                ("queued", cancel),
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
                        card["stage_text"],
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
            rx.cond(
                card["summary"].to(dict)["demo_data"],
                rx.text(
                    "Built on the bundled demo data set, not live data",
                    size="1",
                    color_scheme="amber",
                    custom_attrs={"data-testid": f"demo-{report_type}"},
                ),
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
                    rx.cond(S.expanded[report_type], progress_timeline(card)),
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
    return partial_data_dialog(
        open_=S.confirm_type != "",
        label=S.confirm_label,
        available=S.confirm_available,
        missing=S.confirm_missing,
        on_cancel=S.close_confirm,
        on_confirm=S.confirm_partial,
        confirm_test_id="confirm-partial",
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
