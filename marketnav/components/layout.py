"""The app shell: top bar with navigation, theme toggle and user menu."""

from __future__ import annotations

import reflex as rx

from marketnav.state.notifications import NotificationsState
from marketnav.state.session import SessionState


def logo(href: str = "/dashboard") -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.center(
                rx.text("M", weight="bold", color="white"),
                width="28px",
                height="28px",
                border_radius="6px",
                background="var(--accent-9)",
            ),
            rx.text("MarketNavigator", class_name="mn-logo-text"),
            align="center",
            spacing="2",
        ),
        href=href,
        underline="none",
        color="inherit",
    )


def user_menu() -> rx.Component:
    # Not modal: a modal menu hides the page with aria-hidden while its links stay focusable.
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=SessionState.user_initials, size="2", radius="full"),
                variant="ghost",
                # The name includes the visible initials (axe label-content-name-mismatch).
                aria_label=SessionState.user_initials.to(str) + " user menu",
                custom_attrs={"data-testid": "user-menu"},
            ),
        ),
        rx.menu.content(
            rx.box(
                rx.text(SessionState.user_name, weight="bold"),
                rx.text(SessionState.user_email, size="1", color_scheme="gray"),
                padding="8px",
            ),
            rx.menu.separator(),
            rx.menu.item("Dashboard", on_click=rx.redirect("/dashboard")),
            rx.menu.item("Organisations", on_click=rx.redirect("/organizations")),
            rx.menu.item("Account", on_click=rx.redirect("/account")),
            rx.menu.item("Changes", on_click=rx.redirect("/changes")),
            rx.menu.item("Audit log", on_click=rx.redirect("/audit")),
            rx.cond(
                SessionState.instance_admin,
                rx.menu.item(
                    "System status",
                    on_click=rx.redirect("/status"),
                    custom_attrs={"data-testid": "menu-status"},
                ),
            ),
            rx.cond(
                SessionState.administers_an_org,
                rx.menu.item(
                    "Queues",
                    on_click=rx.redirect("/queues"),
                    custom_attrs={"data-testid": "menu-queues"},
                ),
            ),
            rx.menu.item(
                "Import companies",
                on_click=rx.redirect("/imports"),
                custom_attrs={"data-testid": "menu-imports"},
            ),
            rx.cond(
                SessionState.administers_an_org,
                rx.menu.item(
                    "Webhooks",
                    on_click=rx.redirect("/webhooks"),
                    custom_attrs={"data-testid": "menu-webhooks"},
                ),
            ),
            rx.menu.separator(),
            rx.menu.item(
                "Log out",
                on_click=SessionState.logout,
                color_scheme="red",
                custom_attrs={"data-testid": "logout"},
            ),
        ),
        modal=False,
    )


def bell() -> rx.Component:
    """What changed in the projects you follow: the unread count, kept live."""
    count = NotificationsState.unread
    return rx.link(
        rx.box(
            rx.icon("bell", size=18),
            rx.cond(
                count > 0,
                rx.el.span(
                    NotificationsState.unread_label,
                    class_name="mn-bell-count",
                    custom_attrs={"data-testid": "bell-count"},
                ),
            ),
            class_name="mn-bell",
        ),
        href="/changes",
        aria_label=rx.cond(
            count > 0,
            "Changes: " + NotificationsState.unread_label.to(str) + " unread",
            "Changes: none unread",
        ),
        custom_attrs={"data-testid": "bell"},
    )


def top_bar(*extra: rx.Component) -> rx.Component:
    """The 52 px bar of every signed-in page; `extra` goes before the right-hand controls."""
    return rx.el.header(
        logo(),
        *extra,
        rx.spacer(),
        bell(),
        rx.color_mode.button(size="2", variant="ghost", aria_label="Toggle theme"),
        user_menu(),
        class_name="mn-topbar",
    )


def page_shell(*children: rx.Component, title: str = "") -> rx.Component:
    """A signed-in page: top bar and a centred column."""
    return rx.box(
        top_bar(),
        rx.box(
            rx.cond(title != "", rx.heading(title, size="6", margin_bottom="12px")),
            *children,
            class_name="mn-page",
        ),
        min_height="100vh",
    )
