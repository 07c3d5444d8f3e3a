"""Form pieces shared by every page: a label tied to its input.

`rx.text(..., as_="label", html_for=...)` does not work in Reflex 0.10: Text has no `html_for`
prop, so it lands in the `css` prop and the label is tied to nothing (clicking it does not
focus the input; screen readers announce no field name). A real `<label for=...>` around the
styled text does.
"""

from __future__ import annotations

import reflex as rx


def labelled_switch(label, *, checked, on_change, testid: str, **switch_props) -> rx.Component:
    """A switch inside its `<label>` (clicking the words toggles it; screen readers name it)."""
    return rx.el.label(
        rx.switch(
            checked=checked,
            on_change=on_change,
            custom_attrs={"data-testid": testid},
            **switch_props,
        ),
        rx.text(label, size="2"),
        class_name="mn-watch-choice",
    )


def field_label(text, html_for: str | rx.Var, size: str = "2", weight: str = "medium", **props):
    """`<label for=html_for>` with the Radix text style of the form labels."""
    return rx.el.label(
        rx.text(text, as_="span", size=size, weight=weight),
        html_for=html_for,
        **props,
    )
