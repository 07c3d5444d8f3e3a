"""`/dashboard`: the user's projects across organisations."""

from __future__ import annotations

import reflex as rx

from marketnav.components.feedback import error_callout, field_hint, notice_callout
from marketnav.components.forms import field_label
from marketnav.components.layout import page_shell
from marketnav.components.pagination import pager
from marketnav.state.dashboard import DashboardState as S

STATUS_COLOURS = {"complete": "green", "partial": "amber", "incomplete": "gray"}


def _status_badge(status: rx.Var) -> rx.Component:
    return rx.badge(
        status, color_scheme=rx.match(status, ("complete", "green"), ("partial", "amber"), "gray")
    )


def _project_card(item: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(
                    rx.heading(item["name"], size="4", trim="both"),
                    href=f"/projects/{item['id']}",
                    custom_attrs={"data-testid": "project-link"},
                    min_width="0",
                ),
                rx.spacer(),
                rx.menu.root(
                    rx.menu.trigger(
                        rx.icon_button(
                            rx.icon("ellipsis"), variant="ghost", aria_label="Project actions"
                        )
                    ),
                    rx.menu.content(
                        rx.menu.item("Rename", on_click=S.open_rename(item["id"], item["name"])),
                        rx.cond(
                            item["status"] == "archived",
                            rx.menu.item("Restore", on_click=S.set_archived(item["id"], False)),
                            rx.menu.item("Archive", on_click=S.set_archived(item["id"], True)),
                        ),
                        rx.menu.separator(),
                        rx.menu.item(
                            "Delete…",
                            color_scheme="red",
                            on_click=S.open_delete(item["id"], item["name"]),
                        ),
                    ),
                    modal=False,
                ),
                width="100%",
                align="center",
            ),
            rx.text(
                rx.cond(item["description"] != "", item["description"], "Market research project"),
                size="2",
                color_scheme="gray",
                trim="both",
                class_name="mn-field-value",
            ),
            rx.hstack(
                _status_badge(item["completion_status"]),
                rx.badge(item["organization_name"], variant="outline"),
                rx.text(item["created_at"], size="1", color_scheme="gray"),
                wrap="wrap",
                align="center",
            ),
            spacing="2",
            width="100%",
        ),
        custom_attrs={"data-testid": "project-card"},
    )


def _create_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("plus"), "New project", custom_attrs={"data-testid": "new-project"})
        ),
        rx.dialog.content(
            rx.dialog.title("New project"),
            rx.form(
                rx.vstack(
                    field_label("Name", "project-name", weight="regular"),
                    rx.input(
                        name="name",
                        id="project-name",
                        placeholder="e.g. Pet-care marketplace",
                        width="100%",
                    ),
                    field_hint(S.field_errors.get("name", "")),
                    field_label("Description (optional)", "project-desc", weight="regular"),
                    rx.text_area(name="description", id="project-desc", width="100%"),
                    rx.cond(
                        S.create_orgs.length() > 1,
                        rx.vstack(
                            field_label("Organisation", "project-org", weight="regular"),
                            rx.select.root(
                                rx.select.trigger(width="100%", id="project-org"),
                                rx.select.content(
                                    rx.foreach(
                                        S.create_orgs,
                                        lambda o: rx.select.item(o["name"], value=o["id"]),
                                    )
                                ),
                                value=S.create_org_id,
                                on_change=S.set_create_org_id,
                            ),
                            width="100%",
                        ),
                    ),
                    error_callout(S.error, "create-error"),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", type="button")),
                        rx.button("Create project", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.create_project,
                reset_on_submit=False,
            ),
        ),
        open=S.create_open,
        on_open_change=S.set_create_open,
    )


def _rename_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename project"),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="name",
                        default_value=S.target_name,
                        width="100%",
                        aria_label="Project name",
                    ),
                    field_hint(S.field_errors.get("name", "")),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", type="button")),
                        rx.button("Save", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    width="100%",
                ),
                on_submit=S.rename,
            ),
        ),
        open=S.rename_open,
        on_open_change=S.set_rename_open,
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete project?"),
            rx.alert_dialog.description(
                f"“{S.target_name}” and its inputs will be deleted for every member. "
                "This cannot be undone."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                rx.alert_dialog.action(
                    rx.button(
                        "Delete",
                        color_scheme="red",
                        on_click=S.confirm_delete,
                        custom_attrs={"data-testid": "confirm-delete"},
                    )
                ),
                justify="end",
                margin_top="12px",
            ),
        ),
        open=S.delete_open,
        on_open_change=S.set_delete_open,
    )


def dashboard_page() -> rx.Component:
    return page_shell(
        rx.hstack(
            rx.heading("My projects", size="6"),
            rx.badge(S.total, custom_attrs={"data-testid": "project-count"}),
            rx.spacer(),
            _create_dialog(),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search")),
                placeholder="Search projects",
                value=S.search,
                on_change=S.set_search.debounce(300),
                width="min(360px, 100%)",
                aria_label="Search projects",
            ),
            rx.checkbox("Show archived", checked=S.show_archived, on_change=S.toggle_archived),
            align="center",
            wrap="wrap",
            padding_y="12px",
        ),
        notice_callout(S.notice),
        rx.cond(S.create_open, rx.fragment(), error_callout(S.error)),
        rx.cond(
            S.items.length() > 0,
            rx.box(rx.foreach(S.items, _project_card), class_name="mn-grid"),
            rx.card(
                rx.vstack(
                    rx.icon("folder-open", size=32),
                    rx.text(
                        rx.cond(
                            S.search != "",
                            "No project matches your search.",
                            "No projects yet. Create one to describe your startup.",
                        )
                    ),
                    align="center",
                    padding="24px",
                ),
                custom_attrs={"data-testid": "empty-state"},
            ),
        ),
        pager(S.page, S.pages, S.total, S.go_to_page),
        _rename_dialog(),
        _delete_dialog(),
    )
