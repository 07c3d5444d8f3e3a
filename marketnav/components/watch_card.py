"""The project page's "Watch this market" card: schedule, pause / resume / stop, following."""

from __future__ import annotations

import reflex as rx

from marketnav.components.forms import labelled_switch
from marketnav.state.watch import WatchState as W


def _type_choice(option: rx.Var) -> rx.Component:
    value = option["value"].to(str)
    return rx.el.label(
        rx.checkbox(
            checked=W.form_types.contains(value),
            on_change=lambda checked: W.toggle_type(value, checked),
            custom_attrs={"data-testid": f"watch-type-{option['value']}"},
        ),
        rx.text(option["label"], size="2"),
        class_name="mn-watch-choice",
    )


def _form() -> rx.Component:
    return rx.vstack(
        rx.text("Reports to refresh", size="2", weight="bold"),
        rx.box(rx.foreach(W.type_options, _type_choice), class_name="mn-watch-choices"),
        rx.hstack(
            rx.el.label("How often", html_for="watch-cadence", class_name="mn-label"),
            rx.select.root(
                rx.select.trigger(id="watch-cadence", aria_label="How often"),
                rx.select.content(
                    rx.foreach(
                        W.cadence_options,
                        lambda o: rx.select.item(o["label"], value=o["value"].to(str)),
                    )
                ),
                value=W.form_cadence,
                on_change=W.set_form_cadence,
                custom_attrs={"data-testid": "watch-cadence"},
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        rx.text(
            "Each refresh is a new version of each report, with the usual progress and cancel; "
            "what changed since the version before is listed on it and told to followers.",
            size="1",
            color_scheme="gray",
        ),
        rx.hstack(
            rx.button(
                "Cancel",
                variant="soft",
                on_click=W.close_form,
                custom_attrs={"data-testid": "watch-cancel"},
            ),
            rx.button(
                rx.cond(W.watching, "Save schedule", "Start watching"),
                on_click=W.save,
                loading=W.watch_busy,
                custom_attrs={"data-testid": "watch-save"},
            ),
            spacing="2",
        ),
        spacing="2",
        width="100%",
    )


def _schedule() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge(
                rx.cond(W.watch_status == "paused", "Paused", "Watching"),
                color_scheme=rx.cond(W.watch_status == "paused", "amber", "green"),
                custom_attrs={"data-testid": "watch-status"},
            ),
            rx.text(
                W.watch_type_labels,
                " · ",
                W.watch_cadence_label,
                size="2",
                custom_attrs={"data-testid": "watch-summary"},
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        rx.cond(
            W.watch_status == "active",
            rx.text(
                "Next refresh: ",
                W.watch_next,
                size="2",
                color_scheme="gray",
                custom_attrs={"data-testid": "watch-next"},
            ),
        ),
        rx.cond(
            W.watch_last != "",
            rx.text("Last refresh: ", W.watch_last, size="1", color_scheme="gray"),
        ),
        rx.cond(
            W.watch_pending.length() > 0,
            rx.text(
                "Waiting to start: ",
                W.watch_pending_labels,
                " (a free slot of your organisation, or this refresh's sources)",
                size="1",
                color_scheme="gray",
            ),
        ),
        rx.cond(
            W.watch_last_error != "",
            rx.text(
                W.watch_last_error,
                size="2",
                color_scheme="red",
                custom_attrs={"data-testid": "watch-last-error"},
            ),
        ),
        rx.cond(
            W.watch_can_change,
            rx.hstack(
                rx.button(
                    rx.icon("pencil", size=14),
                    "Edit",
                    variant="soft",
                    on_click=W.open_form,
                    custom_attrs={"data-testid": "watch-edit"},
                ),
                rx.cond(
                    W.watch_status == "paused",
                    rx.button(
                        rx.icon("play", size=14),
                        "Resume",
                        variant="soft",
                        on_click=W.resume,
                        custom_attrs={"data-testid": "watch-resume"},
                    ),
                    rx.button(
                        rx.icon("pause", size=14),
                        "Pause",
                        variant="soft",
                        on_click=W.pause,
                        custom_attrs={"data-testid": "watch-pause"},
                    ),
                ),
                rx.button(
                    rx.icon("square", size=14),
                    "Stop watching",
                    variant="soft",
                    color_scheme="red",
                    on_click=W.stop,
                    custom_attrs={"data-testid": "watch-stop"},
                ),
                spacing="2",
                wrap="wrap",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _following() -> rx.Component:
    return rx.hstack(
        labelled_switch(
            "Tell me what changes (the bell)",
            checked=W.following,
            on_change=W.set_following,
            testid="watch-follow",
        ),
        rx.cond(
            W.following,
            labelled_switch(
                "and by e-mail digest",
                checked=W.email_digest,
                on_change=W.set_email_digest,
                testid="watch-email",
            ),
        ),
        spacing="4",
        wrap="wrap",
    )


def _followed_company(company: rx.Var) -> rx.Component:
    return rx.badge(
        company["name"],
        rx.icon_button(
            rx.icon("x", size=12),
            size="1",
            variant="ghost",
            on_click=W.unfollow_company(company["source"], company["slug"]),
            aria_label="Stop following " + company["name"].to(str),
            custom_attrs={"data-testid": "unfollow-company"},
        ),
        variant="soft",
        custom_attrs={"data-testid": "followed-company"},
    )


def _followed_companies() -> rx.Component:
    return rx.cond(
        W.followed_companies.length() > 0,
        rx.hstack(
            rx.text("Companies you follow:", size="2"),
            rx.foreach(W.followed_companies, _followed_company),
            rx.text(
                "(each re-checked with its data source; follow more from a report's companies)",
                size="1",
                color_scheme="gray",
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
    )


def watch_card() -> rx.Component:
    return rx.cond(
        W.watch_project_id > 0,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("radar", size=18),
                    rx.heading("Watch this market", size="4"),
                    align="center",
                    spacing="2",
                ),
                rx.cond(
                    W.form_open,
                    _form(),
                    rx.cond(
                        W.watching,
                        _schedule(),
                        rx.vstack(
                            rx.text(
                                "Refresh this project's reports daily, weekly or monthly and "
                                "be told what changed: new or departed competitors, new "
                                "rounds, status and threat changes, the verdict.",
                                size="2",
                                color_scheme="gray",
                            ),
                            rx.cond(
                                W.watch_can_change,
                                rx.button(
                                    rx.icon("radar", size=14),
                                    "Watch this market",
                                    on_click=W.open_form,
                                    custom_attrs={"data-testid": "watch-open"},
                                ),
                                rx.text(
                                    "Members and admins set the schedule; you can follow "
                                    "its changes.",
                                    size="1",
                                    color_scheme="gray",
                                ),
                            ),
                            spacing="2",
                        ),
                    ),
                ),
                _following(),
                _followed_companies(),
                rx.cond(
                    W.watch_error != "",
                    rx.text(
                        W.watch_error,
                        color_scheme="red",
                        size="2",
                        custom_attrs={"data-testid": "watch-error", "role": "alert"},
                    ),
                ),
                rx.cond(
                    W.watch_notice != "",
                    rx.text(
                        W.watch_notice,
                        color_scheme="green",
                        size="2",
                        custom_attrs={"data-testid": "watch-notice", "role": "status"},
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
            custom_attrs={"data-testid": "watch-card"},
        ),
    )
