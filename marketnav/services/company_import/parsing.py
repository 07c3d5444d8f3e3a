"""CSV exports of company lists -> `ImportedCompany` rows, with per-row errors.

Layouts: a Crunchbase "export of a search", a Tracxn export, a Dealroom export, the
YC-startups 2005-2014 layout and a generic CSV whose columns the user maps. The layout is
detected from the header; every row is parsed on its own (a bad row becomes an `RowError` with
its line number and never stops the others); rows are then deduplicated by website domain,
then by normalised name, merging the facts and keeping every source.

No Reflex, no Celery, no database: pure functions used by the import jobs, the page's
preview and the CLI.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError

from scraper_services.common.contracts import ImportedCompany

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

MAX_NAME = 200
MAX_WEBSITE = 500
MAX_DESCRIPTION = 5000
MAX_CATEGORIES = 30
MAX_CATEGORY = 100
MAX_PLACE = 200


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


@dataclass
class DedupeResult:
    companies: list[ImportedCompany]
    merged: int  # rows folded into an earlier row of the same company


# -- decoding and the header ----------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with or without BOM, else latin-1 (never fails)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _key(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").split()).casefold()


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    first = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_header(text: str) -> list[str]:
    reader = csv.reader(io.StringIO(text), _dialect(text))
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


# -- values ---------------------------------------------------------------------------------

_EMPTY = frozenset(
    {
        "",
        "-",
        "--",
        "—",
        "\u2013",  # en dash
        "n/a",
        "na",
        "none",
        "null",
        "unknown",
        "undisclosed",
        "undisclosed amount",
        "?",
    }
)
_SCALE_WORDS = {
    "": 1.0,
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "mio": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "t": 1e12,
    "trillion": 1e12,
}
_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]*)$")
_CURRENCY = re.compile(r"^(?:us\$|usd|\$)\s*|\s*(?:usd|us\$|\$)$", re.IGNORECASE)
_LIST_AMOUNT = re.compile(r"\$\s*([\d,]+(?:\.\d+)?)\s*(bn|[kmbt])?\b", re.IGNORECASE)


class BadValue(ValueError):
    pass


def is_empty(value: str | None) -> bool:
    return value is None or value.strip().casefold() in _EMPTY


def parse_funding(text: str | None, scale: float = 1.0) -> float | None:
    """ "$1.2M", "1,200,000", "12 M", "USD 3.5bn" -> USD; None when unknown (never 0 for it).

    `scale` is the column's unit (1e6 for a column in millions). Raises BadValue when the text
    is not an amount."""
    if is_empty(text):
        return None
    value = " ".join(str(text).split()).casefold()
    value = _CURRENCY.sub("", value).strip()
    value = re.sub(r"(?<=\d)[,\s_](?=\d)", "", value)  # "1,200,000", "1 200 000"
    match = _AMOUNT.match(value)
    if match is None or match.group(2) not in _SCALE_WORDS:
        raise BadValue(f"bad funding amount {str(text).strip()[:40]!r}")
    return float(match.group(1)) * _SCALE_WORDS[match.group(2)] * scale


def parse_funding_list(text: str | None) -> float | None:
    """Sum of "$1200000, $2.5M, undisclosed amount" (the YC layout); None when none is known."""
    if is_empty(text):
        return None
    amounts = [
        float(m.group(1).replace(",", "")) * _SCALE_WORDS[(m.group(2) or "").casefold()]
        for m in _LIST_AMOUNT.finditer(text or "")
    ]
    if amounts:
        return sum(amounts)
    if "undisclosed" in (text or "").casefold():
        return None
    return parse_funding(text)


_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def parse_year(text: str | None) -> int | None:
    """A founding year from "2015", "2015-03-01", "03/01/2015", "Mar 2015"; BadValue if none."""
    if is_empty(text):
        return None
    value = str(text).strip()
    if re.fullmatch(r"\d+(\.0+)?", value):  # "2015" or "2015.0" from a spreadsheet
        year = int(float(value))
    else:
        found = _YEAR.search(value)
        if found is None:
            raise BadValue(f"bad founded year {value[:40]!r}")
        year = int(found.group(1))
    if not 1800 <= year <= 2100:
        raise BadValue(f"founded year {year} is out of range (1800-2100)")
    return year


_STATUS = {
    "operating": "operating",
    "active": "operating",
    "alive": "operating",
    "public": "public",
    "ipo": "public",
    "listed": "public",
    "acquired": "acquired",
    "exited": "acquired",
    "merged": "acquired",
    "closed": "closed",
    "dead": "closed",
    "deadpooled": "closed",
    "inactive": "closed",
    "defunct": "closed",
    "bankrupt": "closed",
}


def parse_status(text: str | None) -> str:
    if is_empty(text):
        return "operating"
    value = str(text).strip().casefold()
    return _STATUS.get(value) or _STATUS.get(value.split()[0], "operating")


def normalise_website(text: str | None) -> str | None:
    """`acme.com` -> `https://acme.com`; None when empty."""
    if is_empty(text):
        return None
    value = str(text).strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", value, re.IGNORECASE):
        value = "https://" + value.lstrip("/")
    return value


def website_domain(website: str | None) -> str:
    """The host of a website without `www.`, lower case ("" when none)."""
    if not website:
        return ""
    host = urlsplit(website if "://" in website else "https://" + website).hostname or ""
    host = host.casefold().rstrip(".")
    return host[4:] if host.startswith("www.") else host


_LEGAL = re.compile(
    r"\b(inc|incorporated|corp|corporation|co|company|ltd|limited|llc|llp|plc|gmbh|ag|sa|sas|"
    r"srl|bv|nv|oy|ab|as|pte|pvt|private|technologies|technology|labs|group|holdings)\b\.?"
)


def normalise_name(name: str) -> str:
    """Case, accents, punctuation and legal suffixes removed: "Acme, Inc." == "ACME"."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w\s]", " ", text)
    stripped = _LEGAL.sub(" ", text)
    words = stripped.split() or text.split()
    return " ".join(words)


