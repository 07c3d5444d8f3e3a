"""Collapsible side panels: edge tabs on desktop, fullscreen overlays on phones (<= 768 px).

Which layout applies is decided by CSS media queries (assets/styles.css), so the page never
flashes the wrong layout while the browser reports its width.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from marketnav.components.layout import top_bar


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


# A phone panel covers the page like a dialog: Escape (from the panel or the top bar) closes it
# through its close button, and the focus goes back to the button that opened it.
_ESCAPE_CLOSES_PANEL = """((e) => {
  if (e.key !== 'Escape') return;
  const panel = e.currentTarget.querySelector('.mn-mobile-open');
  const close = panel && panel.querySelector('.mn-panel-close');
  if (!close) return;
  const side = panel.classList.contains('mn-left') ? 'left' : 'right';
  close.click();
  const opener = e.currentTarget.querySelector('[data-testid=open-' + side + ']');
  if (opener) opener.focus();
})"""


@dataclass(frozen=True)
class Panel:
    """One side panel of a workspace page."""

    title: str
    body: rx.Component
    width: str
    noun: str  # "projects", "sections", "assistant": used in button labels
    icon: str


def workspace(
    state: type[rx.State], left: Panel, centre: rx.Component, right: Panel, extra_class: str = ""
) -> rx.Component:
    """Top bar + left panel, centre, right panel (project page, report viewer).

    `state` provides `left_collapsed` / `right_collapsed` ("1" = collapsed), `toggle_left`,
    `toggle_right`, `mobile_panel`, `open_mobile(side)` and `close_mobile`.
    """
    mobile_buttons = rx.hstack(
        *[
            rx.icon_button(
                rx.icon(panel.icon),
                variant="soft",
                on_click=state.open_mobile(side),
                aria_label=f"Open {panel.noun}",
                class_name="mn-mobile-only",
                custom_attrs={"data-testid": f"open-{side}"},
            )
            for side, panel in (("left", left), ("right", right))
        ],
        spacing="2",
    )
    left_collapsed = state.left_collapsed == "1"
    right_collapsed = state.right_collapsed == "1"
    base = f"mn-workspace {extra_class}".strip()
    return rx.box(
        top_bar(mobile_buttons),
        rx.box(
            side_panel(
                "left",
                left.title,
                left.body,
                collapsed=left_collapsed,
                mobile_open=state.mobile_panel == "left",
                on_close=state.close_mobile,
            ),
            edge_tab(
                "left",
                left_collapsed,
                state.toggle_left,
                left.width,
                f"Collapse or expand {left.noun}",
            ),
            centre,
            edge_tab(
                "right",
                right_collapsed,
                state.toggle_right,
                right.width,
                f"Collapse or expand {right.noun}",
            ),
            side_panel(
                "right",
                right.title,
                right.body,
                collapsed=right_collapsed,
                mobile_open=state.mobile_panel == "right",
                on_close=state.close_mobile,
            ),
            class_name=rx.cond(state.mobile_panel != "", f"{base} mn-has-mobile-panel", base),
        ),
        custom_attrs={"onKeyDown": rx.Var(_ESCAPE_CLOSES_PANEL)},
    )
