"""Previous / next page controls with a position label."""

import reflex as rx


def pager(page: rx.Var, pages: rx.Var, total: rx.Var, on_page) -> rx.Component:
    return rx.cond(
        pages > 1,
        rx.hstack(
            rx.button(
                "Previous",
                variant="soft",
                disabled=page <= 1,
                on_click=on_page(page - 1),
                custom_attrs={"data-testid": "page-prev"},
            ),
            rx.text(
                f"Page {page} of {pages} · {total} in all",
                size="2",
                custom_attrs={"data-testid": "page-label"},
            ),
            rx.button(
                "Next",
                variant="soft",
                disabled=page >= pages,
                on_click=on_page(page + 1),
                custom_attrs={"data-testid": "page-next"},
            ),
            align="center",
            justify="center",
            width="100%",
            padding_top="16px",
        ),
    )
