"""`/projects/[project_id]/reports/[report_type]` (+ `?version=N`): the report viewer.

Three panes like the project page: the table of contents on the left, the report in the middle
(versions, diff, exports, outdated banner with re-run, live progress of a running run,
sections with charts), the assistant on the right. On phones both panels start closed and
open fullscreen.
"""

from __future__ import annotations

import reflex as rx

from marketnav.components.assistant_panel import assistant_panel
from marketnav.components.feedback import (
    error_callout,
    not_found_block,
    notice_callout,
    partial_data_dialog,
)
from marketnav.components.market_changes import since_previous_box
from marketnav.components.panels import Panel, workspace
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
                placeholder="Version",
                custom_attrs={"data-testid": "version-picker", "aria-label": "Report version"},
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
        modal=False,
    )


def _header() -> rx.Component:
    return rx.vstack(
        rx.heading(S.title, size="6", custom_attrs={"data-testid": "report-title"}),
        rx.text(
            S.project_name,
            " • ",
            S.header_status,
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
        rx.cond(
            S.version_missing != "",
            rx.callout(
                S.version_missing,
                icon="triangle_alert",
                color_scheme="amber",
                width="100%",
                role="status",
                custom_attrs={"data-testid": "version-missing"},
            ),
        ),
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
                    rx.text("Queued", size="1", color_scheme="gray"),
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
                rx.heading(
                    rx.cond(
                        S.last_failure != "",
                        "No version of this report completed yet",
                        "This report has not been run yet",
                    ),
                    size="4",
                ),
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
    return partial_data_dialog(
        open_=S.confirm_open,
        label=S.label,
        available=S.confirm_available,
        missing=S.confirm_missing,
        on_cancel=S.close_confirm,
        on_confirm=S.proceed_partial,
        confirm_test_id="proceed-partial",
    )


def _centre() -> rx.Component:
    return rx.box(
        rx.cond(
            S.not_found,
            not_found_block(S.error),
            rx.cond(
                S.loaded,
                rx.vstack(
                    _header(),
                    _banners(),
                    _live_progress(),
                    _empty_state(),
                    rx.cond(S.diff_open, diff_panel()),
                    since_previous_box(),
                    rx.cond(
                        S.follow_notice != "",
                        rx.text(
                            S.follow_notice,
                            size="2",
                            custom_attrs={"data-testid": "follow-notice", "role": "status"},
                        ),
                    ),
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
    return rx.fragment(
        rx.script(src="/report_viewer.js"),
        workspace(
            S,
            Panel("Report", _left_panel(), LEFT_WIDTH, "sections", "list"),
            _centre(),
            Panel(
                "AI research assistant",
                assistant_panel(),
                RIGHT_WIDTH,
                "assistant",
                "message-circle",
            ),
            extra_class="mn-report-view",
        ),
    )
