"""The AI research assistant panel: thread, mode pills, composer."""

from __future__ import annotations

import reflex as rx

from marketnav.state.assistant import AssistantState as A


def _source(source: rx.Var) -> rx.Component:
    """One Sources entry: report label and section title, linked to the section."""
    return rx.el.li(
        rx.cond(
            source["href"] != "",
            rx.link(
                source["text"],
                href=source["href"],
                size="1",
                custom_attrs={"data-testid": "citation-link"},
            ),
            rx.text(source["text"], size="1", color_scheme="gray"),
        ),
    )


def _bubble(m: rx.Var) -> rx.Component:
    mine = m["role"] == "user"
    return rx.box(
        rx.hstack(
            rx.text(m["author"], size="1", weight="bold"),
            rx.text(m["time"], size="1", color_scheme="gray"),
            rx.cond(m["modes"] != "", rx.badge(m["modes"], size="1", variant="soft")),
            rx.cond(
                m["label"] != "",
                rx.badge(
                    m["label"],
                    size="1",
                    color_scheme=rx.cond(m["offline"], "amber", "gray"),
                    custom_attrs={"data-testid": "reply-label"},
                ),
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            m["status"] == "done",
            rx.box(rx.html(m["html"]), class_name="mn-chat-md"),
            rx.cond(
                m["status"] == "failed",
                rx.hstack(
                    rx.text(m["error"], size="2", color_scheme="red"),
                    rx.button(
                        "Retry",
                        size="1",
                        variant="soft",
                        on_click=A.retry(m["id"]),
                        custom_attrs={"data-testid": "retry-reply"},
                    ),
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(
                    A.streaming_id == m["id"],
                    rx.text(
                        A.streaming_text,
                        size="2",
                        class_name="mn-field-value",
                        custom_attrs={"data-testid": "streaming-text"},
                    ),
                    rx.hstack(
                        rx.spinner(size="1"),
                        rx.text("Thinking…", size="2"),
                        custom_attrs={"data-testid": "thinking"},
                    ),
                ),
            ),
        ),
        rx.cond(
            m["fills"].to(list[str]).length() > 0,
            rx.el.details(
                rx.el.summary(
                    rx.hstack(
                        rx.icon("sparkles", size=12),
                        rx.text("Saved: ", m["fills"].to(list[str]).join(", "), size="1"),
                        align="center",
                        spacing="1",
                        display="inline-flex",
                    ),
                    custom_attrs={"data-testid": "fill-summary"},
                ),
                rx.foreach(
                    m["fill_basis"].to(list[str]),
                    lambda b: rx.text(b, size="1", color_scheme="gray"),
                ),
                class_name="mn-fill-details",
            ),
        ),
        rx.cond(
            m["sources"].to(list[dict[str, str]]).length() > 0,
            rx.box(
                rx.text("Sources", size="1", weight="bold", color_scheme="gray"),
                rx.el.ol(
                    rx.foreach(m["sources"].to(list[dict[str, str]]), _source),
                    class_name="mn-chat-sources",
                ),
                custom_attrs={"data-testid": "citations"},
            ),
        ),
        rx.cond(
            m["context"] != "",
            rx.text("About the ", m["context"], " report", size="1", color_scheme="gray"),
        ),
        class_name=rx.cond(mine, "mn-bubble mn-bubble-user", "mn-bubble mn-bubble-bot"),
        custom_attrs={"data-testid": rx.cond(mine, "user-message", "assistant-message")},
    )


def _mode_pill(mode: rx.Var) -> rx.Component:
    active = A.active_modes.contains(mode["id"])
    return rx.tooltip(
        rx.button(
            rx.cond(active, rx.icon("circle-check", size=12), rx.icon("circle", size=12)),
            mode["name"],
            size="1",
            radius="full",
            variant=rx.cond(active, "solid", "outline"),
            on_click=A.toggle_mode(mode["id"]),
            type="button",
            custom_attrs={
                "data-testid": "mode-" + mode["id"].to(str),
                "aria-pressed": rx.cond(active, "true", "false"),
            },
        ),
        content=mode["description"],
    )


def assistant_panel() -> rx.Component:
    return rx.vstack(
        # The thread scrolls in reverse (`.mn-chat-thread`: column-reverse around one inner
        # box), so it opens at the newest message and stays there as replies stream in.
        rx.box(
            rx.box(
                rx.cond(
                    A.has_more,
                    rx.button(
                        "Load earlier messages",
                        size="1",
                        variant="ghost",
                        on_click=A.load_earlier,
                        width="100%",
                    ),
                ),
                rx.cond(
                    A.messages.length() == 0,
                    rx.text(
                        "Hi! I'm your research assistant. Ask me anything about your project, or "
                        "switch on Editing Mode and describe your startup: I will fill the "
                        "inputs for you.",
                        size="2",
                        color_scheme="gray",
                        custom_attrs={"data-testid": "chat-empty"},
                    ),
                ),
                rx.foreach(A.messages, _bubble),
                class_name="mn-chat-items",
                width="100%",
            ),
            class_name="mn-chat-thread",
            width="100%",
            custom_attrs={"data-testid": "chat-thread"},
        ),
        rx.cond(
            A.chat_error != "",
            rx.text(
                A.chat_error,
                size="2",
                color_scheme="red",
                custom_attrs={"data-testid": "chat-error"},
            ),
        ),
        rx.cond(
            A.can_send,
            rx.vstack(
                rx.hstack(rx.foreach(A.modes, _mode_pill), wrap="wrap", spacing="2"),
                rx.form(
                    rx.hstack(
                        rx.text_area(
                            name="message",
                            placeholder="Ask about your project… "
                            "(Enter sends, Shift+Enter adds a line)",
                            enter_key_submit=True,
                            auto_height=True,
                            rows="2",
                            width="100%",
                            max_length=4000,
                            aria_label="Message",
                            custom_attrs={"data-testid": "chat-input"},
                        ),
                        rx.button(
                            rx.icon("send", size=16),
                            type="submit",
                            aria_label="Send",
                            custom_attrs={"data-testid": "chat-send"},
                        ),
                        align="end",
                        width="100%",
                    ),
                    on_submit=A.send,
                    reset_on_submit=True,
                    width="100%",
                ),
                rx.cond(
                    A.can_clear,
                    rx.alert_dialog.root(
                        rx.alert_dialog.trigger(
                            rx.button(
                                "Clear thread",
                                size="1",
                                variant="ghost",
                                color_scheme="red",
                                type="button",
                            )
                        ),
                        rx.alert_dialog.content(
                            rx.alert_dialog.title("Clear the assistant thread?"),
                            rx.alert_dialog.description("Every member loses these messages."),
                            rx.hstack(
                                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft")),
                                rx.alert_dialog.action(
                                    rx.button("Clear", color_scheme="red", on_click=A.clear)
                                ),
                                justify="end",
                                margin_top="12px",
                            ),
                        ),
                        open=A.clear_open,
                        on_open_change=A.set_clear_open,
                    ),
                ),
                width="100%",
                spacing="2",
                class_name="mn-chat-composer",
            ),
            rx.text(
                "Viewers can read the thread but not write in it.", size="1", color_scheme="gray"
            ),
        ),
        height="100%",
        width="100%",
        spacing="2",
        custom_attrs={"data-testid": "assistant-panel"},
    )
