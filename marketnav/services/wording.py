"""Small wording helpers shared by every presenter: counts with the right noun, year spans.

No Reflex import: pipelines, presenters and exports use the same words.
"""

from __future__ import annotations

# Nouns whose plural is not the noun plus "s".
_IRREGULAR = {"company": "companies", "reply": "replies", "query": "queries", "person": "people"}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`plural(1, "company")` -> "1 company"; `plural(3, "company")` -> "3 companies"."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {many or _IRREGULAR.get(noun) or noun + 's'}"


def year_span(first: int, last: int) -> str:
    """ "2013" when both years are the same, else "2013-2020" (in order)."""
    low, high = sorted((int(first), int(last)))
    return str(low) if low == high else f"{low}-{high}"
