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
