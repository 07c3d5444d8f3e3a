"""`/organizations`: organisations, members and roles."""

from __future__ import annotations

import reflex as rx

from marketnav.components.feedback import error_callout, field_hint, notice_callout
from marketnav.components.forms import labelled_switch
from marketnav.components.layout import page_shell
from marketnav.components.tables import scroll_region
from marketnav.state.organizations import ROLES
from marketnav.state.organizations import OrganizationsState as S


def _member_row(m: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(m["name"]), rx.text(m["email"], size="1", color_scheme="gray")),
        rx.table.cell(
            rx.cond(
                S.can_manage & (m["is_me"] == ""),
                rx.select(
                    ROLES,
                    value=m["role"],
                    on_change=lambda r: S.change_role(m["user_id"], r),
                    size="1",
                    custom_attrs={"aria-label": "Role of " + m["name"].to(str)},
                ),
                rx.badge(m["role"]),
            )
        ),
        rx.table.cell(
            rx.cond(
                m["is_me"] != "",
                rx.button("Leave", size="1", variant="soft", color_scheme="red", on_click=S.leave),
                rx.cond(
                    S.can_manage,
                    rx.button(
                        "Remove",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=S.remove(m["user_id"]),
                    ),
                ),
            )
        ),
        custom_attrs={"data-testid": "member-row"},
    )


def _web_discovery() -> rx.Component:
    """The organisation's web discovery switch (admins change it; everyone sees it)."""
    return rx.vstack(
        labelled_switch(
            "Web discovery: also look for competitors on the open web",
            checked=S.web_discovery,
            on_change=S.set_web_discovery,
            disabled=~S.can_manage_sources,
            testid="web-discovery-switch",
        ),
        rx.text(
            "Reports that search for competitors send search queries built from the "
            "project's idea, audience and named competitors to this server's web search "
            "engine, and read public pages (robots.txt honoured, never private addresses). "
            "Companies found are added to this organisation's companies with the pages as "
            "their sources, and ranked like every other company.",
            size="1",
            color_scheme="gray",
        ),
        rx.cond(
            S.web_engine == "",
            rx.text(
                "No web search engine is configured on this server (WEB_SEARCH_ENGINE), so "
                "reports skip the web search even when this is on.",
                size="1",
                color_scheme="amber",
                custom_attrs={"data-testid": "web-discovery-no-engine"},
            ),
        ),
        rx.cond(
            ~S.can_manage_sources,
            rx.text("Only owners and admins can change this.", size="1", color_scheme="gray"),
        ),
        spacing="1",
        width="100%",
        custom_attrs={"data-testid": "web-discovery"},
    )


def organizations_page() -> rx.Component:
    return page_shell(
        notice_callout(S.notice),
        error_callout(S.error),
        rx.box(
            rx.card(
                rx.vstack(
                    rx.heading("Your organisations", size="4"),
                    rx.foreach(
                        S.orgs,
                        lambda o: rx.button(
                            rx.text(o["name"], trim="both"),
                            rx.spacer(),
                            rx.badge(o["role"]),
                            variant=rx.cond(o["id"] == S.selected_id, "solid", "soft"),
                            on_click=S.select(o["id"]),
                            width="100%",
                        ),
                    ),
                    rx.form(
                        rx.hstack(
                            rx.input(
                                name="name",
                                placeholder="New organisation name",
                                width="100%",
                                aria_label="New organisation name",
                            ),
                            rx.button("Create", type="submit"),
                        ),
                        on_submit=S.create,
                        reset_on_submit=True,
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
            ),
            rx.card(
                rx.vstack(
                    rx.heading(S.selected_name, size="4"),
                    rx.text("Your role: ", S.selected_role, size="2", color_scheme="gray"),
                    rx.cond(
                        S.can_manage,
                        rx.vstack(
                            rx.form(
                                rx.hstack(
                                    rx.input(
                                        name="name",
                                        placeholder="Rename organisation",
                                        aria_label="Organisation name",
                                        width="100%",
                                    ),
                                    rx.button("Rename", type="submit", variant="soft"),
                                ),
                                on_submit=S.rename,
                                reset_on_submit=True,
                                width="100%",
                            ),
                            rx.form(
                                rx.hstack(
                                    rx.input(
                                        name="email",
                                        type="email",
                                        placeholder="colleague@example.com",
                                        aria_label="E-mail to invite",
                                        width="100%",
                                    ),
                                    rx.select(
                                        ROLES,
                                        value=S.invite_role,
                                        on_change=S.set_invite_role,
                                        custom_attrs={"aria-label": "Role for the new member"},
                                    ),
                                    rx.button("Add member", type="submit"),
                                    wrap="wrap",
                                    width="100%",
                                ),
                                field_hint(S.field_errors.get("email", "")),
                                on_submit=S.invite,
                                reset_on_submit=True,
                                width="100%",
                            ),
                            width="100%",
                        ),
                    ),
                    _web_discovery(),
                    rx.cond(
                        S.can_delete,
                        rx.cond(
                            S.confirm_delete,
                            rx.hstack(
                                rx.text(
                                    "Delete this organisation, its projects, reports and "
                                    "imported companies?",
                                    size="2",
                                ),
                                rx.button(
                                    "Delete for good",
                                    color_scheme="red",
                                    size="1",
                                    on_click=S.delete,
                                    custom_attrs={"data-testid": "confirm-delete-org"},
                                ),
                                rx.button(
                                    "Keep", size="1", variant="soft", on_click=S.ask_delete(False)
                                ),
                                wrap="wrap",
                                align="center",
                            ),
                            rx.button(
                                "Delete organisation",
                                size="1",
                                variant="soft",
                                color_scheme="red",
                                on_click=S.ask_delete(True),
                                custom_attrs={"data-testid": "delete-org"},
                            ),
                        ),
                    ),
                    rx.box(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    rx.table.column_header_cell("Member"),
                                    rx.table.column_header_cell("Role"),
                                    rx.table.column_header_cell(""),
                                )
                            ),
                            rx.table.body(rx.foreach(S.members, _member_row)),
                            width="100%",
                        ),
                        **scroll_region("Members"),
                    ),
                    rx.cond(
                        S.invitations.length() > 0,
                        rx.vstack(
                            rx.text("Invited (they join when they sign in)", size="2"),
                            rx.foreach(
                                S.invitations,
                                lambda i: rx.text(
                                    i["email"],
                                    " · ",
                                    i["role"],
                                    size="2",
                                    color_scheme="gray",
                                    custom_attrs={"data-testid": "invitation"},
                                ),
                            ),
                            spacing="1",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            class_name="mn-grid",
        ),
        title="Organisations",
    )
