"""`/imports`: import an organisation's own company list (CSV) into the market-data services."""

from __future__ import annotations

import reflex as rx

from marketnav.components.feedback import error_callout, notice_callout
from marketnav.components.forms import field_label
from marketnav.components.layout import page_shell
from marketnav.components.tables import data_table
from marketnav.state.imports import ImportState as S

UPLOAD_ID = "company-csv"
PREVIEW_COLUMNS = [
    ("Line", "line"),
    ("Name", "name"),
    ("Website", "website"),
    ("Description", "description"),
    ("Categories", "categories"),
    ("Founded", "founded"),
    ("HQ", "hq"),
    ("Funding", "funding"),
    ("Status", "status"),
]
ERROR_COLUMNS = [("Line", "line"), ("Name", "name"), ("Reason", "reason")]
HISTORY_COLUMNS = [
    ("#", "id"),
    ("File", "file_name"),
    ("Layout", "layout"),
    ("Status", "status"),
    ("Rows", "rows"),
    ("Valid", "valid"),
    ("Errors", "errors"),
    ("New", "created"),
    ("Merged", "merged"),
    ("Sent", "sent"),
    ("Started", "created_at"),
]


def _organisation() -> rx.Component:
    return rx.hstack(
        field_label("Organisation", "import-org"),
        rx.el.select(
            rx.foreach(S.orgs, lambda o: rx.el.option(o["name"], value=o["id"])),
            value=S.org_id,
            on_change=S.select_org,
            id="import-org",
            class_name="mn-native-select",
        ),
        align="center",
        spacing="2",
        wrap="wrap",
    )


def _name_file_input(upload: rx.Component, name: str) -> rx.Component:
    """rx.upload gives react-dropzone's hidden <input type=file> no props: name it here."""
    for zone in upload.children:
        for child in zone.children:
            if getattr(child, "tag", None) == "input":
                child.custom_attrs["aria-label"] = name
                return upload
    raise RuntimeError("rx.upload has no file input to name")


def _upload() -> rx.Component:
    return _name_file_input(_upload_zone(), "CSV file to import")


def _upload_zone() -> rx.Component:
    return rx.upload.root(
        rx.vstack(
            rx.icon("upload", size=22),
            rx.text("Drop a CSV here or click to choose one", size="2", weight="medium"),
            rx.text(
                "Crunchbase, Tracxn or Dealroom exports, the YC-startups layout, or any CSV "
                "(you map its columns). Up to 20 MB / 100,000 rows.",
                size="1",
                color_scheme="gray",
                text_align="center",
            ),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        max_files=1,
        multiple=False,
        accept={"text/csv": [".csv"], "text/plain": [".txt"], "application/vnd.ms-excel": [".csv"]},
        on_drop=S.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)),
        border="1px dashed var(--gray-8)",
        border_radius="8px",
        padding="20px 12px",
        width="100%",
        cursor="pointer",
        custom_attrs={
            "data-testid": "import-upload",
            "role": "button",
            "aria-label": "Choose a CSV file to import (or drop one here)",
        },
    )


def _mapping_row(row: rx.Var) -> rx.Component:
    return rx.hstack(
        field_label(
            row["label"], "map-" + row["field"].to(str), weight="regular", min_width="170px"
        ),
        rx.el.select(
            rx.el.option("— not imported —", value="-"),
            rx.foreach(S.columns, lambda c: rx.el.option(c, value=c)),
            id="map-" + row["field"].to(str),
            value=rx.cond(row["column"] != "", row["column"], "-"),
            on_change=lambda value: S.set_mapping(row["field"], value),
            disabled=S.layout != "generic",
            class_name="mn-native-select",
            custom_attrs={"data-testid": "map-" + row["field"].to(str)},
        ),
        spacing="2",
        align="center",
        wrap="wrap",
        width="100%",
    )


