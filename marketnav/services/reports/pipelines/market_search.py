"""The data half of the Crunchbase and Tracxn reports: keywords, search, ranking, company facts.

Both report types run the same four steps (PREDECESSOR.md 4.3/4.4, with its flaws fixed):

- `init` generates the type's own keywords (never shared between types) and a target
  description, concurrently;
- `api_search` streams the service's per-keyword progress into `search_result` details and
  stores the raw answer as `raw_data.json`; a service error or an empty result fails the step;
- `sorting` lists the ranked matches; `fetching_details` turns each top company into
  `MarketCompany` facts (funding parsed to USD, rank/score, founded year, HQ, tags, key rows),
  stored as `analysis/companies.json` for the analysis steps and later reports.

`MarketSource` holds what differs between the two services; everything else is shared. The
facts themselves are extracted in `company_facts`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel

from marketnav.services import market_data
from marketnav.services.ai import OFFLINE_LABEL, AIResult, generate_target_description
from marketnav.services.reports.competitor_query import project_query
from marketnav.services.reports.context import RunContext, StepFailed
from marketnav.services.reports.pipelines import web_search
from marketnav.services.reports.pipelines.company_facts import (
    MarketCompany,
    plural,
    unique_slugs,
)
from marketnav.services.web_discovery.discovery import DiscoveryReport
from scraper_services.common.contracts import KeywordCompany, ProgressEvent

SEARCH_TIMEOUT_SECONDS = 600.0
NO_COMPANIES = "No companies found for these keywords; edit the description and retry."


# -- what differs between the services --------------------------------------------------


@dataclass(frozen=True)
class MarketSource:
    report_type: str
    label: str
    generate_keywords: Callable[..., AIResult[Any]]
    build_request: Callable[[list[str], str, str], BaseModel]
    stream: Callable[[market_data.MarketDataClient, Any], AsyncIterator[Any]]
    company: Callable[[dict[str, Any], int], MarketCompany]  # a top company's facts
    rank_detail: str
    rank_line: Callable[[MarketCompany], str]
    preview: Callable[[KeywordCompany, int], str]


def companies_from_raw(source: MarketSource, raw: dict[str, Any]) -> list[MarketCompany]:
    """The presented companies in the service's order, their match ranks renumbered 1..N.

    The service ranks every candidate it scored, so the presented ones could read "#3 of 2
    closest" (the first two candidates fell below the relevance floor), and the rank-based
    threat tiers put both of two companies in the bottom third."""
    companies = [source.company(item, i) for i, item in enumerate(raw["top_companies"], 1)]
    companies = unique_slugs([c for c in companies if c.name])
    by_rank = {c.slug: i for i, c in enumerate(sorted(companies, key=lambda c: c.match_rank), 1)}
    return [c.model_copy(update={"match_rank": by_rank[c.slug]}) for c in companies]


def keywords_message(keywords: list[str], shown: int = 3) -> str:
    """The `init` message: 'Keywords ready: a, b, c +N more'."""
    more = len(keywords) - shown
    return f"Keywords ready: {', '.join(keywords[:shown])}" + (f" +{more} more" if more > 0 else "")


def search_text(target_description: str) -> str:
    """The target description as the similarity ranking sees it (no offline label)."""
    return target_description.removeprefix(f"{OFFLINE_LABEL}:").strip()


# -- steps --------------------------------------------------------------------------------


async def generate_terms(ctx: RunContext, source: MarketSource) -> dict[str, Any]:
    """`init`: this type's own keywords and the target description, generated concurrently."""
    inputs, context = ctx.info.inputs, ctx.ai_context
    keywords, target = await asyncio.gather(
        asyncio.to_thread(source.generate_keywords, inputs, context=context),
        asyncio.to_thread(generate_target_description, inputs, context=context),
    )
    terms = list(keywords.value.keywords)
    for term in terms:
        confidence = keywords.confidence.get(term)
        ctx.detail(
            "init",
            "keyword",
            term,
            keyword=term,
            confidence=confidence.score if confidence else None,
        )
    ctx.message("init", keywords_message(terms), 100)
    return {
        "keywords": terms,
        "target_description": target.value.description,
        "source": keywords.label,
    }


