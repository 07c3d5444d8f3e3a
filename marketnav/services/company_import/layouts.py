"""Export layouts, their detection from the header, and the field -> column mapping.

Layouts: a Crunchbase "export of a search", a Tracxn export, a Dealroom export, the
YC-startups 2005-2014 layout and a generic CSV whose columns the user maps. Pure functions
(no Reflex, no Celery, no database).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

LayoutName = Literal["crunchbase", "tracxn", "dealroom", "yc", "generic"]
LAYOUTS: tuple[LayoutName, ...] = ("crunchbase", "tracxn", "dealroom", "yc", "generic")
LAYOUT_LABELS: dict[str, str] = {
    "crunchbase": "Crunchbase export",
    "tracxn": "Tracxn export",
    "dealroom": "Dealroom export",
    "yc": "YC startups (2005-2014)",
    "generic": "Generic CSV (map the columns)",
}

# The company fields a column can be mapped to (`hq_location` is "City, Region, Country").
FIELDS: tuple[str, ...] = (
    "name",
    "website",
    "description",
    "categories",
    "founded_year",
    "hq_city",
    "hq_country",
    "hq_location",
    "total_funding_usd",
    "status",
    "source",
)
FIELD_LABELS: dict[str, str] = {
    "name": "Name (required)",
    "website": "Website or domain",
    "description": "Description",
    "categories": "Categories",
    "founded_year": "Founded (year or date)",
    "hq_city": "HQ city",
    "hq_country": "HQ country",
    "hq_location": "HQ location (City, Region, Country)",
    "total_funding_usd": "Total funding (USD)",
    "status": "Status",
    "source": "Source (label per row)",
}


@dataclass(frozen=True)
class Layout:
    name: LayoutName
    # field -> header candidates, best first (matched case- and space-insensitively)
    columns: dict[str, tuple[str, ...]]
    # the funding column's unit (Dealroom exports funding in millions of USD)
    funding_scale: float = 1.0
    # YC: funding is free text listing every round ("$1200000, undisclosed amount")
    funding_is_list: bool = False


LAYOUT_SPECS: dict[str, Layout] = {
    "crunchbase": Layout(
        "crunchbase",
        {
            "name": ("Organization Name",),
            "website": ("Website",),
            "description": ("Full Description", "Description"),
            "categories": ("Industries", "Industry Groups"),
            "hq_location": ("Headquarters Location",),
            "founded_year": ("Founded Date",),
            "total_funding_usd": ("Total Funding Amount (in USD)", "Total Funding Amount"),
            "status": ("Operating Status",),
        },
    ),
    "tracxn": Layout(
        "tracxn",
        {
            "name": ("Company Name",),
            "website": ("Domain", "Website"),
            "description": ("Description", "Overview"),
            "categories": ("Sector", "Practice Areas"),
            "founded_year": ("Founded Year",),
            "hq_location": ("Location",),
            "hq_city": ("City",),
            "hq_country": ("Country",),
            "total_funding_usd": ("Total Funding (USD)",),
        },
    ),
    "dealroom": Layout(
        "dealroom",
        {
            "name": ("NAME",),
            "website": ("WEBSITE",),
            "description": ("TAGLINE", "DESCRIPTION"),
            "categories": ("INDUSTRIES",),
            "hq_city": ("HQ CITY",),
            "hq_country": ("HQ COUNTRY",),
            "founded_year": ("LAUNCH DATE",),
            "total_funding_usd": ("TOTAL FUNDING (USD M)",),
            "status": ("COMPANY STATUS",),
        },
        funding_scale=1e6,
    ),
    "yc": Layout(
        "yc",
        {
            "name": ("Company",),
            "website": ("Website",),
            "description": ("Description",),
            "categories": ("Categories",),
            "founded_year": ("Year Founded",),
            "hq_city": ("Headquarters (City)",),
            "hq_country": ("Headquarters (Country)",),
            "total_funding_usd": ("Amounts raised in different funding rounds",),
            "status": ("Satus", "Status"),
        },
        funding_is_list=True,
    ),
}

# Header columns that identify each layout (all of `required`, at least one of `any_of`).
_SIGNATURES: tuple[tuple[LayoutName, tuple[str, ...], tuple[str, ...]], ...] = (
    ("crunchbase", ("organization name",), ()),
    ("yc", ("company",), ("satus", "amounts raised in different funding rounds")),
    (
        "tracxn",
        ("company name",),
        ("domain", "practice areas", "founded year", "total funding (usd)", "overview", "sector"),
    ),
    (
        "dealroom",
        ("name",),
        ("tagline", "hq city", "hq country", "launch date", "total funding (usd m)"),
    ),
)

# Generic CSVs: header words that suggest a field (used to pre-fill the mapping).
_GENERIC_GUESSES: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "company",
        "company name",
        "organization name",
        "organisation name",
        "startup",
    ),
    "website": ("website", "domain", "url", "homepage", "web"),
    "description": ("description", "about", "overview", "summary", "tagline", "full description"),
    "categories": ("categories", "category", "industries", "industry", "sector", "tags"),
    "founded_year": (
        "founded",
        "founded year",
        "year founded",
        "founded date",
        "launch date",
        "year",
    ),
    "hq_city": ("city", "hq city", "headquarters city"),
    "hq_country": ("country", "hq country", "headquarters country"),
    "hq_location": ("location", "headquarters", "hq", "headquarters location"),
    "total_funding_usd": (
        "funding",
        "total funding",
        "total funding (usd)",
        "funding (usd)",
        "raised",
        "total raised",
    ),
    "status": ("status", "operating status"),
    "source": ("source", "data source"),
}


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with or without BOM, else latin-1 (never fails)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _key(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).casefold()


def csv_dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """The delimiter of the first line (`,`, `;` or tab), else the Excel dialect."""
    first = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_header(text: str) -> list[str]:
    reader = csv.reader(io.StringIO(text), csv_dialect(text))
    for row in reader:
        if any(cell.strip() for cell in row):
            return [cell.strip() for cell in row]
    return []


def detect_layout(columns: Iterable[str]) -> LayoutName:
    """The export layout a header belongs to; `generic` when none fits."""
    keys = {_key(c) for c in columns}
    for name, required, any_of in _SIGNATURES:
        if all(r in keys for r in required) and (not any_of or any(a in keys for a in any_of)):
            return name
    return "generic"


def _find(columns: list[str], candidates: Iterable[str]) -> str | None:
    by_key = {_key(c): c for c in columns}
    for candidate in candidates:
        found = by_key.get(_key(candidate))
        if found is not None:
            return found
    return None


def default_mapping(layout: LayoutName, columns: list[str]) -> dict[str, str]:
    """field -> column for a layout (for `generic`: a best guess from the header words)."""
    spec = LAYOUT_SPECS.get(layout)
    candidates = spec.columns if spec else _GENERIC_GUESSES
    mapping: dict[str, str] = {}
    for name in FIELDS:
        column = _find(columns, candidates.get(name, ()))
        if column is not None and column not in mapping.values():
            mapping[name] = column
    return mapping


def check_mapping(mapping: dict[str, str], columns: list[str]) -> str | None:
    """An error message for an unusable mapping, else None."""
    unknown = [f for f in mapping if f not in FIELDS]
    if unknown:
        return f"Unknown field(s): {', '.join(unknown)}. Fields: {', '.join(FIELDS)}."
    missing = [c for c in mapping.values() if c not in columns]
    if missing:
        return f"No column named {', '.join(repr(c) for c in missing)} in the file."
    if not mapping.get("name"):
        return "Map a column to the company name: it is required."
    return None


def parse_mapping_option(text: str) -> dict[str, str]:
    """`name=Company,website=URL` (the CLI's --map) -> {field: column}."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(f"Expected field=Column, got {part.strip()!r}")
        key, column = part.split("=", 1)
        mapping[key.strip()] = column.strip()
    return mapping