def _draft() -> rx.Component:
    return rx.cond(
        S.draft_id > 0,
        rx.vstack(
            rx.hstack(
                rx.text("File: ", rx.text.strong(S.file_name), size="2"),
                rx.spacer(),
                field_label("Layout", "import-layout", weight="regular"),
                rx.el.select(
                    rx.foreach(S.layouts, lambda o: rx.el.option(o["label"], value=o["value"])),
                    id="import-layout",
                    value=S.layout,
                    on_change=S.set_layout,
                    class_name="mn-native-select",
                    custom_attrs={"data-testid": "import-layout"},
                ),
                width="100%",
                align="center",
                wrap="wrap",
                spacing="2",
            ),
            rx.text(
                "Detected: ",
                rx.text.strong(S.layout_label, custom_attrs={"data-testid": "detected-layout"}),
                size="2",
            ),
            rx.heading("Column mapping", size="3"),
            rx.cond(
                S.layout == "generic",
                rx.text("Choose the column of each field; only the name is required.", size="1"),
                rx.text("The layout's own columns are used.", size="1", color_scheme="gray"),
            ),
            rx.vstack(rx.foreach(S.mapping_rows, _mapping_row), spacing="1", width="100%"),
            error_callout(S.preview_problem, "mapping-problem"),
            rx.heading("First rows", size="3"),
            rx.cond(
                S.preview_rows.length() > 0,
                data_table(PREVIEW_COLUMNS, S.preview_rows, test_id="preview-row"),
                rx.text("No row to show yet.", size="2", color_scheme="gray"),
            ),
            rx.cond(
                S.preview_errors.length() > 0,
                rx.vstack(
                    rx.text(
                        "Rows with errors among the first ",
                        S.preview_scanned,
                        " (they are skipped; the others are imported):",
                        size="2",
                    ),
                    data_table(ERROR_COLUMNS, S.preview_errors, test_id="preview-error"),
                    width="100%",
                ),
            ),
            rx.hstack(
                rx.button(
                    "Start import",
                    on_click=S.start,
                    disabled=S.preview_problem != "",
                    custom_attrs={"data-testid": "start-import"},
                ),
                rx.button("Discard", variant="soft", color_scheme="gray", on_click=S.discard),
                spacing="2",
            ),
            width="100%",
            spacing="3",
            custom_attrs={"data-testid": "import-draft"},
        ),
    )


def _job() -> rx.Component:
    job = S.job
    return rx.cond(
        job.contains("id"),
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text("Import #", job["id"], " · ", job["file_name"], weight="medium"),
                    rx.badge(job["status"], custom_attrs={"data-testid": "import-status"}),
                    rx.spacer(),
                    rx.cond(
                        S.job_active,
                        rx.button(
                            "Cancel",
                            size="1",
                            color_scheme="red",
                            variant="soft",
                            on_click=S.cancel(job["id"].to(int)),
                            custom_attrs={"data-testid": "cancel-import"},
                        ),
                    ),
                    width="100%",
                    align="center",
                    wrap="wrap",
                ),
                rx.progress(value=S.job_progress, max=100, width="100%"),
                rx.text(job["message"], size="2", custom_attrs={"data-testid": "import-message"}),
                rx.text(
                    job["rows"],
                    " rows · ",
                    job["valid"],
                    " valid · ",
                    job["errors"],
                    " with errors · ",
                    job["sent"],
                    " of ",
                    job["to_send"],
                    " companies sent · ",
                    job["created"],
                    " new · ",
                    job["merged"],
                    " merged",
                    size="1",
                    color_scheme="gray",
                    custom_attrs={"data-testid": "import-counts"},
                ),
                rx.cond(
                    S.job_errors.length() > 0,
                    rx.vstack(
                        rx.text("Rows not imported", size="2", weight="medium"),
                        data_table(ERROR_COLUMNS, S.job_errors, test_id="import-error"),
                        width="100%",
                    ),
                ),
                width="100%",
                spacing="2",
            ),
            width="100%",
            custom_attrs={"data-testid": "import-job"},
        ),
    )


def _history_actions(row: rx.Var) -> rx.Component:
    return rx.button("Details", size="1", variant="soft", on_click=S.show(row["id"].to(int)))


def imports_page() -> rx.Component:
    return page_shell(
        notice_callout(S.notice),
        error_callout(S.error),
        rx.cond(
            S.allowed,
            rx.vstack(
                rx.text(
                    "Companies you import belong to this organisation: its projects' reports "
                    "search them, no other organisation ever sees them, and they are deleted "
                    "with the organisation.",
                    size="2",
                    color_scheme="gray",
                ),
                _organisation(),
                _upload(),
                _draft(),
                _job(),
                rx.heading("Past imports", size="4", margin_top="8px"),
                rx.cond(
                    S.imports.length() > 0,
                    data_table(
                        HISTORY_COLUMNS,
                        S.imports,
                        test_id="import-row",
                        extra=_history_actions,
                    ),
                    rx.text("No import yet.", size="2", color_scheme="gray"),
                ),
                width="100%",
                spacing="3",
            ),
        ),
        title="Import companies",
    )
