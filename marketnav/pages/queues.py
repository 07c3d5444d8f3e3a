"""`/queues`: queued and running report runs of the user's organisations, workers, cancel."""

from __future__ import annotations

import reflex as rx

from marketnav.components.feedback import error_callout, notice_callout
from marketnav.components.layout import page_shell
from marketnav.components.tables import data_table
from marketnav.state.queues import QueueState as S

RUN_COLUMNS = [
    ("Project", "project"),
    ("Organisation", "organization"),
    ("Report", "report"),
    ("Version", "version"),
    ("Status", "status"),
    ("Progress", "progress"),
    ("Step", "step"),
    ("Worker", "worker"),
    ("For", "waiting"),
    ("Requested by", "requested_by"),
]


def _cancel(run: rx.Var) -> rx.Component:
    return rx.cond(
        run["can_cancel"],
        rx.button(
            "Cancel",
            size="1",
            color_scheme="red",
            variant="soft",
            on_click=S.cancel(run["run_id"]),
            custom_attrs={"data-testid": "cancel-run"},
        ),
    )


def queues_page() -> rx.Component:
    return page_shell(
        notice_callout(S.notice),
        error_callout(S.error),
        rx.cond(
            S.allowed,
            rx.vstack(
                rx.hstack(
                    rx.text(S.runs.length(), " queued or running report runs", size="2"),
                    rx.spacer(),
                    rx.button("Refresh", variant="soft", on_click=S.refresh),
                    width="100%",
                    align="center",
                ),
                rx.cond(
                    S.runs.length() > 0,
                    data_table(
                        RUN_COLUMNS, S.runs, test_id="queue-row", extra=_cancel, extra_header=""
                    ),
                    rx.text("Nothing is queued or running.", color_scheme="gray", size="2"),
                ),
                rx.text(
                    rx.cond(
                        S.instance_wide,
                        "Every organisation's runs (you are an instance administrator).",
                        "Runs of the organisations you administer.",
                    ),
                    size="1",
                    color_scheme="gray",
                    custom_attrs={"data-testid": "queue-scope"},
                ),
                rx.cond(
                    S.instance_wide,
                    rx.vstack(
                        rx.heading("Workers", size="4", margin_top="16px"),
                        rx.cond(
                            S.loading_workers,
                            rx.hstack(
                                rx.spinner(size="1"), rx.text("Asking the workers…", size="2")
                            ),
                            rx.cond(
                                S.workers.length() > 0,
                                data_table(
                                    [
                                        ("Worker", "name"),
                                        ("Queues", "queues"),
                                        ("Active tasks", "active"),
                                    ],
                                    S.workers,
                                ),
                                rx.text(S.workers_note, color_scheme="gray", size="2"),
                            ),
                        ),
                        width="100%",
                    ),
                ),
                rx.text(
                    "Report runs go to the `reports` queue (their own worker), chat and upkeep to "
                    "`ai` and `default`. A run whose worker stopped is resumed by the beat "
                    "scheduler; one past its deadline is marked failed.",
                    size="1",
                    color_scheme="gray",
                ),
                width="100%",
                spacing="3",
            ),
        ),
        title="Queues",
    )
