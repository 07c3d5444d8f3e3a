"""Quick Report: six strategy sections from the inputs and a quick look at the market.

Offline (no AI key), the six sections present the landscape instead (quick_landscape): the
closest competitors and why, white space, who they serve, the funding spread, what to research
next, each headed by what it shows (the catalogue's section titles stay).

Steps (PREDECESSOR.md 4.2): `web_search` first (web discovery, when the organisation has it
on), then `init` gathers a small competitor set from the Crunchbase service (so the analysis
can add competitors the founder did not name), `api_search` writes the six sections
concurrently, `save` renders the exports. Without the service the report still runs on the
inputs alone and says so.
"""

from __future__ import annotations

import asyncio
from typing import Any

from marketnav.services import market_data
from marketnav.services.ai import ProjectInputsData, generate_crunchbase_keywords
from marketnav.services.reports import evidence
from marketnav.services.reports.competitor_query import project_query
from marketnav.services.reports.context import RunContext
from marketnav.services.reports.pipelines import quick_landscape, web_search
from marketnav.services.reports.pipelines.common import finish, write_section
from marketnav.services.reports.pipelines.company_facts import MarketCompany, crunchbase_company
from marketnav.services.wording import plural
from scraper_services.crunchbase.schemas import TopSimilarWithRankRequest

SECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "strategic_overview",
        "Strategic Overview",
        "Frame the opportunity: what the startup does, for whom, why now, and the three "
        "questions that decide whether it works. Challenge optimistic claims in the inputs.",
    ),
    (
        "competitors_analysis",
        "Competitors Analysis",
        "Tables of direct and indirect competitors (name, focus, why it matters), using the "
        "companies in the data and any the founder named; then market shifts, partnerships "
        "and hidden opportunities.",
    ),
    (
        "product_differentiation",
        "Product Differentiation",
        "Three concrete differentiation ideas, each with the competitor gap it exploits and "
        "how to test it cheaply.",
    ),
    (
        "detailed_personas",
        "Detailed Personas",
        "Two buyer personas: demographics, psychographics, a short bio, goals and "
        "frustrations, tools they use today, and what would make them switch.",
    ),
    (
        "market_snapshot",
        "Market Snapshot",
        "TAM / SAM / SOM with the reasoning behind each figure (mark estimates as estimates), "
        "growth, segmentation, likely CAC and ARPU ranges, and regulation to watch.",
    ),
    (
        "audience_analysis",
        "Audience Analysis",
        "Primary and secondary audiences in a table with a 1-10 priority score and why, and "
        "how the audience will evolve over the time range.",
    ),
)


async def _competitors(ctx: RunContext) -> dict[str, Any]:
    """A few ranked competitors from the Crunchbase service (empty when it is unreachable)."""
    keywords = await asyncio.to_thread(
        generate_crunchbase_keywords, ctx.info.inputs, context=ctx.ai_context
    )
    request = TopSimilarWithRankRequest(
        keywords=keywords.value.keywords[:6],
        target_description=ctx.info.inputs.startup_description[:2000],
        num_companies=10,
        top_count=8,
        request_id=f"quick-{ctx.info.run_id}",
        project=project_query(ctx.info.inputs),
        organization_id=ctx.info.organization_id,
    )
    try:
        async with market_data.MarketDataClient(timeout=60) as client:
            found = await client.search_crunchbase(request)
    except market_data.MarketDataError as err:
        ctx.detail("init", "info", f"Market data unavailable, using the inputs only: {err}")
        return {
            "keywords": keywords.value.keywords,
            "competitors": [],
            "companies": [],
            "available": False,
            "source": "",
        }
    # Only what passed the relevance floor (and what the founder named) is a competitor.
    competitors = [
        {
            "name": c.name,
            "description": c.company_data.get("About", "")[:300],
            "cb_rank": c.cb_rank,
            "relevance": round(c.relevance, 2),
            "named_by_user": c.named_by_user,
        }
        for c in found.top_companies_full_data[:8]
    ]
    retrieval = found.metadata.retrieval
    missing = [n.name for n in retrieval.named_competitors if not n.found] if retrieval else []
    ctx.detail(
        "init",
        "top_companies",
        f"{plural(len(competitors), 'company')} to compare with",
        companies=[c["name"] for c in competitors[:5]],
    )
    # The same facts the Crunchbase report extracts (funding in USD, HQ, tags, origin).
    facts = [
        crunchbase_company(c.model_dump(), i).model_dump(
            mode="json", exclude={"details", "rows", "keywords"}
        )
        for i, c in enumerate(found.top_companies_full_data[:8], 1)
    ]
    return {
        "keywords": keywords.value.keywords,
        "competitors": competitors,
        "companies": facts,
        "named_not_in_data": missing,
        "relevance_floor": retrieval.relevance_floor if retrieval else None,
        "available": True,
        "source": found.source,
    }


def _landscape(inputs: ProjectInputsData, data: dict[str, Any]) -> quick_landscape.Landscape:
    companies = [MarketCompany.model_validate(c) for c in data.get("companies") or []]
    return quick_landscape.landscape(
        inputs,
        companies,
        list(data.get("named_not_in_data") or []),
        data.get("relevance_floor"),
        available=bool(data.get("available", True)),
    )


def _offline_text(key: str, inputs: ProjectInputsData, data: dict[str, Any]) -> str:
    """The offline analyser's version of a section: the landscape computed from the companies."""
    heading, build = quick_landscape.OFFLINE_SECTIONS[key]
    label, _, body = build(_landscape(inputs, data)).partition("\n\n")
    return f"{label}\n\n### {heading}\n\n{body}"


async def run(ctx: RunContext) -> None:
    web = await web_search.run_step(ctx, None)

    async def init() -> dict[str, Any]:
        ctx.message("init", f"{len(ctx.info.inputs.answered())} answers, looking at the market")
        return await _competitors(ctx)

    data = await ctx.step("init", init, stored_as="raw_data.json")
    # The companies every section cites (the same records the Crunchbase search returned).
    companies = [MarketCompany.model_validate(c) for c in data.get("companies") or []]
    if companies:
        ctx.register_evidence(
            evidence.market_items("quick_report", "Crunchbase", companies, len(companies))
        )
    web_search.add_data_used_line(ctx, web)

    async def analyse() -> dict[str, Any]:
        async def one(section: tuple[str, str, str]) -> dict[str, Any]:
            key, title, instructions = section
            draft = await write_section(
                ctx,
                operation=f"quick_{key}",
                instructions=f"Section: {title}. {instructions}",
                data={k: v for k, v in data.items() if k != "companies"},
                offline=lambda: _offline_text(key, ctx.info.inputs, data),
            )
            position = [s[0] for s in SECTIONS].index(key)
            ctx.add_section(key, title, draft.markdown, position=position)
            ctx.detail("api_search", "section", f"{title} written")
            return {"key": key, "confidence": draft.confidence}

        def progress(done: int, total: int) -> None:
            ctx.message("api_search", f"{done}/{total} sections written", done * 100 // total)

        written = await ctx.fan_out(SECTIONS, one, on_done=progress)
        return {"sections": len(written)}

    result = await ctx.step("api_search", analyse)
    ctx.summary.update(
        {"sections_count": result["sections"], "competitors": len(data["competitors"])}
    )
    await finish(ctx, f"Market research with {result['sections']} sections")