def _progress_event(ctx: RunContext, source: MarketSource, event: ProgressEvent) -> None:
    if event.type == "search_started":
        ctx.message("api_search", event.message or f"Searching {source.label}", 5)
    elif event.type == "search_result":
        top = (event.top_companies or [])[:5]
        names = ", ".join(source.preview(c, i) for i, c in enumerate(top, 1))
        if event.status not in (None, "success"):
            message = event.message or f"'{event.keyword}': search failed"
        else:
            message = f"'{event.keyword}': {plural(event.count or 0)}" + (
                f" ({names})" if names else ""
            )
        ctx.detail(
            "api_search",
            "search_result",
            message,
            keyword=event.keyword,
            count=event.count or 0,
            status=event.status,
            companies=[c.model_dump(exclude_none=True) for c in top],
        )
        if event.index and event.total:
            done = f"{event.index}/{event.total} keywords searched"
            ctx.message("api_search", done, 5 + 85 * event.index // event.total)
    elif event.type == "sorting_start":
        ctx.message("api_search", event.message or "Ranking companies", 92)


async def search(
    ctx: RunContext, source: MarketSource, keywords: list[str], target: str
) -> dict[str, Any]:
    """`api_search`: the streamed search; raw data for `raw_data.json`."""
    request_id = f"{source.report_type}-{ctx.info.run_id}"
    request = source.build_request(keywords, search_text(target) or target, request_id)
    request = request.model_copy(
        update={
            "project": project_query(ctx.info.inputs),
            "organization_id": ctx.info.organization_id,
        }
    )
    response: Any = None
    async with market_data.MarketDataClient(timeout=SEARCH_TIMEOUT_SECONDS) as client:
        try:
            async with contextlib.aclosing(source.stream(client, request)) as stream:
                async for item in stream:
                    if isinstance(item, ProgressEvent):
                        _progress_event(ctx, source, item)
                    else:
                        response = item
        except asyncio.CancelledError:
            await _cancel_remote(client, source, request_id)
            raise
        except (market_data.MarketDataError, httpx.HTTPError) as err:
            raise StepFailed(
                f"The {source.label} search failed: {err or type(err).__name__}. "
                "Retry when the service is available."
            ) from err
    if response is None:
        raise StepFailed(f"The {source.label} search ended without a result; retry.")
    meta = response.metadata
    if meta.successful_keywords == 0 and meta.failed_keywords:
        errors = {r.error for r in meta.keyword_results.values() if r.error}
        raise StepFailed(
            f"The {source.label} search failed for every keyword "
            f"({'; '.join(sorted(errors)) or 'no details'}). Retry later."
        )
    retrieval = meta.retrieval
    if not response.top_companies_full_data:
        raise StepFailed(
            NO_COMPANIES
            if retrieval is None
            else f"No company in the data is close enough to this project to call a competitor "
            f"({retrieval.candidates} candidates, none above the relevance floor). "
            "Describe the product more concretely, name known competitors, or import your "
            "own company list."
        )
    if retrieval is not None:
        for named in retrieval.named_competitors:
            ctx.detail(
                "api_search",
                "named_competitor",
                f"{named.name}: found as {named.matched_name}"
                if named.found
                else f"{named.name}: not in the data set used for this report",
                name=named.name,
                found=named.found,
            )
    found = meta.all_companies_count
    ctx.message("api_search", f"Found {plural(found)}, ranking…", 95)
    dumped = response.model_dump(mode="json")
    return {
        "all_companies": dumped["all_companies"],
        "top_companies": dumped["top_companies_full_data"],
        "metadata": dumped["metadata"],
        "keywords": keywords,
        "target_description": target,
        "source": response.source,
    }


async def _cancel_remote(
    client: market_data.MarketDataClient, source: MarketSource, request_id: str
) -> None:
    """Best effort: tell the service to stop scraping for a cancelled run."""
    with contextlib.suppress(Exception):  # the run is cancelled either way
        await asyncio.wait_for(client.cancel(source.report_type, request_id), timeout=3)


def search_metadata(raw: dict[str, Any]) -> dict[str, Any]:
    meta = raw["metadata"]
    return {
        "all_companies_found": meta.get("all_companies_count"),
        "top_companies": len(raw["top_companies"]),
        "collection_time": meta.get("collection_time_seconds"),
        "similarity_time": meta.get("similarity_time_seconds"),
        "source": raw.get("source"),
    }


async def rank(ctx: RunContext, source: MarketSource, companies: list[MarketCompany]) -> dict:
    """`sorting`: one rank detail per top company, best match first."""
    if not companies:
        raise StepFailed(NO_COMPANIES)
    ordered = sorted(companies, key=lambda c: c.match_rank)
    names = ", ".join(c.name for c in ordered[:3])
    ctx.message("sorting", f"Top {len(ordered)} matches: {names}…", 50)
    for company in ordered:
        ctx.detail(
            "sorting",
            source.rank_detail,
            source.rank_line(company),
            rank=company.match_rank,
            name=company.name,
            cb_rank=company.cb_rank,
            tracxn_score=company.tracxn_score,
            combined_score=company.combined_score,
            description=company.description[:200],
        )
    return {"ranked": [c.name for c in ordered]}


async def gather_facts(ctx: RunContext, companies: list[MarketCompany]) -> list[dict[str, Any]]:
    """`fetching_details`: one `company_found` detail per company; the facts, JSON-able."""
    for company in companies:
        parts = [
            f"{company.funding_text} raised" if company.funding_usd else "funding not disclosed",
            f"founded {company.founded_year}" if company.founded_year else "",
            company.headquarters,
            company.standing,
        ]
        ctx.detail(
            "fetching_details",
            "company_found",
            f"{company.name}: {' · '.join(p for p in parts if p)}",
            name=company.name,
            funding_usd=company.funding_usd,
            country=company.country,
        )
    ctx.message("fetching_details", f"Facts ready for {plural(len(companies))}", 100)
    return [c.model_dump(mode="json") for c in companies]


@dataclass
class MarketData:
    label: str
    keywords: list[str]
    target_description: str
    source: str
    companies_found: int
    companies: list[MarketCompany]
    keyword_counts: dict[str, int]
    retrieval: dict[str, Any] | None = None  # the service's RetrievalSummary (named, floor)
    requested: int = 10
    web: DiscoveryReport | None = None  # the web search, when it ran


async def collect(ctx: RunContext, source: MarketSource) -> MarketData:
    """Steps `init`, `web_search`, `api_search`, `sorting`, `fetching_details` (once per run)."""
    terms = await ctx.step("init", lambda: generate_terms(ctx, source))
    web = await web_search.run_step(ctx, terms["keywords"])
    raw = await ctx.step(
        "api_search",
        lambda: search(ctx, source, terms["keywords"], terms["target_description"]),
        stored_as="raw_data.json",
        metadata=search_metadata,
    )
    companies = companies_from_raw(source, raw)
    await ctx.step("sorting", lambda: rank(ctx, source, companies))
    facts = await ctx.step(
        "fetching_details",
        lambda: gather_facts(ctx, companies),
        stored_as="analysis/companies.json",
    )
    return MarketData(
        label=source.label,
        keywords=terms["keywords"],
        target_description=terms["target_description"],
        source=str(raw.get("source") or ""),
        companies_found=int(raw["metadata"].get("all_companies_count") or len(companies)),
        companies=[MarketCompany.model_validate(f) for f in facts],
        keyword_counts={
            keyword: int(result.get("count") or 0)
            for keyword, result in (raw["metadata"].get("keyword_results") or {}).items()
        },
        retrieval=raw["metadata"].get("retrieval"),
        requested=int(raw["metadata"].get("top_count_requested") or len(companies)),
        web=web,
    )
