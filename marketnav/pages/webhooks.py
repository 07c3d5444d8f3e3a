"""`/webhooks`: post an organisation's market changes to Slack or any HTTPS endpoint."""

from __future__ import annotations

import reflex as rx

from marketnav.components.feedback import error_callout, notice_callout
from marketnav.components.forms import field_label, labelled_switch
from marketnav.components.layout import page_shell
from marketnav.components.tables import data_table
from marketnav.state.webhooks import WebhooksState as S

DELIVERY_COLUMNS = [
    ("When", "at"),
    ("What", "what"),
    ("Status", "status"),
    ("Tries", "attempts"),
    ("HTTP", "code"),
    ("Error", "error"),
]


def _hook(hook: rx.Var) -> rx.Component:
    hook_id = hook["id"].to(int)
    shown = S.revealed.contains(hook_id)
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(hook["label"], weight="bold"),
                rx.badge(
                    rx.cond(hook["active"].to(bool), "on", "off"),
                    color_scheme=rx.cond(hook["active"].to(bool), "green", "gray"),
                ),
                rx.spacer(),
                labelled_switch(
                    "Active",
                    checked=hook["active"].to(bool),
                    on_change=lambda on: S.set_active(hook_id, on),
                    testid="hook-active",
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.text(hook["url"], size="2", class_name="mn-wrap"),
            rx.hstack(
                rx.text("Secret: ", size="2"),
                rx.code(
                    rx.cond(shown, hook["secret"], "•" * 16),
                    custom_attrs={"data-testid": "hook-secret"},
                    class_name="mn-wrap",
                ),
                rx.button(
                    rx.cond(shown, "Hide secret", "Show secret"),
                    size="1",
                    variant="ghost",
                    on_click=S.toggle_secret(hook_id),
                    custom_attrs={"data-testid": "hook-reveal"},
                ),
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.button(
                    "Send test",
                    size="1",
                    variant="soft",
                    on_click=S.send_test(hook_id),
                    custom_attrs={"data-testid": "hook-test"},
                ),
                rx.button(
                    "Delete",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.remove(hook_id),
                    custom_attrs={"data-testid": "hook-delete"},
                ),
                rx.button("Refresh log", size="1", variant="ghost", on_click=S.refresh),
                spacing="2",
            ),
            rx.cond(
                hook["deliveries"].to(list[dict]).length() > 0,
                data_table(
                    DELIVERY_COLUMNS,
                    hook["deliveries"].to(list[dict]),
                    test_id="delivery-row",
                    label="Delivery log",
                ),
                rx.text("No posts yet.", size="1", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "webhook"},
    )


def _add_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Add a webhook", size="3"),
            field_label("URL (Slack incoming webhook or any HTTPS endpoint)", "hook-url"),
            rx.input(
                value=S.hook_url,
                on_change=S.set_hook_url,
                placeholder="https://hooks.slack.com/services/...",
                id="hook-url",
                width="100%",
            ),
            field_label("Label (optional)", "hook-label"),
            rx.input(
                value=S.hook_label,
                on_change=S.set_hook_label,
                placeholder="#market-watch",
                id="hook-label",
                width="100%",
            ),
            rx.button("Add webhook", on_click=S.add, custom_attrs={"data-testid": "hook-add"}),
            rx.text(
                "Each new version with market changes is posted as JSON (Slack's `text`, and every "
                "change under `marketnavigator`), signed: X-MarketNavigator-Signature is "
                "sha256=HMAC-SHA256(secret, timestamp + '.' + body), the timestamp in "
                "X-MarketNavigator-Timestamp. Failures are retried with backoff (30 s, doubling) "
                "six times.",
                size="1",
                color_scheme="gray",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def webhooks_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            notice_callout(S.notice),
            error_callout(S.error),
            rx.cond(
                S.hooks_allowed,
                rx.vstack(
                    rx.hstack(
                        field_label("Organisation", "hook-org"),
                        rx.el.select(
                            rx.foreach(
                                S.hook_orgs, lambda o: rx.el.option(o["name"], value=o["id"])
                            ),
                            value=S.hook_org_id,
                            on_change=S.select_org,
                            id="hook-org",
                            class_name="mn-native-select",
                        ),
                        align="center",
                        spacing="2",
                        wrap="wrap",
                    ),
                    _add_form(),
                    rx.foreach(S.hooks, _hook),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        title="Webhooks",
    )
