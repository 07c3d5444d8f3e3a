"""Looking one company up by name or URL: the store when fresh, else the source.

When the source fails and the store has an older copy, that copy is served marked not fresh.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from scraper_services.common.records import CompanyRecord
from scraper_services.common.service_context import ServiceContext
from scraper_services.common.sources import SourceError


@dataclass(frozen=True)
class LookupResult:
    record: CompanyRecord
    fresh: bool


async def lookup_company(
    context: ServiceContext, name: str | None, url: str | None, max_age_days: float
) -> LookupResult | None:
    stored = await asyncio.to_thread(context.store.find, name, url)
    if stored is not None and stored.age_days() <= max_age_days:
        return LookupResult(stored, True)
    try:
        found = await context.source.lookup(name, url)
    except SourceError:
        if stored is not None:
            return LookupResult(stored, False)
        raise
    if found is None:
        return None
    await asyncio.to_thread(context.store.upsert, [found])
    return LookupResult(found, True)


async def lookup_many(
    context: ServiceContext, names: list[str], days_threshold: int
) -> tuple[list[CompanyRecord], list[str]]:
    """Each distinct name looked up in order: (found records, names not found).

    A source failure propagates as `SourceError` (the endpoints answer 502).
    """
    found: list[CompanyRecord] = []
    missing: list[str] = []
    for name in dict.fromkeys(names):
        record = await lookup_company(context, name, None, days_threshold)
        if record is None:
            missing.append(name)
        else:
            found.append(record)
    return found, missing
