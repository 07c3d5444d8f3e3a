"""Messages shown to the user: errors, notices and per-field hints."""

import reflex as rx


def error_callout(message: rx.Var, test_id: str = "error") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="triangle_alert",
            color_scheme="red",
            role="alert",
            custom_attrs={"data-testid": test_id},
            width="100%",
        ),
    )


def notice_callout(message: rx.Var, test_id: str = "notice") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="info",
            color_scheme="green",
            custom_attrs={"data-testid": test_id},
            width="100%",
        ),
    )


def field_hint(message: rx.Var) -> rx.Component:
    return rx.cond(message != "", rx.text(message, size="1", color_scheme="red"))


def _source_line(text: rx.Var, icon: str, colour: str) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=14, color=f"var(--{colour}-10)", flex_shrink="0"),
        rx.text(text, color_scheme=colour, size="2"),
        spacing="1",
        align="center",
    )


def partial_data_dialog(
    *,
    open_: rx.Var,
    label: rx.Var,
    available: rx.Var,
    missing: rx.Var,
    on_cancel,
    on_confirm,
    confirm_test_id: str,
) -> rx.Component:
    """Verdict on partial data: what is available, what is missing, Cancel / Proceed anyway."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Partial data: ", label),
            rx.alert_dialog.description(
                "Some sources have no completed report. The verdict uses what is available; "
                "missing sources score zero and are listed as risks."
            ),
            rx.vstack(
                rx.foreach(available, lambda name: _source_line(name, "circle-check", "green")),
                rx.foreach(
                    missing, lambda name: _source_line(name + " (missing)", "circle-x", "red")
                ),
                spacing="1",
                margin_y="12px",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", on_click=on_cancel)),
                rx.alert_dialog.action(
                    rx.button(
                        "Proceed anyway",
                        on_click=on_confirm,
                        custom_attrs={"data-testid": confirm_test_id},
                    )
                ),
                justify="end",
                spacing="2",
            ),
        ),
        open=open_,
    )


def not_found_block(message: rx.Var) -> rx.Component:
    """A page's object is missing or not the user's: the neutral message and a way back."""
    return rx.vstack(
        error_callout(message, "not-found"),
        rx.link("Back to your projects", href="/dashboard"),
        spacing="3",
    )
