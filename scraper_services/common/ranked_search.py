"""The search-with-rank run shared by both services: collect per keyword, score, order.

`run_ranked_search` is an async generator: it yields a `ProgressEvent` per keyword as soon as
that keyword is done (so callers can stream them) and finally one `RankedOutcome`. Each service
shapes the outcome into its own response and per-company events.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from scraper_services.common.contracts import KeywordCompany, ProgressEvent
from scraper_services.common.keyword_collection import (
    Candidate,
    KeywordCollector,
    KeywordOutcome,
    aggregate,
    unique_keywords,
)
from scraper_services.common.ranking import Scored, score_candidates
from scraper_services.common.records import CompanyRecord
from scraper_services.common.service_context import ServiceContext

KEYWORD_PREVIEW = 5


@dataclass
class RankedOutcome:
    keywords: list[str]
    outcomes: list[KeywordOutcome]
    candidates: dict[str, Candidate]
    ordered: list[Scored]
    collection_seconds: float
    similarity_seconds: float
    started: float

    @property
    def fetch_seconds(self) -> float:
        return sum(outcome.seconds for outcome in self.outcomes)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def keyword_event(
    outcome: KeywordOutcome, index: int, total: int, request_id: str, label: str
) -> ProgressEvent:
    preview = [
        KeywordCompany(name=r.name, cb_rank=r.cb_rank, tracxn_score=r.tracxn_score)
        for r in outcome.records[:KEYWORD_PREVIEW]
    ]
    if outcome.error:
        message = f"'{outcome.keyword}': search failed ({outcome.error})"
    else:
        names = ", ".join(company.name for company in preview) or "no companies"
        message = f"'{outcome.keyword}': {len(outcome.records)} companies on {label} ({names})"
    return ProgressEvent(
        event="search_result",
        type="search_result",
        message=message,
        request_id=request_id,
        keyword=outcome.keyword,
        index=index,
        total=total,
        status=outcome.status,
        count=len(outcome.records),
        top_companies=preview,
    )


async def run_ranked_search(
    context: ServiceContext,
    *,
    keywords: Sequence[str],
    per_keyword: int,
    max_age_days: float,
    target_description: str,
    weights: tuple[float, float],
    normalise: Callable[[list[CompanyRecord]], list[float]],
    request_id: str,
) -> AsyncIterator[ProgressEvent | RankedOutcome]:
    started = time.perf_counter()
    cleaned = unique_keywords(keywords)
    label = context.source.label
    yield ProgressEvent(
        event="search_started",
        type="search_started",
        message=f"Searching {len(cleaned)} keywords on {label}",
        request_id=request_id,
        total=len(cleaned),
    )
    collector = KeywordCollector(context.source, context.store)
    outcomes: list[KeywordOutcome] = []
    stream = collector.collect(
        cleaned, per_keyword, max_age_days, lambda: context.cancellations.is_cancelled(request_id)
    )
    async for outcome in stream:
        outcomes.append(outcome)
        yield keyword_event(outcome, len(outcomes), len(cleaned), request_id, label)
    collection_seconds = time.perf_counter() - started

    candidates = aggregate(outcomes)
    records = [candidate.record for candidate in candidates]
    similarity_started = time.perf_counter()
    similarities = await context.similarities(target_description, records)
    similarity_seconds = time.perf_counter() - similarity_started
    ordered = score_candidates(
        [r.key for r in records],
        [r.name for r in records],
        similarities,
        normalise(records),
        weights[0],
        weights[1],
    )
    yield RankedOutcome(
        keywords=cleaned,
        outcomes=outcomes,
        candidates={candidate.record.key: candidate for candidate in candidates},
        ordered=ordered,
        collection_seconds=collection_seconds,
        similarity_seconds=similarity_seconds,
        started=started,
    )
