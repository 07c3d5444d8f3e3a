"""Tracxn search-with-rank run, as an event stream ending in the response."""

from __future__ import annotations

from collections.abc import AsyncIterator

from scraper_services.common.contracts import ProgressEvent
from scraper_services.common.ranked_search import RankedOutcome, run_ranked_search
from scraper_services.common.ranking import normalise_tracxn_score
from scraper_services.common.records import CompanyRecord
from scraper_services.common.service_context import ServiceContext
from scraper_services.tracxn.schemas import (
    KeywordResult,
    KeywordStartup,
    RankedStartup,
    RankMetadata,
    ScoreRange,
    ScrapeBatchWithRankRequest,
    ScrapeBatchWithRankResponse,
    TopStartup,
)


def _normalised(records: list[CompanyRecord]) -> list[float]:
    return [normalise_tracxn_score(record.tracxn_score) for record in records]


def _ordered_for_keyword(records: list[CompanyRecord], sort_by: str) -> list[CompanyRecord]:
    if sort_by == "Total Equity Funding":
        return sorted(records, key=lambda r: -(r.total_funding_usd or 0.0))
    if sort_by == "tracxn_score":
        return sorted(records, key=lambda r: -(r.tracxn_score or 0.0))
    return records


def build_response(
    context: ServiceContext,
    request: ScrapeBatchWithRankRequest,
    outcome: RankedOutcome,
    request_id: str,
) -> ScrapeBatchWithRankResponse:
    stored = set().union(*(o.stored_keys for o in outcome.outcomes)) if outcome.outcomes else set()
    all_companies: list[RankedStartup] = []
    top: list[TopStartup] = []
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
            "rank": position,
            "reference": record.key,
            "name": record.name,
            "similarity_score": scored.similarity,
            "tracxn_score": record.tracxn_score,
            "normalized_tracxn_score": scored.normalised,
            "combined_score": scored.combined,
            "appearance_count": candidate.appearance_count,
            "keywords": candidate.keywords,
        }
        all_companies.append(RankedStartup(description=record.description, **shared))
        if scored.key in presented:
            sections = record.details if isinstance(record.details, list) else []
            origin = "database" if record.key in stored else "fetched"
            top.append(TopStartup(full_data=sections, source=origin, **shared))
    scores = [
        c.record.tracxn_score
        for c in outcome.candidates.values()
        if c.record.tracxn_score is not None
    ]
    metadata = RankMetadata(
        total_keywords_searched=len(outcome.keywords),
        successful_keywords=sum(1 for o in outcome.outcomes if not o.error),
        failed_keywords=sum(1 for o in outcome.outcomes if o.error),
        total_unique_companies=len(outcome.candidates),
        all_companies_count=len(all_companies),
        top_count_requested=request.top_count,
        top_count_returned=len(top),
        target_description=request.target_description,
        similarity_weight=request.similarity_weight,
        score_weight=request.score_weight,
        tracxn_score_range=ScoreRange(
            min=min(scores) if scores else None, max=max(scores) if scores else None
        ),
        keyword_results={
            o.keyword: KeywordResult(
                count=len(o.records),
                status=o.status,
                error=o.error,
                from_store=o.from_store,
                fetched=o.fetched,
                top_companies=[
                    KeywordStartup(name=r.name, tracxn_score=r.tracxn_score)
                    for r in _ordered_for_keyword(o.records, request.sort_by)[:5]
                ],
            )
            for o in outcome.outcomes
        },
        fresh_from_db=sum(o.from_store for o in outcome.outcomes),
        newly_fetched=sum(o.fetched for o in outcome.outcomes),
        collection_time_seconds=round(outcome.collection_seconds, 4),
        similarity_time_seconds=round(outcome.similarity_seconds, 4),
        total_time_seconds=round(outcome.elapsed, 4),
        similarity_backend=context.similarity_backend,
        request_id=request_id,
        report_id=request.report_id,
        source=context.source.label,
        retrieval=outcome.retrieval_summary(),
    )
    return ScrapeBatchWithRankResponse(
        all_companies=all_companies,
        top_companies_full_data=top,
        metadata=metadata,
        source=context.source.label,
    )


class ScrapeWithRankRun:
    """One run; iterate `events()`; `response` is set once the last event has been produced."""

    def __init__(
        self, context: ServiceContext, request: ScrapeBatchWithRankRequest, request_id: str
    ):
        self.context, self.request, self.request_id = context, request, request_id
        self.response: ScrapeBatchWithRankResponse | None = None

    async def events(self, with_result: bool = True) -> AsyncIterator[ProgressEvent]:
        request = self.request
        async for item in run_ranked_search(
            self.context,
            keywords=request.company_names,
            per_keyword=request.num_companies_per_search,
            max_age_days=request.freshness_days,
            target_description=request.target_description,
            weights=(request.similarity_weight, request.score_weight),
            normalise=_normalised,
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
        for startup in response.top_companies_full_data:
            yield ProgressEvent(
                event="company_ranked",
                type="company_ranked",
                message=f"{startup.rank}. {startup.name} (Score: {startup.combined_score:.3f})",
                request_id=self.request_id,
                rank=startup.rank,
                name=startup.name,
                tracxn_score=startup.tracxn_score,
                combined_score=startup.combined_score,
            )
        yield ProgressEvent(
            event="top_selected",
            type="top_selected",
            message=f"Selected top {len(response.top_companies_full_data)} of "
            f"{response.metadata.all_companies_count} companies",
            request_id=self.request_id,
            count=len(response.top_companies_full_data),
        )
        if with_result:
            yield ProgressEvent(
                event="result",
                type="result",
                message="Ranking complete",
                request_id=self.request_id,
                data=response.model_dump(mode="json"),
            )
