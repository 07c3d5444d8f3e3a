"""Crunchbase search-with-rank and batch runs, as event streams ending in the response."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from scraper_services.common.contracts import ProgressEvent
from scraper_services.common.keyword_collection import KeywordCollector, unique_keywords
from scraper_services.common.ranked_search import RankedOutcome, run_ranked_search
from scraper_services.common.ranking import normalise_cb_ranks
from scraper_services.common.records import CompanyRecord
from scraper_services.common.service_context import ServiceContext
from scraper_services.crunchbase.schemas import (
    BatchRequest,
    BatchResponse,
    BatchSummary,
    KeywordBatchResult,
    KeywordCompanyRank,
    KeywordResult,
    RankedCompany,
    RankMetadata,
    RankRange,
    SortedTopCompany,
    TopCompany,
    TopSimilarWithRankRequest,
    TopSimilarWithRankResponse,
    Weights,
)


def _rank_scores(records: list[CompanyRecord]) -> list[float]:
    return normalise_cb_ranks([record.cb_rank for record in records])


def build_response(
    context: ServiceContext,
    request: TopSimilarWithRankRequest,
    outcome: RankedOutcome,
    request_id: str,
) -> TopSimilarWithRankResponse:
    all_companies: list[RankedCompany] = []
    top: list[TopCompany] = []
    sorted_top: list[SortedTopCompany] = []
    presented = {s.key for s in outcome.presented(request.top_count)}
    for position, scored in enumerate(outcome.ordered, start=1):
        candidate = outcome.candidates[scored.key]
        record = candidate.record
        hit = outcome.hits[scored.key]
        shared = {
            "relevance": round(hit.relevance, 4),
            "named_by_user": hit.named_by_user,
            "origin": record.origin,
            "web_pages": record.pages,
            "name": record.name,
            "similarity_score": scored.similarity,
            "cb_rank": record.cb_rank,
            "rank_score": scored.normalised,
            "combined_score": scored.combined,
            "combined_rank": position,
            "appearance_count": candidate.appearance_count,
            "keywords": candidate.keywords,
            "url": record.url,
        }
        all_companies.append(RankedCompany(description=record.description, **shared))
        if scored.key in presented:
            data = record.details if isinstance(record.details, dict) else {}
            top.append(TopCompany(company_data=data, **shared))
            sorted_top.append(
                SortedTopCompany(
                    name=record.name,
                    cb_rank=record.cb_rank,
                    description=record.description,
                    combined_score=scored.combined,
                )
            )
    ranks = [c.record.cb_rank for c in outcome.candidates.values() if c.record.cb_rank is not None]
    low, high = (min(ranks), max(ranks)) if ranks else (None, None)
    metadata = RankMetadata(
        total_keywords_searched=len(outcome.keywords),
        successful_keywords=sum(1 for o in outcome.outcomes if not o.error),
        failed_keywords=sum(1 for o in outcome.outcomes if o.error),
        total_unique_companies=len(outcome.candidates),
        all_companies_count=len(all_companies),
        top_count_requested=request.top_count,
        top_count_returned=len(top),
        target_description=request.target_description,
        keyword_results={
            o.keyword: KeywordResult(
                count=len(o.records),
                status=o.status,
                error=o.error,
                from_store=o.from_store,
                fetched=o.fetched,
                top_companies=[
                    KeywordCompanyRank(name=r.name, cb_rank=r.cb_rank) for r in o.records[:5]
                ],
            )
            for o in outcome.outcomes
        },
        sorted_top_companies=sorted_top,
        cb_rank_range=RankRange(
            min_rank=low, max_rank=high, range=None if low is None else high - low
        ),
        weights=Weights(
            similarity_weight=request.similarity_weight, rank_weight=request.rank_weight
        ),
        collection_time_seconds=round(outcome.collection_seconds, 4),
        similarity_time_seconds=round(outcome.similarity_seconds, 4),
        scraping_time_seconds=round(outcome.fetch_seconds, 4),
        total_time_seconds=round(outcome.elapsed, 4),
        companies_from_store=sum(o.from_store for o in outcome.outcomes),
        companies_fetched=sum(o.fetched for o in outcome.outcomes),
        similarity_backend=context.similarity_backend,
        request_id=request_id,
        report_id=request.report_id,
        source=context.source.label,
        retrieval=outcome.retrieval_summary(),
    )
    return TopSimilarWithRankResponse(
        all_companies=all_companies,
        top_companies_full_data=top,
        metadata=metadata,
        source=context.source.label,
    )


class SearchWithRankRun:
    """One run; iterate `events()`; `response` is set once the last event has been produced."""

    def __init__(
        self, context: ServiceContext, request: TopSimilarWithRankRequest, request_id: str
    ):
        self.context, self.request, self.request_id = context, request, request_id
        self.response: TopSimilarWithRankResponse | None = None

    async def events(self, with_result: bool = True) -> AsyncIterator[ProgressEvent]:
        request = self.request
        async for item in run_ranked_search(
            self.context,
            keywords=request.keywords,
            per_keyword=request.num_companies,
            max_age_days=request.days_threshold,
            target_description=request.target_description,
            weights=(request.similarity_weight, request.rank_weight),
            normalise=_rank_scores,
            request_id=self.request_id,
            project=request.project,
            organization_id=request.organization_id,
            top_count=request.top_count,
        ):
            if isinstance(item, ProgressEvent):
                yield item
                continue
            self.response = build_response(self.context, request, item, self.request_id)
        response = self.response
        assert response is not None
        yield ProgressEvent(
            event="sorting_start",
            type="sorting_start",
            message=f"Ranking {response.metadata.all_companies_count} companies",
            request_id=self.request_id,
            count=response.metadata.all_companies_count,
        )
        for top in response.top_companies_full_data:
            yield ProgressEvent(
                event="company_rank",
                type="company_rank",
                message=f"{top.combined_rank}. {top.name} (CB Rank: {top.cb_rank or 'N/A'})",
                request_id=self.request_id,
                rank=top.combined_rank,
                name=top.name,
                cb_rank=top.cb_rank,
                combined_score=top.combined_score,
                description=top.company_data.get("About"),
            )
        if with_result:
            yield ProgressEvent(
                event="result",
                type="result",
                message=f"Top {response.metadata.top_count_returned} companies ready",
                request_id=self.request_id,
                data=response.model_dump(mode="json"),
            )


async def run_batch(context: ServiceContext, request: BatchRequest) -> BatchResponse:
    started = time.perf_counter()
    collector = KeywordCollector(context.source, context.store)
    results: list[KeywordBatchResult] = []
    async for outcome in collector.collect(
        unique_keywords(request.keywords), request.num_companies, request.days_threshold
    ):
        companies = [r.details for r in outcome.records if isinstance(r.details, dict)]
        results.append(
            KeywordBatchResult(
                keyword=outcome.keyword,
                companies=companies,
                count=len(companies),
                time_taken_seconds=round(outcome.seconds, 4),
                status=outcome.status,
                error=outcome.error,
            )
        )
    summary = BatchSummary(
        total_keywords=len(results),
        successful_keywords=sum(1 for r in results if r.status == "success"),
        failed_keywords=sum(1 for r in results if r.status != "success"),
        total_companies_found=sum(r.count for r in results),
        total_time_seconds=round(time.perf_counter() - started, 4),
    )
    return BatchResponse(results=results, summary=summary, source=context.source.label)
