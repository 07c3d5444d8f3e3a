"""`/audit`, `/status` and `/account`."""

from __future__ import annotations

import reflex as rx

from marketnav.components.feedback import error_callout, field_hint, notice_callout
from marketnav.components.forms import field_label
from marketnav.components.layout import page_shell
from marketnav.components.pagination import pager
from marketnav.components.tables import data_table, scroll_region
from marketnav.state.admin import AccountState, AuditState, StatusState


def audit_page() -> rx.Component:
    S = AuditState
    return page_shell(
        error_callout(S.error),
        rx.cond(
            S.orgs.length() > 1,
            rx.select.root(
                rx.select.trigger(custom_attrs={"aria-label": "Organisation"}),
                rx.select.content(
                    rx.foreach(S.orgs, lambda o: rx.select.item(o["name"], value=o["id"]))
                ),
                value=S.selected_id,
                on_change=S.select,
            ),
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("When (UTC)", "Who", "Action", "Target", "Details")
                        ]
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        S.rows,
                        lambda r: rx.table.row(
                            rx.table.cell(r["when"]),
                            rx.table.cell(r["who"]),
                            rx.table.cell(rx.code(r["action"])),
                            rx.table.cell(r["target"]),
                            rx.table.cell(r["details"]),
                            custom_attrs={"data-testid": "audit-row"},
                        ),
                    )
                ),
                width="100%",
                size="1",
            ),
            **scroll_region("Audit log"),
        ),
        pager(S.page, S.pages, S.total, S.go_to_page),
        title="Audit log",
    )


def status_page() -> rx.Component:
    S = StatusState
    return page_shell(
        notice_callout(S.notice),
        error_callout(S.error),
        rx.cond(
            S.allowed,
            rx.vstack(
                rx.hstack(
                    rx.text(
                        rx.cond(
                            S.checked_at != "", "Last checked " + S.checked_at, "Not checked yet."
                        ),
                        size="2",
                        custom_attrs={"data-testid": "checked-at"},
                    ),
                    rx.spacer(),
                    rx.button(
                        "Check now",
                        on_click=S.run_check,
                        loading=S.checking,
                        custom_attrs={"data-testid": "run-check"},
                    ),
                    width="100%",
                    align="center",
                ),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[
                                    rx.table.column_header_cell(h)
                                    for h in ("Component", "State", "Latency", "Detail")
                                ]
                            )
                        ),
                        rx.table.body(
                            rx.foreach(
                                S.components,
                                lambda c: rx.table.row(
                                    rx.table.cell(c["name"]),
                                    rx.table.cell(
                                        rx.badge(
                                            c["ok"],
                                            color_scheme=rx.cond(c["ok"] == "up", "green", "red"),
                                        )
                                    ),
                                    rx.table.cell(c["latency"]),
                                    rx.table.cell(
                                        rx.text(c["detail"], size="1", class_name="mn-cell-text")
                                    ),
                                    custom_attrs={"data-testid": "status-row"},
                                ),
                            )
                        ),
                        width="100%",
                    ),
                    **scroll_region("System checks"),
                ),
                rx.heading("AI usage, last 30 days", size="4", margin_top="16px"),
                rx.text(
                    rx.cond(S.ai_usage_total != "", S.ai_usage_total, "No AI calls yet."),
                    size="2",
                    custom_attrs={"data-testid": "ai-usage-total"},
                ),
                data_table(
                    [
                        ("Provider", "provider"),
                        ("Model", "model"),
                        ("Calls", "calls"),
                        ("Failed", "failed"),
                        ("Cached", "cached"),
                        ("Avg latency", "latency"),
                        ("Tokens in / out", "tokens"),
                        ("Cost", "cost"),
                    ],
                    S.ai_usage,
                ),
                rx.hstack(
                    rx.link("Queues: running and queued reports", href="/queues", size="2"),
                    rx.text("·", color_scheme="gray"),
                    rx.link(
                        "Flower (Celery monitoring)",
                        href=S.flower_url,
                        is_external=True,
                        size="2",
                        custom_attrs={"data-testid": "flower-link"},
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(
                    "Flower runs with `make run-flower` locally, and behind basic auth in the "
                    "production compose (loopback only).",
                    size="1",
                    color_scheme="gray",
                ),
                rx.text(
                    "Checks run on the Celery worker; the beat scheduler repeats them "
                    "every few minutes.",
                    size="1",
                    color_scheme="gray",
                ),
                width="100%",
            ),
        ),
        title="System status",
    )


def account_page() -> rx.Component:
    S = AccountState

    def field(label: str, name: str, auto: str) -> rx.Component:
        return rx.vstack(
            field_label(label, f"pw-{name}", weight="regular"),
            rx.input(name=name, id=f"pw-{name}", type="password", auto_complete=auto, width="100%"),
            field_hint(S.field_errors.get(name, "")),
            spacing="1",
            width="100%",
        )

    return page_shell(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Change password", size="4"),
                    notice_callout(S.notice),
                    error_callout(S.error),
                    field("Current password", "current", "current-password"),
                    field("New password", "new", "new-password"),
                    field("Confirm new password", "confirm", "new-password"),
                    rx.button("Change password", type="submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.change_password,
                reset_on_submit=True,
            ),
            max_width="480px",
        ),
        title="Account",
    )
