"""`/projects/[project_id]`: projects list, the project and its inputs, the assistant panel."""

from __future__ import annotations

import reflex as rx

from marketnav.components.assistant_panel import assistant_panel
from marketnav.components.feedback import error_callout, field_hint, not_found_block, notice_callout
from marketnav.components.forms import field_label
from marketnav.components.panels import Panel, workspace
from marketnav.components.report_cards import report_cards
from marketnav.components.watch_card import watch_card
from marketnav.services.project_inputs import FIELDS, InputField
from marketnav.state.project import ProjectState as S
from marketnav.state.reports import ReportsState


def _projects_list() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.button(rx.icon("plus"), "New project", width="100%"), href="/dashboard", width="100%"
        ),
        rx.foreach(
            S.sidebar_items,
            lambda p: rx.link(
                rx.box(
                    rx.text(p["name"], size="2", trim="both"),
                    rx.text(p["organization_name"], size="1", color_scheme="gray"),
                    padding="8px",
                    border_radius="6px",
                    width="100%",
                    background=rx.cond(p["id"] == S.current_id, "var(--accent-a4)", "transparent"),
                ),
                href=f"/projects/{p['id']}",
                underline="none",
                color="inherit",
                width="100%",
            ),
        ),
        rx.cond(
            S.sidebar_total > S.sidebar_items.length(),
            rx.link(f"All {S.sidebar_total} projects", href="/dashboard", size="2"),
        ),
        spacing="1",
        width="100%",
    )


def _field(field: InputField) -> rx.Component:
    value = S.inputs[field.key]
    editor_props = dict(
        value=S.draft[field.key],
        on_change=lambda v: S.set_draft(field.key, v),
        placeholder=field.placeholder,
        width="100%",
        id=f"input-{field.key}",
        name=field.key,
    )
    editor = rx.text_area(rows="4", **editor_props) if field.multiline else rx.input(**editor_props)
    label = field.label + (" *" if field.required else "")
    wide = "mn-wide" if field.multiline else ""
    return rx.vstack(
        rx.hstack(
            field_label(label, f"input-{field.key}"),
            rx.cond(
                S.ai_generated[field.key],
                rx.tooltip(
                    rx.badge(
                        rx.icon("sparkles", size=12),
                        "AI ",
                        S.ai_confidence[field.key],
                        color_scheme="violet",
                        custom_attrs={"data-testid": f"ai-marker-{field.key}"},
                    ),
                    content="AI generated — the marker disappears when you edit this field",
                ),
            ),
            align="center",
            spacing="2",
        ),
        rx.cond(
            S.editing,
            editor,
            # A saved answer reads as a value (full-contrast text, no grey box); an empty one
            # as a dashed, muted "Not answered" with the question's hint.
            rx.box(
                rx.cond(
                    value != "",
                    rx.text(
                        value,
                        size="2",
                        class_name="mn-field-value",
                        custom_attrs={"data-testid": f"value-{field.key}"},
                    ),
                    rx.text(
                        "Not answered (",
                        field.placeholder,
                        ")",
                        size="2",
                        color_scheme="gray",
                        class_name="mn-field-value mn-field-empty",
                        custom_attrs={"data-testid": f"value-{field.key}"},
                    ),
                ),
                on_click=S.start_editing,
                cursor=rx.cond(S.can_edit, "text", "default"),
                class_name=rx.cond(value != "", "mn-field-box", "mn-field-box mn-field-box-empty"),
                width="100%",
            ),
        ),
        field_hint(S.field_errors.get(field.key, "")),
        spacing="1",
        width="100%",
        class_name=rx.cond(S.ai_highlight[field.key], f"{wide} mn-ai-filled", wide),
        custom_attrs={"data-testid": f"field-{field.key}"},
    )


def _inputs_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Project inputs", size="4"),
                rx.badge(
                    S.completion_status,
                    custom_attrs={"data-testid": "completion-status"},
                    color_scheme=rx.match(
                        S.completion_status, ("complete", "green"), ("partial", "amber"), "gray"
                    ),
                ),
                rx.spacer(),
                rx.cond(
                    S.editing,
                    rx.hstack(
                        rx.button(
                            "Cancel",
                            variant="soft",
                            on_click=S.cancel_editing,
                            custom_attrs={"data-testid": "cancel-inputs"},
                        ),
                        rx.button(
                            "Save changes",
                            on_click=[S.save_inputs, ReportsState.refresh],
                            loading=S.saving,
                            custom_attrs={"data-testid": "save-inputs"},
                        ),
                    ),
                    rx.cond(
                        S.can_edit,
                        rx.button(
                            rx.icon("pencil", size=14),
                            "Edit inputs",
                            variant="soft",
                            on_click=S.start_editing,
                            custom_attrs={"data-testid": "edit-inputs"},
                        ),
                    ),
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                (S.missing_labels.length() > 0) & ~S.editing,
                rx.text(
                    "Still to answer: ",
                    rx.foreach(S.missing_labels, lambda m: rx.badge(m, margin="2px")),
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.box(*[_field(f) for f in FIELDS], class_name="mn-inputs-grid", width="100%"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="inputs-card",
    )


def _centre() -> rx.Component:
    return rx.box(
        rx.cond(
            S.not_found,
            not_found_block(S.error),
            rx.vstack(
                rx.hstack(
                    rx.center(
                        rx.text(S.name.to(str)[:1].upper(), weight="bold", color="white"),
                        width="40px",
                        height="40px",
                        border_radius="8px",
                        background="var(--accent-9)",
                        flex_shrink="0",
                    ),
                    rx.vstack(
                        rx.heading(
                            S.name,
                            size="6",
                            custom_attrs={"data-testid": "project-name"},
                            class_name="mn-field-value",
                        ),
                        rx.text(
                            rx.cond(S.description != "", S.description, "Market research project"),
                            size="2",
                            color_scheme="gray",
                            class_name="mn-field-value",
                        ),
                        rx.text(
                            S.organization_name,
                            " · your role: ",
                            S.role,
                            size="1",
                            color_scheme="gray",
                        ),
                        spacing="0",
                        min_width="0",
                    ),
                    align="center",
                    spacing="3",
                    width="100%",
                ),
                notice_callout(S.notice),
                error_callout(S.error),
                _inputs_card(),
                report_cards(),
                watch_card(),
                spacing="4",
                width="100%",
            ),
        ),
        class_name="mn-centre",
    )


def project_page() -> rx.Component:
    return workspace(
        S,
        Panel("Projects", _projects_list(), "260px", "projects", "panel-left"),
        _centre(),
        Panel("AI research assistant", assistant_panel(), "380px", "assistant", "message-circle"),
    )
