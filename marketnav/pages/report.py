"""`/projects/[project_id]/reports/[report_type]` (+ `?version=N`): the report viewer.

Three panes like the project page: the table of contents on the left, the report in the middle
(versions, diff, exports, outdated banner with re-run, live progress of a running run,
sections with charts), the assistant on the right. On phones both panels start closed and
open fullscreen.
"""

from __future__ import annotations

import reflex as rx

from marketnav.components.assistant_panel import assistant_panel
from marketnav.components.feedback import error_callout, notice_callout
from marketnav.components.layout import top_bar
from marketnav.components.panels import edge_tab, side_panel
from marketnav.components.report_progress import progress_timeline
from marketnav.components.report_sections import diff_panel, sections, toc
from marketnav.components.share_dialog import share_button, share_dialog
from marketnav.state.report_viewer import ReportViewerState as S

LEFT_WIDTH, RIGHT_WIDTH = "280px", "360px"


def _left_panel() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Back to project", size="2")),
            href=S.project_url,
            custom_attrs={"data-testid": "back-to-project"},
        ),
        rx.box(
            rx.text(S.label, weight="bold", size="3"),
            rx.text(S.project_name, size="1", color_scheme="gray", class_name="mn-field-value"),
        ),
        rx.divider(),
        toc(),
        spacing="3",
        width="100%",
    )


def _version_picker() -> rx.Component:
    return rx.cond(
        S.versions.length() > 1,
        rx.select.root(
            rx.select.trigger(
                placeholder="Version", custom_attrs={"data-testid": "version-picker"}
            ),
            rx.select.content(
                rx.foreach(
                    S.version_items,
                    lambda v: rx.select.item(
                        v["label"],
                        value=v["value"],
                        custom_attrs={"data-testid": "version-option"},
                    ),
                )
            ),
            value=S.version_value,
            on_change=S.pick_version,
            size="2",
        ),
    )


def _exports() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.icon("download", size=14),
                "Download",
                rx.icon("chevron-down", size=12),
                variant="soft",
                loading=S.export_busy != "",
                custom_attrs={"data-testid": "download-menu"},
            )
        ),
        rx.menu.content(
            rx.foreach(
                S.formats,
                lambda f: rx.menu.item(
                    f["label"],
                    on_click=S.download(f["fmt"]),
                    custom_attrs={"data-testid": "download-" + f["fmt"]},
                ),
            )
        ),
    )


def _header() -> rx.Component:
    return rx.vstack(
        rx.heading(S.title, size="6", custom_attrs={"data-testid": "report-title"}),
        rx.text(
            S.project_name,
            " • ",
            rx.cond(S.generated_at != "", S.generated_at, "In progress"),
            size="2",
            color_scheme="gray",
            class_name="mn-field-value",
        ),
        rx.cond(
            S.has_content,
            rx.hstack(
                rx.badge(
                    "Viewing v",
                    S.version,
                    color_scheme=rx.cond(S.viewing_old, "amber", "gray"),
                    size="2",
                    custom_attrs={"data-testid": "viewing-version"},
                ),
                rx.cond(
                    S.viewing_old,
                    rx.button(
                        "View latest (v",
                        S.latest_version,
                        ")",
                        size="2",
                        variant="soft",
                        on_click=S.view_latest,
                        custom_attrs={"data-testid": "view-latest"},
                    ),
                ),
                _version_picker(),
                rx.cond(
                    S.versions.length() > 1,
                    rx.button(
                        rx.icon("git-compare", size=14),
                        "Compare versions",
                        size="2",
                        variant="soft",
                        on_click=S.open_diff,
                        custom_attrs={"data-testid": "open-diff"},
                    ),
                ),
                _exports(),
                share_button(),
                rx.cond(
                    S.can_run & ~S.running & ~S.outdated,
                    rx.button(
                        rx.icon("rotate-ccw", size=14),
                        "Re-run",
                        size="2",
                        variant="soft",
                        on_click=S.start(False),
                        loading=S.run_busy,
                        custom_attrs={"data-testid": "rerun-header"},
                    ),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _rerun_button(label: str, test_id: str) -> rx.Component:
    return rx.button(
        rx.icon("play", size=14),
        label,
        on_click=S.start(False),
        loading=S.run_busy,
        disabled=S.running,
        custom_attrs={"data-testid": test_id},
    )


def _banners() -> rx.Component:
    return rx.vstack(
        notice_callout(S.notice),
        error_callout(S.error),
        error_callout(S.run_error, "run-error"),
        rx.cond(
            S.has_content & S.outdated,
            rx.callout(
                rx.hstack(
                    rx.text("The project inputs changed since this version was made.", size="2"),
                    rx.cond(
                        S.can_run & ~S.running,
                        _rerun_button("Re-run", "rerun"),
                    ),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                icon="triangle_alert",
                color_scheme="amber",
                width="100%",
                custom_attrs={"data-testid": "outdated-banner"},
            ),
        ),
        rx.cond(
            S.has_content & S.offline,
            rx.callout(
                "Offline analysis: written without an AI model, from your inputs and the data.",
                icon="info",
                color_scheme="amber",
                size="1",
                width="100%",
            ),
        ),
        rx.cond(
            (S.last_failure != "") & ~S.running,
            rx.callout(
                S.last_failure,
                icon="circle_x",
                color_scheme="red",
                size="1",
                width="100%",
                custom_attrs={"data-testid": "last-failure"},
            ),
        ),
        spacing="2",
        width="100%",
    )


def _live_progress() -> rx.Component:
    active = S.active
    return rx.cond(
        S.running,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.spinner(size="2"),
                    rx.text(
                        "Generating version ",
                        active["version"],
                        " · ",
                        active["progress"],
                        "%",
                        weight="bold",
                        size="2",
                    ),
                    align="center",
                    spacing="2",
                ),
                rx.progress(value=active["progress"].to(int), width="100%"),
                rx.cond(
                    active["steps"].to(list[dict]).length() == 0,
                    rx.text("Waiting for a worker", size="1", color_scheme="gray"),
                ),
                progress_timeline(active),
                spacing="2",
                width="100%",
            ),
            width="100%",
            custom_attrs={"data-testid": "live-progress"},
        ),
    )


def _empty_state() -> rx.Component:
    return rx.cond(
        ~S.has_content & ~S.running,
        rx.card(
            rx.vstack(
                rx.icon("file-text", size=32, color="var(--gray-9)"),
                rx.heading("This report has not been run yet", size="4"),
                rx.cond(
                    S.can_run,
                    rx.vstack(
                        rx.text(
                            "Start it and follow its progress here; it becomes version 1.",
                            size="2",
                            color_scheme="gray",
                        ),
                        _rerun_button("Start report", "start-report"),
                        align="center",
                        spacing="3",
                    ),
                    rx.text(
                        rx.cond(
                            S.blocked != "",
                            S.blocked,
                            "Someone who may run reports in this organisation can start it.",
                        ),
                        size="2",
                        color_scheme="gray",
                        text_align="center",
                    ),
                ),
                align="center",
                spacing="3",
                padding="24px 8px",
                width="100%",
            ),
            width="100%",
            custom_attrs={"data-testid": "report-empty"},
        ),
    )


def _partial_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Partial data: ", S.label),
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
                        on_click=S.proceed_partial,
                        custom_attrs={"data-testid": "proceed-partial"},
                    )
                ),
                justify="end",
                spacing="2",
            ),
        ),
        open=S.confirm_open,
    )


