"""`/changes`: what changed in the projects you follow, newest first, each opening its version."""

from __future__ import annotations

import reflex as rx

from marketnav.components.feedback import error_callout, notice_callout
from marketnav.components.layout import page_shell
from marketnav.state.notifications import NotificationsState as S


def _item(item: rx.Var) -> rx.Component:
    unread = item["unread"].to(bool)
    return rx.el.li(
        rx.hstack(
            rx.cond(
                unread,
                rx.badge("new", color_scheme="violet", custom_attrs={"data-testid": "change-new"}),
            ),
            rx.vstack(
                rx.link(
                    item["project_name"],
                    " · ",
                    item["title"],
                    href=item["href"].to(str),
                    on_click=S.open_change(item["id"], item["href"]).prevent_default,
                    weight="bold",
                    size="2",
                    custom_attrs={"data-testid": "change-link"},
                ),
                rx.text(item["summary"], size="2"),
                rx.text(item["created_at"], size="1", color_scheme="gray"),
                spacing="1",
                min_width="0",
            ),
            align="start",
            spacing="2",
        ),
        class_name=rx.cond(unread, "mn-change-item mn-unread", "mn-change-item"),
        custom_attrs={"data-testid": "change-item"},
    )


def changes_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.hstack(
                rx.text(
                    "New versions of the reports of projects you follow, when the market changed "
                    "(follow a project from its \u201cWatch this market\u201d card).",
                    size="2",
                    color_scheme="gray",
                ),
                rx.spacer(),
                rx.button(
                    "Mark all read",
                    variant="soft",
                    on_click=S.mark_all_read,
                    disabled=S.unread == 0,
                    custom_attrs={"data-testid": "mark-all-read"},
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            notice_callout(S.notice),
            error_callout(S.error),
            rx.cond(
                S.items.length() > 0,
                rx.el.ul(rx.foreach(S.items, _item), class_name="mn-change-items"),
                rx.text(
                    "Nothing yet: a change appears here when a followed project's new version "
                    "differs from the one before.",
                    size="2",
                    color_scheme="gray",
                    custom_attrs={"data-testid": "no-changes"},
                ),
            ),
            spacing="3",
            width="100%",
        ),
        title="Changes",
    )
