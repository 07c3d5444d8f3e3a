"""The `web_search` step ("Searching the web") of every report that searches for competitors.

When the organisation has web discovery on and a search engine is configured, the step runs
`web_discovery.discovery.discover` for the project (its details: each query with its result
count, each page read or refused, the candidates found) and stores the candidates with the
organisation's companies in both market-data services (source "web", with the pages they
were found on and when), so the search step that follows ranks them with every other company.
Otherwise the step is skipped and says why. A search engine that fails does not fail the
report: the step completes, says the web was not searched, and "Data used" says so too.
"""

from __future__ import annotations

import asyncio
from typing import Any

from marketnav.db import session_scope
from marketnav.models import Organization
from marketnav.services.ai import generate_crunchbase_keywords
from marketnav.services.market_data import SERVICES, MarketDataClient, MarketDataError
from marketnav.services.reports.context import RunContext, StepFailed
from marketnav.services.web_discovery.discovery import DiscoveryReport, discover
from marketnav.services.web_discovery.fetcher import PageFetcher
from marketnav.services.web_discovery.search_engines import engine_from_settings
from marketnav.settings import get_settings
from scraper_services.common.contracts import (
    WEB_IMPORT_LABEL,
    ImportBatchRequest,
    ImportedCompany,
)

STEP = "web_search"
WEB_LINE_SOURCE = "The open web (web discovery)"
OFF_REASON = (
    "Web discovery is off for this organisation (an organisation admin can switch it on "
    "under Organisations)."
)
NO_ENGINE_REASON = (
    "Web discovery is on, but no web search engine is configured (WEB_SEARCH_ENGINE); "
    "this report uses the company data only."
)


def skip_reason(organization_id: int | None) -> str:
    """Why the web is not searched for this organisation's reports ("" when it is)."""
    with session_scope() as session:
        organization = session.get(Organization, organization_id) if organization_id else None
        enabled = bool(organization and organization.web_discovery)
    if not enabled:
        return OFF_REASON
    if not get_settings().web_search_engine:
        return NO_ENGINE_REASON
    return ""


def _imported(report: DiscoveryReport) -> list[ImportedCompany]:
    return [
        ImportedCompany(
            name=c.name,
            website=c.website,
            description=c.description,
            sources=[WEB_IMPORT_LABEL],
            pages=c.pages[:20],
        )
        for c in report.candidates
    ]


async def _store(ctx: RunContext, report: DiscoveryReport) -> None:
    """The candidates into the organisation's company store of both services."""
    companies = _imported(report)
    if not companies or ctx.info.organization_id is None:
        return
    batch = ImportBatchRequest(
        organization_id=ctx.info.organization_id,
        import_id=f"web-run{ctx.info.run_id}",
        companies=companies[:500],
    )
    async with MarketDataClient() as client:
        try:
            await asyncio.gather(*(client.import_batch(s, batch) for s in SERVICES))
        except MarketDataError as err:
            raise StepFailed(
                f"The companies found on the web could not be stored ({err}); retry when the "
                "market-data services are available."
            ) from err


async def _search(ctx: RunContext, keywords: list[str] | None) -> dict[str, Any]:
    settings = get_settings()
    if keywords is None:  # a report without its own keyword step (the Quick Report)
        generated = await asyncio.to_thread(
            generate_crunchbase_keywords, ctx.info.inputs, context=ctx.ai_context
        )
        keywords = list(generated.value.keywords)
    engine = engine_from_settings(settings)
    if engine is None:  # settings changed since the run started
        raise StepFailed(NO_ENGINE_REASON)

    def progress(kind: str, message: str, **data: Any) -> None:
        ctx.detail(STEP, kind, message, **data)

    ctx.message(STEP, f"Searching the web ({engine.name})", 5)
    try:
        async with PageFetcher.from_settings(settings) as fetcher:
            report = await discover(
                ctx.info.inputs,
                keywords,
                engine=engine,
                fetcher=fetcher,
                max_queries=settings.web_max_queries,
                max_pages=settings.web_max_pages,
                cache_seconds=settings.web_cache_seconds,
                progress=progress,
                context=ctx.ai_context,
            )
    finally:
        await engine.aclose()
    if report.error:
        ctx.message(STEP, f"The web was not searched: {report.error}", 100)
    else:
        await _store(ctx, report)
        ctx.message(
            STEP,
            f"{len(report.candidates)} companies found on the web "
            f"({len(report.queries)} queries, {report.pages_read} pages read)",
            100,
        )
    return report.model_dump(mode="json")


async def run_step(ctx: RunContext, keywords: list[str] | None) -> DiscoveryReport | None:
    """The step (skipped with its reason when web discovery does not apply); its report.

    `keywords` are the report's category terms (None: the Crunchbase terms are generated)."""
    status = ctx.tracker.status_of(STEP)
    if status == "skipped":  # a resumed run skipped it before
        return None
    if status != "completed":
        reason = skip_reason(ctx.info.organization_id)
        if reason:
            ctx.tracker.skip_step(STEP, reason)
            return None
    result = await ctx.step(STEP, lambda: _search(ctx, keywords), stored_as="web_discovery.json")
    return DiscoveryReport.model_validate(result) if result else None


def is_web_line(line: dict[str, Any]) -> bool:
    return str(line.get("source", "")).startswith(WEB_LINE_SOURCE)


def add_data_used_line(ctx: RunContext, web: DiscoveryReport | None) -> None:
    """The web search's "Data used" line on the run, when it ran (once, also when a resumed
    run comes here again)."""
    line = data_used_line(web)
    if line is not None:
        lines = ctx.summary.setdefault("extra_sources", [])
        lines[:] = [*(x for x in lines if not is_web_line(x)), line]


def data_used_line(report: DiscoveryReport | None) -> dict[str, Any] | None:
    """The "Data used" line of the web search: engine, budget used, pages read, or the failure."""
    if report is None:
        return None
    queries = f"{len(report.queries)} of {report.max_queries} queries"
    pages = f"{report.pages_read} of {report.max_pages} pages read"
    fetched = f"{report.pages_fetched} fetched, {report.pages_read - report.pages_fetched} cached"
    detail = (
        f"not searched: {report.error}"
        if report.error
        else f"{report.engine}: {queries}, {pages} ({fetched})"
    )
    return {
        "source": f"{WEB_LINE_SOURCE} · {detail}",
        "records": len(report.candidates),
        "noun": "candidate companies",
        "demo": False,
        "dates": "",
        "report": "",
    }
