"""Collapsible side panels: edge tabs on desktop, fullscreen overlays on phones (<= 768 px).

Which layout applies is decided by CSS media queries (assets/styles.css), so the page never
flashes the wrong layout while the browser reports its width.
"""

from __future__ import annotations

import reflex as rx


def side_panel(
    side: str, title: str, body: rx.Component, *, collapsed: rx.Var, mobile_open: rx.Var, on_close
) -> rx.Component:
    return rx.el.aside(
        rx.hstack(
            rx.text(title, size="2", weight="bold"),
            rx.spacer(),
            rx.icon_button(
                rx.icon("x"),
                variant="ghost",
                on_click=on_close,
                aria_label=f"Close {title}",
                class_name="mn-panel-close",
                custom_attrs={"data-testid": f"close-{side}"},
            ),
            align="center",
            padding="12px 12px 0 12px",
            width="100%",
        ),
        rx.box(body, class_name="mn-side-inner"),
        class_name=rx.cond(
            mobile_open,
            f"mn-side mn-{side} mn-mobile-open",
            rx.cond(collapsed, f"mn-side mn-{side} mn-collapsed", f"mn-side mn-{side}"),
        ),
        custom_attrs={"data-testid": f"panel-{side}", "aria-label": title},
    )


def edge_tab(side: str, collapsed: rx.Var, on_click, open_offset: str, label: str) -> rx.Component:
    """The small tab at a panel's inner edge (desktop only) that collapses / expands it."""
    arrow_when_open = "chevron-left" if side == "left" else "chevron-right"
    arrow_when_closed = "chevron-right" if side == "left" else "chevron-left"
    return rx.el.button(
        rx.cond(collapsed, rx.icon(arrow_when_closed, size=14), rx.icon(arrow_when_open, size=14)),
        on_click=on_click,
        class_name=f"mn-edge-tab mn-edge-{side}",
        style={side: rx.cond(collapsed, "0px", open_offset)},
        aria_label=label,
        custom_attrs={"data-testid": f"toggle-{side}"},
    )
