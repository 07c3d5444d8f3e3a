"""CSV exports of company lists -> `ImportedCompany` rows, with per-row errors.

The layout is detected from the header (`layouts`); every row is parsed on its own (`values`;
a bad row becomes a `RowError` with its line number and never stops the others); rows are
then deduplicated (`dedupe`: by website domain, then by name key, merging the facts and
keeping every source). This module is the package's entry point: the names the import jobs,
the page's preview and the CLI use are importable from here.

No Reflex, no Celery, no database: pure functions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel, Field, ValidationError

from marketnav.services.company_import.dedupe import DedupeResult, dedupe, merge
from marketnav.services.company_import.layouts import (
    FIELD_LABELS,
    FIELDS,
    LAYOUT_LABELS,
    LAYOUT_SPECS,
    LAYOUTS,
    Layout,
    LayoutName,
    check_mapping,
    csv_dialect,
    decode,
    default_mapping,
    detect_layout,
    parse_mapping_option,
    read_header,
)
from marketnav.services.company_import.values import (
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_PLACE,
    MAX_WEBSITE,
    BadValue,
    is_empty,
    normalise_website,
    parse_funding,
    parse_funding_list,
    parse_status,
    parse_year,
    source_label,
    split_list,
    split_location,
)
from scraper_services.common.contracts import ImportedCompany, company_name_key, website_domain

__all__ = [
    "FIELDS",
    "FIELD_LABELS",
    "LAYOUTS",
    "LAYOUT_LABELS",
    "LAYOUT_SPECS",
    "BadValue",
    "DedupeResult",
    "ImportTooLarge",
    "Layout",
    "LayoutName",
    "ParseResult",
    "ParsedRow",
    "RowError",
    "check_mapping",
    "company_name_key",
    "decode",
    "dedupe",
    "default_mapping",
    "detect_layout",
    "merge",
    "parse",
    "parse_funding",
    "parse_funding_list",
    "parse_mapping_option",
    "parse_status",
    "parse_year",
    "read_header",
    "website_domain",
]


class ImportTooLarge(ValueError):
    """The file is over the size or row limit."""


class RowError(BaseModel):
    line: int = Field(description="1-based line of the row in the file (the header is line 1)")
    reason: str
    name: str = ""


@dataclass
class ParsedRow:
    line: int
    company: ImportedCompany


@dataclass
class ParseResult:
    layout: LayoutName
    columns: list[str]
    mapping: dict[str, str]
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0
    encoding: str = "utf-8"


# -- rows -----------------------------------------------------------------------------------


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, cells); the header is skipped."""
    reader = csv.reader(io.StringIO(text), csv_dialect(text))
    header_seen = False
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, [f"\0csv error: {exc}"]
            continue
        if not any(cell.strip() for cell in row):
            continue
        if not header_seen:
            header_seen = True
            continue
        yield start, row


def _company(
    values: dict[str, str], layout: Layout | None, source: str
) -> tuple[ImportedCompany | None, str | None, str]:
    """(company, error reason, name) of one row's mapped values."""
    name = " ".join((values.get("name") or "").split())
    if not name:
        return None, "missing company name", ""
    if len(name) > MAX_NAME:
        return None, f"name too long ({len(name)} characters, at most {MAX_NAME})", name[:60]
    problems: list[str] = []
    website = normalise_website(values.get("website"))
    if website and len(website) > MAX_WEBSITE:
        problems.append(f"website too long ({len(website)} characters, at most {MAX_WEBSITE})")
        website = None
    elif website and not website_domain(website):
        problems.append(f"bad website {values.get('website', '').strip()[:60]!r}")
    description = " ".join((values.get("description") or "").split())
    if len(description) > MAX_DESCRIPTION:
        problems.append(
            f"description too long ({len(description)} characters, at most {MAX_DESCRIPTION})"
        )
    founded_year = None
    try:
        founded_year = parse_year(values.get("founded_year"))
    except BadValue as exc:
        problems.append(str(exc))
    funding = None
    try:
        if layout is not None and layout.funding_is_list:
            funding = parse_funding_list(values.get("total_funding_usd"))
        else:
            scale = layout.funding_scale if layout is not None else 1.0
            funding = parse_funding(values.get("total_funding_usd"), scale)
    except BadValue as exc:
        problems.append(str(exc))
    city, country = split_location(values.get("hq_location"))
    city = (values.get("hq_city") or "").strip() or city
    country = (values.get("hq_country") or "").strip() or country
    for label, place in (("HQ city", city), ("HQ country", country)):
        if place and len(place) > MAX_PLACE:
            problems.append(f"{label} too long ({len(place)} characters, at most {MAX_PLACE})")
    if problems:
        return None, "; ".join(problems), name
    row_source = source_label(values["source"]) if values.get("source", "").strip() else source
    try:
        company = ImportedCompany(
            name=name,
            website=website,
            description=description,
            categories=split_list(values.get("categories")),
            founded_year=founded_year,
            hq_city=None if is_empty(city) else city,
            hq_country=None if is_empty(country) else country,
            total_funding_usd=funding,
            status=parse_status(values.get("status")),
            sources=[row_source],
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return None, f"{where}: {first['msg']}", name
    return company, None, name


def parse(
    data: bytes | str,
    layout: LayoutName | None = None,
    mapping: dict[str, str] | None = None,
    *,
    max_rows: int | None = None,
    limit: int | None = None,
    source: str | None = None,
) -> ParseResult:
    """Parse a whole file (or its first `limit` rows, for the preview).

    `layout` None = detect from the header; `mapping` None = the layout's own columns (for
    `generic`, the best guess). Raises ImportTooLarge past `max_rows` data rows and ValueError
    for a file without a header or an unusable mapping."""
    text, encoding = decode(data) if isinstance(data, bytes) else (data, "utf-8")
    columns = read_header(text)
    if not columns:
        raise ValueError("The file is empty: no header row found.")
    layout = layout or detect_layout(columns)
    if layout not in LAYOUTS:
        raise ValueError(f"Unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}.")
    mapping = dict(mapping) if mapping else default_mapping(layout, columns)
    problem = check_mapping(mapping, columns)
    if problem:
        raise ValueError(problem)
    spec = LAYOUT_SPECS.get(layout)
    label = source or f"{layout}-csv"
    index = {column: i for i, column in enumerate(columns)}
    result = ParseResult(layout, columns, mapping, encoding=encoding)
    for line, cells in _rows(text):
        result.total_rows += 1
        if max_rows is not None and result.total_rows > max_rows:
            raise ImportTooLarge(
                f"The file has more than {max_rows:,} rows; split it into smaller files."
            )
        if limit is not None and result.total_rows > limit:
            result.total_rows -= 1
            break
        if cells and cells[0].startswith("\0"):
            result.errors.append(RowError(line=line, reason=cells[0][1:]))
            continue
        values = {
            name: cells[index[column]] if index[column] < len(cells) else ""
            for name, column in mapping.items()
        }
        company, reason, name = _company(values, spec, label)
        if company is None:
            result.errors.append(RowError(line=line, reason=reason or "invalid row", name=name))
        else:
            result.rows.append(ParsedRow(line, company))
    return result
