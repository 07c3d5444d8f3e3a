"""`/share/[token]`: a shared report for people without an account (read-only, no workspace).

The same sections, contents and charts as the viewer; downloads of HTML, Markdown and PDF (PPTX
for a pitch deck); a password form for protected links; one neutral page for unknown, expired
and revoked links. Contents open fullscreen on phones.
"""

from __future__ import annotations

import reflex as rx

from marketnav.components.feedback import field_hint
from marketnav.components.layout import logo
from marketnav.components.panels import side_panel
from marketnav.components.report_sections import sections, toc
from marketnav.state.share import ShareState as S

SHARE_DESCRIPTION = "A market-research report shared from MarketNavigator (read-only)."


def _bar() -> rx.Component:
    return rx.el.header(
        logo("/"),
        rx.cond(
            S.share_status == "ready",
            rx.icon_button(
                rx.icon("list"),
                variant="soft",
                on_click=S.open_mobile("left"),
                aria_label="Open contents",
                class_name="mn-mobile-only",
                custom_attrs={"data-testid": "open-left"},
            ),
        ),
        rx.spacer(),
        rx.color_mode.button(size="2", variant="ghost", aria_label="Toggle theme"),
        class_name="mn-topbar",
    )


def _message(title: str, text: str, test_id: str) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading(title, size="5"),
                rx.text(text, color_scheme="gray"),
                spacing="2",
            ),
            max_width="460px",
            width="100%",
            custom_attrs={"data-testid": test_id},
        ),
        padding="48px 16px",
    )


def _password_form() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("This report is protected", size="5"),
                    rx.text("Enter the password you were given with the link.", size="2"),
                    rx.input(
                        name="password",
                        type="password",
                        placeholder="Password",
                        auto_complete="off",
                        width="100%",
                        custom_attrs={"data-testid": "share-password"},
                    ),
                    field_hint(S.password_error),
                    rx.button(
                        "Open report",
                        type="submit",
                        loading=S.unlocking,
                        custom_attrs={"data-testid": "share-unlock"},
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.unlock,
                reset_on_submit=True,
            ),
            max_width="420px",
            width="100%",
        ),
        padding="48px 16px",
    )


def _report() -> rx.Component:
    return rx.box(
        side_panel(
            "left",
            "Contents",
            toc(),
            collapsed=False,
            mobile_open=S.mobile_panel == "left",
            on_close=S.close_mobile,
        ),
        rx.box(
            rx.vstack(
                rx.heading(S.title, size="6", custom_attrs={"data-testid": "report-title"}),
                rx.text(
                    S.project_name,
                    " • version ",
                    S.version,
                    " • ",
                    S.generated_at,
                    size="2",
                    color_scheme="gray",
                    class_name="mn-field-value",
                ),
                rx.cond(
                    S.offline,
                    rx.callout(
                        "Offline analysis: written without an AI model, from the data alone.",
                        icon="info",
                        color_scheme="amber",
                        size="1",
                    ),
                ),
                rx.hstack(
                    rx.foreach(
                        S.formats,
                        lambda f: rx.button(
                            rx.icon("download", size=14),
                            f["label"],
                            size="2",
                            variant="soft",
                            on_click=S.download(f["fmt"]),
                            custom_attrs={"data-testid": "share-download-" + f["fmt"]},
                        ),
                    ),
                    wrap="wrap",
                    spacing="2",
                ),
                sections(),
                spacing="4",
                width="100%",
                class_name="mn-report",
            ),
            class_name="mn-centre",
            custom_attrs={"data-testid": "report-main"},
        ),
        class_name=rx.cond(
            S.mobile_panel != "",
            "mn-workspace mn-report-view mn-has-mobile-panel",
            "mn-workspace mn-report-view",
        ),
    )


def share_page() -> rx.Component:
    return rx.box(
        rx.script(src="/report_viewer.js"),
        _bar(),
        rx.match(
            S.share_status,
            ("ready", _report()),
            ("password", _password_form()),
            (
                "unavailable",
                _message(
                    "Link not available",
                    "This link is not available. It may have expired or been revoked. Ask the "
                    "person who shared it for a new one.",
                    "share-unavailable",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="48px"),
        ),
        min_height="100vh",
    )