def split_list(text: str | None) -> list[str]:
    if is_empty(text):
        return []
    parts = re.split(r"[,;|\n]", str(text))
    items = [" ".join(p.split())[:MAX_CATEGORY] for p in parts if p.strip()]
    return list(dict.fromkeys(items))[:MAX_CATEGORIES]


def split_location(text: str | None) -> tuple[str | None, str | None]:
    """ "San Francisco, California, United States" -> ("San Francisco", "United States")."""
    if is_empty(text):
        return None, None
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    if not parts:
        return None, None
    if len(parts) == 1:
        return parts[0], None
    return parts[0], parts[-1]


def _source_label(text: str) -> str:
    label = re.sub(r"[^\w .:-]", " ", text).strip()
    return " ".join(label.split())[:60] or "csv"


# -- rows -----------------------------------------------------------------------------------


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, cells); the header is skipped."""
    reader = csv.reader(io.StringIO(text), _dialect(text))
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
    row_source = _source_label(values["source"]) if values.get("source", "").strip() else source
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


# -- dedupe and merge -----------------------------------------------------------------------


def merge(first: ImportedCompany, other: ImportedCompany) -> ImportedCompany:
    """One entity from two rows: known facts kept, gaps filled, lists and sources united."""
    update: dict = {}
    for name in ("website", "founded_year", "hq_city", "hq_country", "total_funding_usd"):
        if getattr(first, name) is None and getattr(other, name) is not None:
            update[name] = getattr(other, name)
    if len(other.description) > len(first.description):
        update["description"] = other.description
    if first.status == "operating" and other.status != "operating":
        update["status"] = other.status
    update["categories"] = list(dict.fromkeys([*first.categories, *other.categories]))[
        :MAX_CATEGORIES
    ]
    update["sources"] = list(dict.fromkeys([*first.sources, *other.sources]))[:10]
    return first.model_copy(update=update)


def dedupe(companies: Iterable[ImportedCompany]) -> DedupeResult:
    """By website domain, then normalised name; duplicates merged into the first row."""
    kept: list[ImportedCompany] = []
    by_domain: dict[str, int] = {}
    by_name: dict[str, int] = {}
    merged = 0
    for company in companies:
        domain = website_domain(company.website)
        name = normalise_name(company.name)
        slot = by_domain.get(domain) if domain else None
        if slot is None:
            slot = by_name.get(name)
            # Two different domains under one name are two companies.
            if (
                slot is not None
                and domain
                and website_domain(kept[slot].website) not in ("", domain)
            ):
                slot = None
        if slot is None:
            kept.append(company)
            slot = len(kept) - 1
        else:
            kept[slot] = merge(kept[slot], company)
            merged += 1
        if domain:
            by_domain.setdefault(domain, slot)
        by_name.setdefault(name, slot)
    return DedupeResult(kept, merged)
