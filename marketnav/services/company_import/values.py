"""One cell's value: funding amounts, founding years, status, website, lists and places.

Pure functions; a value that cannot be read raises `BadValue` (the row then gets an error
with the reason, the other rows go on).
"""

from __future__ import annotations

import re

MAX_NAME = 200
MAX_WEBSITE = 500
MAX_DESCRIPTION = 5000
MAX_CATEGORIES = 30
MAX_CATEGORY = 100
MAX_PLACE = 200


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


def source_label(text: str) -> str:
    """A per-row "source" cell as an import label (the characters the services accept)."""
    label = re.sub(r"[^\w .:-]", " ", text).strip()
    return " ".join(label.split())[:60] or "csv"
