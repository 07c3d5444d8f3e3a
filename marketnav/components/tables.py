"""A plain data table: headers, one row per item of a list var, cells from dict keys."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx


def scroll_region(label: str) -> dict:
    """Props of the box a wide table scrolls in: focusable (keyboard users scroll it), named."""
    return {"class_name": "mn-table-wrap", "tab_index": 0, "role": "region", "aria_label": label}


def data_table(
    columns: list[tuple[str, str]],
    rows: rx.Var,
    *,
    test_id: str = "",
    extra: Callable[[rx.Var], rx.Component] | None = None,
    extra_header: str = "",
    label: str = "",
) -> rx.Component:
    """`columns` = [(header, key)]; `extra(row)` adds a last cell (e.g. an action button)."""
    headers = [header for header, _ in columns] + ([extra_header] if extra else [])

    def row(item: rx.Var) -> rx.Component:
        cells = [rx.table.cell(item[key]) for _, key in columns]
        if extra:
            cells.append(rx.table.cell(extra(item)))
        return rx.table.row(*cells, custom_attrs={"data-testid": test_id} if test_id else {})

    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, row)),
            width="100%",
            size="1",
        ),
        **scroll_region(label or "Table: " + ", ".join(h for h in headers[:3] if h)),
    )
