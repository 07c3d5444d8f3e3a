"""Landing, login and registration pages."""

from __future__ import annotations

import reflex as rx

from marketnav.components.feedback import error_callout, field_hint, notice_callout
from marketnav.components.forms import field_label
from marketnav.state.session import SessionState


def _field(
    label: str, name: str, kind: str = "text", placeholder: str = "", auto: str = ""
) -> rx.Component:
    return rx.vstack(
        field_label(label, name),
        rx.input(
            name=name,
            id=name,
            type=kind,
            placeholder=placeholder,
            width="100%",
            auto_complete=auto or None,
            size="3",
            # A message about this field goes as soon as the field changes.
            on_change=lambda _value: SessionState.clear_auth_field_error(name),
        ),
        field_hint(SessionState.auth_field_errors.get(name, "")),
        spacing="1",
        width="100%",
    )


def _auth_card(title: str, form: rx.Component, footer: rx.Component) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading(title, size="6"),
                notice_callout(SessionState.auth_notice, "auth-notice"),
                error_callout(SessionState.auth_error, "auth-error"),
                form,
                footer,
                spacing="4",
                width="100%",
            ),
            width="min(420px, 100%)",
            size="3",
        ),
        min_height="100vh",
        padding="16px",
    )


def login_page() -> rx.Component:
    return _auth_card(
        "Log in to MarketNavigator",
        rx.form(
            rx.vstack(
                _field("E-mail", "email", "email", "you@example.com", "email"),
                _field("Password", "password", "password", "", "current-password"),
                rx.button("Log in", type="submit", width="100%", size="3"),
                spacing="3",
                width="100%",
            ),
            on_submit=SessionState.login,
            width="100%",
        ),
        rx.text("No account? ", rx.link("Sign up", href="/register", underline="always"), size="2"),
    )


def register_page() -> rx.Component:
    return _auth_card(
        "Create your account",
        rx.form(
            rx.vstack(
                _field("Full name", "name", "text", "Ada Lovelace", "name"),
                _field("E-mail", "email", "email", "you@example.com", "email"),
                _field("Password (8+ characters)", "password", "password", "", "new-password"),
                _field("Confirm password", "password_confirm", "password", "", "new-password"),
                rx.button("Sign up", type="submit", width="100%", size="3"),
                spacing="3",
                width="100%",
            ),
            on_submit=SessionState.register,
            width="100%",
        ),
        rx.text(
            "Already registered? ", rx.link("Log in", href="/login", underline="always"), size="2"
        ),
    )


FEATURES = [
    (
        "search",
        "Crunchbase analysis",
        "Competitors and funding, ranked by similarity to your idea.",
    ),
    ("bar-chart-3", "Tracxn insights", "The startup landscape and market trends around you."),
    ("message-circle", "Social analysis", "What people say about the problem you solve."),
    ("presentation", "Pitch deck", "A ten-slide deck built from your research."),
]


def landing_page() -> rx.Component:
    return rx.box(
        rx.el.header(
            rx.text("MarketNavigator", weight="bold", size="4"),
            rx.spacer(),
            rx.link("Log in", href="/login"),
            rx.link(rx.button("Get started"), href="/register"),
            class_name="mn-topbar",
        ),
        rx.vstack(
            rx.heading(
                "AI-powered market research for founders and investors",
                size="8",
                text_align="center",
            ),
            rx.text(
                "Describe your startup in nine answers; get competitors, funding data and an "
                "honest verdict, live.",
                size="4",
                color_scheme="gray",
                text_align="center",
            ),
            rx.hstack(
                rx.link(rx.button("Start free", size="3"), href="/register"),
                rx.link(rx.button("Log in", size="3", variant="outline"), href="/login"),
            ),
            rx.box(
                *[
                    rx.card(
                        rx.vstack(
                            rx.icon(icon), rx.heading(name, size="4"), rx.text(text, size="2")
                        )
                    )
                    for icon, name, text in FEATURES
                ],
                class_name="mn-grid",
                width="100%",
                margin_top="24px",
            ),
            spacing="5",
            align="center",
            class_name="mn-page",
            padding_top="64px",
        ),
    )