def _centre() -> rx.Component:
    return rx.box(
        rx.cond(
            S.not_found,
            rx.vstack(
                error_callout(S.error, "not-found"),
                rx.link("Back to your projects", href="/dashboard"),
                spacing="3",
            ),
            rx.cond(
                S.loaded,
                rx.vstack(
                    _header(),
                    _banners(),
                    _live_progress(),
                    _empty_state(),
                    rx.cond(S.diff_open, diff_panel()),
                    sections(),
                    spacing="4",
                    width="100%",
                    class_name="mn-report",
                ),
                rx.center(rx.spinner(size="3"), padding="48px"),
            ),
        ),
        _partial_dialog(),
        share_dialog(),
        class_name="mn-centre",
        custom_attrs={"data-testid": "report-main"},
    )


def report_page() -> rx.Component:
    mobile_buttons = rx.hstack(
        rx.icon_button(
            rx.icon("list"),
            variant="soft",
            on_click=S.open_mobile("left"),
            aria_label="Open sections",
            class_name="mn-mobile-only",
            custom_attrs={"data-testid": "open-left"},
        ),
        rx.icon_button(
            rx.icon("message-circle"),
            variant="soft",
            on_click=S.open_mobile("right"),
            aria_label="Open assistant",
            class_name="mn-mobile-only",
            custom_attrs={"data-testid": "open-right"},
        ),
        spacing="2",
    )
    left_collapsed = S.left_collapsed == "1"
    right_collapsed = S.right_collapsed == "1"
    return rx.box(
        rx.script(src="/report_viewer.js"),
        top_bar(mobile_buttons),
        rx.box(
            side_panel(
                "left",
                "Report",
                _left_panel(),
                collapsed=left_collapsed,
                mobile_open=S.mobile_panel == "left",
                on_close=S.close_mobile,
            ),
            edge_tab(
                "left", left_collapsed, S.toggle_left, LEFT_WIDTH, "Collapse or expand sections"
            ),
            _centre(),
            edge_tab(
                "right",
                right_collapsed,
                S.toggle_right,
                RIGHT_WIDTH,
                "Collapse or expand assistant",
            ),
            side_panel(
                "right",
                "AI research assistant",
                assistant_panel(),
                collapsed=right_collapsed,
                mobile_open=S.mobile_panel == "right",
                on_close=S.close_mobile,
            ),
            class_name=rx.cond(
                S.mobile_panel != "",
                "mn-workspace mn-report-view mn-has-mobile-panel",
                "mn-workspace mn-report-view",
            ),
        ),
    )
