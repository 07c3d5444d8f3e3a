"""Collecting companies for a list of keywords, store first, source when stale.

Per keyword: a search cached in the store within the freshness window (and for at least the
requested number of companies) is served from the store, refetching only those of its companies
whose own record went stale; otherwise the source is searched and the store updated. Keywords
run one after another so progress can be reported per keyword and a cancellation takes effect
between keywords.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from scraper_services.common.records import CompanyRecord
from scraper_services.common.sources import CompanySource, SourceError
from scraper_services.common.store import CachedSearch, CompanyStore


@dataclass
class KeywordOutcome:
    keyword: str
    records: list[CompanyRecord] = field(default_factory=list)
    from_store: int = 0
    fetched: int = 0
    seconds: float = 0.0
    error: str | None = None
    stored_keys: set[str] = field(default_factory=set)

    @property
    def status(self) -> str:
        return "failed" if self.error else "success"


@dataclass
class Candidate:
    record: CompanyRecord
    appearance_count: int = 0
    keywords: list[str] = field(default_factory=list)


class Cancelled(Exception):
    """The request was cancelled through `POST /cancel/{request_id}`."""


@dataclass
class StoreSnapshot:
    """Cached searches for a run's keywords and their stored companies, read in one go."""

    searches: dict[str, CachedSearch]
    records: dict[str, CompanyRecord]


class KeywordCollector:
    def __init__(self, source: CompanySource, store: CompanyStore):
        self.source, self.store = source, store

    def _snapshot(self, keywords: Sequence[str]) -> StoreSnapshot:
        searches = self.store.get_searches(keywords)
        keys = [key for search in searches.values() for key in search.keys]
        return StoreSnapshot(searches, self.store.get_many(keys) if keys else {})

    async def search_keyword(
        self,
        keyword: str,
        limit: int,
        max_age_days: float,
        snapshot: StoreSnapshot | None = None,
    ) -> KeywordOutcome:
        started = time.perf_counter()
        outcome = KeywordOutcome(keyword=keyword)
        try:
            if snapshot is not None:
                cached = snapshot.searches.get(keyword.strip().lower())
            else:
                cached = await asyncio.to_thread(self.store.get_search, keyword)
            usable = (
                cached is not None
                and cached.age_days() <= max_age_days
                and (cached.result_limit >= limit or len(cached.keys) < cached.result_limit)
            )
            if cached is not None and usable:
                known = snapshot.records if snapshot is not None else None
                await self._from_store(outcome, cached.keys[:limit], max_age_days, known)
            else:
                records = await self.source.search(keyword, limit)
                await asyncio.to_thread(self.store.remember_search, keyword, limit, records)
                if snapshot is not None:
                    snapshot.records.update((record.key, record) for record in records)
                outcome.records, outcome.fetched = records, len(records)
        except SourceError as exc:
            outcome.error = str(exc)
        outcome.seconds = time.perf_counter() - started
        return outcome

    async def _from_store(
        self,
        outcome: KeywordOutcome,
        keys: list[str],
        max_age: float,
        known: dict[str, CompanyRecord] | None,
    ) -> None:
        if known is not None and all(key in known for key in keys):
            stored = {key: known[key] for key in keys}
        else:
            stored = await asyncio.to_thread(self.store.get_many, keys)
        stale = [key for key in keys if key not in stored or stored[key].age_days() > max_age]
        if stale:
            refetched = await asyncio.gather(*(self.source.fetch(key) for key in stale))
            renewed = [record for record in refetched if record is not None]
            await asyncio.to_thread(self.store.upsert, renewed)
            stored.update({record.key: record for record in renewed})
            if known is not None:
                known.update(stored)
            outcome.fetched = len(renewed)
        outcome.from_store = len(keys) - len(stale)
        outcome.stored_keys = set(keys) - set(stale)
        outcome.records = [stored[key] for key in keys if key in stored]

    async def collect(
        self,
        keywords: Sequence[str],
        limit: int,
        max_age_days: float,
        is_cancelled: Callable[[], bool] = lambda: False,
    ) -> AsyncIterator[KeywordOutcome]:
        """Yields one outcome per keyword; raises `Cancelled` between keywords when asked.

        The store is read once for all keywords up front, so a fully cached run costs one
        round trip to the store."""
        snapshot = await asyncio.to_thread(self._snapshot, keywords)
        for keyword in keywords:
            if is_cancelled():
                raise Cancelled()
            yield await self.search_keyword(keyword, limit, max_age_days, snapshot)
        if is_cancelled():
            raise Cancelled()


def aggregate(outcomes: Sequence[KeywordOutcome]) -> list[Candidate]:
    """Unique companies over all keywords, first-seen order, with appearance counts."""
    candidates: dict[str, Candidate] = {}
    for outcome in outcomes:
        for record in outcome.records:
            candidate = candidates.setdefault(record.key, Candidate(record=record))
            candidate.appearance_count += 1
            if outcome.keyword not in candidate.keywords:
                candidate.keywords.append(outcome.keyword)
    return list(candidates.values())


def unique_keywords(keywords: Sequence[str]) -> list[str]:
    """Stripped, non-empty, case-insensitively de-duplicated, order kept."""
    seen: dict[str, str] = {}
    for keyword in keywords:
        cleaned = " ".join(keyword.split())
        if cleaned and cleaned.lower() not in seen:
            seen[cleaned.lower()] = cleaned
    return list(seen.values())
