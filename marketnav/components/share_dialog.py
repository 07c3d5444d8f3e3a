"""The Share dialog of the report viewer."""

from __future__ import annotations

import reflex as rx

from marketnav.components.feedback import error_callout, field_hint
from marketnav.components.forms import field_label
from marketnav.components.tables import data_table
from marketnav.state.report_viewer import ReportViewerState as Viewer
from marketnav.state.share_links import ShareLinksState as S

LINK_COLUMNS = [
    ("Link", "hint"),
    ("Label", "label"),
    ("Version", "version"),
    ("Password", "password"),
    ("Views", "views"),
    ("Downloads", "downloads"),
    ("Last viewed", "last_viewed"),
    ("Expires", "expires"),
    ("State", "state"),
]


def _revoke(link: rx.Var) -> rx.Component:
    """Revoke, after a confirmation that names the link (it cannot be undone)."""
    return rx.cond(
        link["state"] == "active",
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(
                rx.button(
                    "Revoke",
                    size="1",
                    color_scheme="red",
                    variant="soft",
                    type="button",
                    custom_attrs={"data-testid": "revoke-link"},
                )
            ),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Revoke link ", link["hint"], "?"),
                rx.alert_dialog.description(
                    "Anyone who has this link loses access to the report at once. "
                    "This cannot be undone: to share again, create a new link."
                ),
                rx.hstack(
                    rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", type="button")),
                    rx.alert_dialog.action(
                        rx.button(
                            "Revoke link",
                            color_scheme="red",
                            type="button",
                            on_click=S.revoke(link["id"]),
                            custom_attrs={"data-testid": "confirm-revoke"},
                        )
                    ),
                    justify="end",
                    spacing="2",
                    margin_top="12px",
                ),
            ),
        ),
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    field_label("Version", "share-pin", size="1"),
                    rx.select.root(
                        rx.select.trigger(
                            id="share-pin", custom_attrs={"data-testid": "share-pin"}
                        ),
                        rx.select.content(
                            rx.select.item("Always the latest", value="latest"),
                            rx.foreach(
                                Viewer.version_items,
                                lambda v: rx.select.item("Pinned: ", v["label"], value=v["value"]),
                            ),
                        ),
                        value=S.pin,
                        on_change=S.set_pin,
                    ),
                    field_hint(S.share_field_errors["version"]),
                    spacing="1",
                ),
                rx.vstack(
                    field_label("Expires", "share-expiry", size="1"),
                    rx.select.root(
                        rx.select.trigger(
                            id="share-expiry", custom_attrs={"data-testid": "share-expiry"}
                        ),
                        rx.select.content(
                            rx.select.item("Never", value="never"),
                            rx.select.item("In 1 day", value="1"),
                            rx.select.item("In 7 days", value="7"),
                            rx.select.item("In 30 days", value="30"),
                            rx.select.item("In 90 days", value="90"),
                        ),
                        value=S.expiry,
                        on_change=S.set_expiry,
                    ),
                    spacing="1",
                ),
                spacing="3",
                wrap="wrap",
            ),
            field_label("Label", "share-label-input", size="1"),
            rx.input(
                name="label",
                id="share-label-input",
                placeholder="Label (e.g. Seed investors)",
                width="100%",
                custom_attrs={"data-testid": "share-label"},
            ),
            field_label("Password", "share-password-input", size="1"),
            rx.input(
                name="password",
                id="share-password-input",
                type="password",
                placeholder="Password (optional, at least 8 characters)",
                auto_complete="new-password",
                width="100%",
                custom_attrs={"data-testid": "share-new-password"},
            ),
            field_hint(S.share_field_errors["password"]),
            rx.button("Create link", type="submit", custom_attrs={"data-testid": "create-link"}),
            spacing="2",
            width="100%",
        ),
        on_submit=S.create,
        reset_on_submit=True,
    )


_FOCUS_SHARE_BUTTON = """((e) => {
  const button = document.querySelector('[data-testid=open-share]');
  if (button) { e.preventDefault(); button.focus(); }
})"""


def share_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title("Share this report", margin="0"),
                rx.spacer(),
                rx.dialog.close(rx.icon_button(rx.icon("x"), variant="ghost", aria_label="Close")),
                width="100%",
                align="center",
            ),
            rx.dialog.description(
                "Anyone with the link can read the report and download it (HTML, Markdown, "
                "PDF), and nothing else of your workspace.",
                size="2",
                margin_bottom="12px",
            ),
            error_callout(S.share_error, "share-error"),
            _form(),
            rx.cond(
                S.created_url != "",
                rx.callout(
                    rx.vstack(
                        rx.text("Copy it now: the link is shown only once.", size="2"),
                        rx.hstack(
                            rx.code(
                                S.created_url,
                                class_name="mn-field-value",
                                custom_attrs={"data-testid": "created-url"},
                            ),
                            rx.button(
                                rx.icon("copy", size=14),
                                "Copy",
                                size="1",
                                on_click=S.copy_link,
                                custom_attrs={"data-testid": "copy-link"},
                            ),
                            align="center",
                            wrap="wrap",
                        ),
                        spacing="1",
                    ),
                    color_scheme="green",
                    margin_top="12px",
                ),
            ),
            rx.heading("Links", size="3", margin_top="16px"),
            rx.cond(
                S.links.length() > 0,
                data_table(LINK_COLUMNS, S.links, test_id="share-link-row", extra=_revoke),
                rx.text("No links yet.", size="2", color_scheme="gray"),
            ),
            max_width="760px",
            # Opened from state, not from a Dialog.Trigger: give the focus back to the Share
            # button on close, as Radix does for a trigger.
            custom_attrs={"onCloseAutoFocus": rx.Var(_FOCUS_SHARE_BUTTON)},
        ),
        open=S.share_open,
        on_open_change=S.set_share_open,
    )


def share_button() -> rx.Component:
    return rx.cond(
        Viewer.can_share & Viewer.has_content,
        rx.button(
            rx.icon("share-2", size=14),
            "Share",
            size="2",
            variant="soft",
            on_click=S.open_dialog(Viewer.rv_project_id, Viewer.rv_type),
            custom_attrs={"data-testid": "open-share"},
        ),
    )
