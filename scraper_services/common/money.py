"""Formatting and parsing of funding amounts ("$9.4B" <-> 9.4e9)."""

from __future__ import annotations

import re

_SCALES = {"k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}


def format_usd(amount: float | None) -> str:
    """`$9.4B`, `$120M`, `$850K`, `$900`; "N/A" when unknown."""
    if amount is None or amount <= 0:
        return "N/A"
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if amount >= threshold:
            value = f"{amount / threshold:.1f}".removesuffix(".0")
            return f"${value}{suffix}"
    return f"${amount:.0f}"


def parse_usd_amounts(text: str) -> float | None:
    """Sum of the amounts in free text like "$1200000, $2.5M, undisclosed amount"."""
    total = 0.0
    found = False
    for match in re.finditer(r"\$\s*([\d,]+(?:\.\d+)?)\s*(bn|[kmbt])?\b", text, re.IGNORECASE):
        number = float(match.group(1).replace(",", ""))
        scale = _SCALES.get((match.group(2) or "").lower(), 1.0)
        total += number * scale
        found = True
    return total if found else None
