"""Rows of one file that are the same company, merged into one entity with every source.

"Same company" is the rule both market-data services apply when they merge an import with
what the organisation already has (`contracts.IdentityIndex`): same website domain, else the
same name key (case, accents, punctuation and trailing legal forms ignored) unless the two
rows have websites on different domains.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from marketnav.services.company_import.values import MAX_CATEGORIES
from scraper_services.common.contracts import IdentityIndex, ImportedCompany


@dataclass
class DedupeResult:
    companies: list[ImportedCompany]
    merged: int  # rows folded into an earlier row of the same company


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
    """By website domain, then name key; duplicates merged into the first row."""
    kept: list[ImportedCompany] = []
    known: IdentityIndex[int] = IdentityIndex()
    merged = 0
    for company in companies:
        slot = known.match(company.website, company.name)
        if slot is None:
            kept.append(company)
            slot = len(kept) - 1
        else:
            kept[slot] = merge(kept[slot], company)
            merged += 1
        known.add(slot, company.website, company.name)
    return DedupeResult(kept, merged)
