"""The data half of the Crunchbase and Tracxn reports: keywords, search, ranking, company facts.

Both report types run the same four steps (PREDECESSOR.md 4.3/4.4, with its flaws fixed):

- `init` generates the type's own keywords (never shared between types) and a target
  description, concurrently;
- `api_search` streams the service's per-keyword progress into `search_result` details and
  stores the raw answer as `raw_data.json`; a service error or an empty result fails the step;
- `sorting` lists the ranked matches; `fetching_details` turns each top company into
  `MarketCompany` facts (funding parsed to USD, rank/score, founded year, HQ, tags, key rows),
  stored as `analysis/companies.json` for the analysis steps and later reports.

`MarketSource` holds what differs between the two services; everything else is shared.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, Field

from marketnav.services import market_data
from marketnav.services.ai import OFFLINE_LABEL, AIResult, generate_target_description
from marketnav.services.reports.context import RunContext, StepFailed
from scraper_services.common.contracts import KeywordCompany, ProgressEvent

SEARCH_TIMEOUT_SECONDS = 600.0
NO_COMPANIES = "No companies found for these keywords; edit the description and retry."
_SCALES = {"": 1.0, "k": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}
_AMOUNT = re.compile(
    r"^(?:us\$|usd|\$)?\s*(\d[\d,]*(?:\.\d+)?|\.\d+)\s*(k|mm|mn|m|bn|b|t)?\s*(?:usd)?"
    r"\s*(?:\(.*\))?$",
    re.IGNORECASE,
)
_UNKNOWN = {"", "n/a", "na", "none", "null", "unknown", "undisclosed", "-", "—"}


# -- facts ------------------------------------------------------------------------------


def parse_funding_usd(value: Any) -> float | None:
    """USD from a number or a formatted amount ("$12.3M", "$1,200,000", "$2.5B (Series C)").

    Unknown, masked ("$## (##)") and non-USD values give None, never a guess.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value > 0 else None
    text = str(value).strip()
    if "#" in text or text.lower() in _UNKNOWN:
        return None
    match = _AMOUNT.match(text)
    if match is None:
        return None
    amount = float(match.group(1).replace(",", "")) * _SCALES[(match.group(2) or "").lower()]
    return amount if amount > 0 else None


def known(value: Any) -> bool:
    """False for the sources' placeholders: None, "N/A", "", [] and {}."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip().lower() not in _UNKNOWN
    if isinstance(value, list | dict):
        return bool(value)
    return True


def as_text(value: Any) -> str:
    if not known(value):
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if known(v))
    return str(value).strip()


def founded_year(value: Any) -> int | None:
    text = as_text(value)[:4]
    return int(text) if text.isdigit() and 1800 < int(text) < 2100 else None


def split_location(text: str) -> tuple[str, str]:
    """("Seattle", "United States") from "Seattle, United States"; a lone part is a country."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return "", ""
    return (parts[0] if len(parts) > 1 else ""), parts[-1]


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:60] or "company"


class MarketCompany(BaseModel):
    """What the analysis knows about one top company (JSON-able, checkpointed)."""

    name: str
    slug: str
    match_rank: int = Field(description="1 = closest match to the target description")
    description: str = ""
    url: str = ""
    website: str = ""
    funding_usd: float | None = None
    funding_text: str = "N/A"
    cb_rank: int | None = None
    tracxn_score: float | None = None
    similarity: float = 0.0
    combined_score: float = 0.0
    founded_year: int | None = None
    city: str = ""
    country: str = ""
    status: str = ""
    tags: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    rows: dict[str, str] = Field(default_factory=dict)
    details: dict[str, Any] = Field(default_factory=dict)

    @property
    def headquarters(self) -> str:
        return ", ".join(p for p in (self.city, self.country) if p)

    @property
    def standing(self) -> str:
        """The source's own measure: "CB Rank 1,870" / "Tracxn score 71.5" / ""."""
        if self.cb_rank is not None:
            return f"CB Rank {self.cb_rank:,}"
        if self.tracxn_score is not None:
            return f"Tracxn score {self.tracxn_score:g}"
        return ""


def _details(data: dict[str, Any], table_rows: int = 10) -> dict[str, Any]:
    """The known fields of a source record (tables cut to `table_rows`), for prompts."""
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if known(value):
            kept[key] = value[:table_rows] if isinstance(value, list) else value
    return kept


CRUNCHBASE_ROWS = (
    ("Total funding", "Total Funding Amount"),
    ("CB Rank", "CB Rank"),
    ("Founded", "Founded Year"),
    ("Headquarters", "Headquarters"),
    ("Operating status", "Operating Status"),
    ("Company type", "Company Type"),
    ("IPO status", "IPO Status"),
    ("Headcount", "Headcount"),
    ("Funding rounds", "Number of Funding Rounds"),
    ("Investors", "Number of Investors"),
    ("Monthly visits", "Monthly Visits"),
    ("Growth score", "Growth Score"),
    ("Website", "Website"),
)


def crunchbase_company(item: dict[str, Any], position: int) -> MarketCompany:
    """Facts from a `top_companies_full_data` item of the Crunchbase service."""
    data = item.get("company_data") or {}
    city, country = split_location(as_text(data.get("Headquarters")))
    rank = item.get("cb_rank") if item.get("cb_rank") is not None else data.get("CB Rank")
    tags = data.get("Industry Tags") or []
    name = as_text(data.get("Company Name")) or str(item.get("name") or "")
    return MarketCompany(
        name=name,
        slug=slugify(name),
        match_rank=int(item.get("combined_rank") or position),
        description=as_text(data.get("About")),
        url=str(item.get("url") or data.get("url") or ""),
        website=as_text(data.get("Website")),
        funding_usd=parse_funding_usd(data.get("Total Funding Amount")),
        funding_text=as_text(data.get("Total Funding Amount")) or "N/A",
        cb_rank=int(rank) if isinstance(rank, int | float) else None,
        similarity=float(item.get("similarity_score") or 0),
        combined_score=float(item.get("combined_score") or 0),
        founded_year=founded_year(data.get("Founded Year")),
        city=city,
        country=country,
        status=as_text(data.get("Operating Status")),
        tags=[str(t) for t in tags if known(t)] if isinstance(tags, list) else [as_text(tags)],
        keywords=list(item.get("keywords") or []),
        rows={
            label: as_text(data.get(key)) for label, key in CRUNCHBASE_ROWS if known(data.get(key))
        },
        details=_details(data),
    )


def tracxn_company(item: dict[str, Any], position: int) -> MarketCompany:
    """Facts from a `top_companies_full_data` item of the Tracxn service (its `full_data`)."""
    sections: dict[str, dict[str, Any]] = {}
    for section in item.get("full_data") or []:
        if isinstance(section, dict) and isinstance(section.get("data"), dict):
            sections.setdefault(str(section.get("section") or ""), {}).update(section["data"])
    basic = sections.get("company_basic_details", {})
    metrics = sections.get("key_metrics", {})
    money = sections.get("funding_and_investors", {})
    funding_text = as_text(money.get("total_equity_funding") or metrics.get("total_equity_funding"))
    funding = parse_funding_usd(money.get("total_equity_funding_usd")) or parse_funding_usd(
        funding_text
    )
    score = item.get("tracxn_score", metrics.get("tracxn_score"))
    city, country = split_location(as_text(basic.get("location")))
    name = str(item.get("name") or sections.get("company_name", {}).get("name") or "")
    rows = {
        "Total equity funding": funding_text,
        "Tracxn score": f"{score:g}" if isinstance(score, int | float) else "",
        "Founded": as_text(basic.get("founded_year")),
        "Location": as_text(basic.get("location")),
        "Stage / status": as_text(basic.get("status")),
        "Website": as_text(basic.get("website")),
    }
    return MarketCompany(
        name=name,
        slug=slugify(name),
        match_rank=int(item.get("rank") or position),
        description=as_text(sections.get("about", {}).get("description")),
        url=str(item.get("reference") or ""),
        website=as_text(basic.get("website")),
        funding_usd=funding,
        funding_text=funding_text or "N/A",
        tracxn_score=float(score) if isinstance(score, int | float) else None,
        similarity=float(item.get("similarity_score") or 0),
        combined_score=float(item.get("combined_score") or 0),
        founded_year=founded_year(basic.get("founded_year")),
        city=city,
        country=country,
        status=as_text(basic.get("status")),
        tags=[str(t) for t in sections.get("coverage_areas", {}).get("sectors") or [] if known(t)],
        keywords=list(item.get("keywords") or []),
        rows={label: value for label, value in rows.items() if value},
        details={key: _details(value) for key, value in sections.items() if _details(value)},
    )


def unique_slugs(companies: list[MarketCompany]) -> list[MarketCompany]:
    """Section keys must be unique per run: a repeated slug gets a number."""
    seen: dict[str, int] = {}
    for company in companies:
        count = seen.get(company.slug, 0)
        seen[company.slug] = count + 1
        if count:
            company.slug = f"{company.slug}_{count + 1}"
    return companies


# -- what differs between the services --------------------------------------------------


@dataclass(frozen=True)
class MarketSource:
    report_type: str
    label: str
    generate_keywords: Callable[..., AIResult[Any]]
    build_request: Callable[[list[str], str, str], BaseModel]
    stream: Callable[[market_data.MarketDataClient, Any], AsyncIterator[Any]]
    company: Callable[[dict[str, Any], int], MarketCompany]
    rank_detail: str
    rank_line: Callable[[MarketCompany], str]
    preview: Callable[[KeywordCompany, int], str]


def companies_from_raw(source: MarketSource, raw: dict[str, Any]) -> list[MarketCompany]:
    companies = [source.company(item, i) for i, item in enumerate(raw["top_companies"], 1)]
    return unique_slugs([c for c in companies if c.name])


def keywords_message(keywords: list[str], shown: int = 3) -> str:
    """ "Keywords ready: a, b, c +N more"."""
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
            message = f"'{event.keyword}': search failed"
        else:
            message = f"'{event.keyword}': {event.count or 0} companies" + (
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
    response: Any = None
    async with market_data.MarketDataClient(timeout=SEARCH_TIMEOUT_SECONDS) as client:
        try:
            async for item in source.stream(client, request):
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
    if not response.top_companies_full_data:
        raise StepFailed(NO_COMPANIES)
    found = meta.all_companies_count
    ctx.message("api_search", f"Found {found} companies, ranking…", 95)
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
    try:
        await asyncio.wait_for(client.cancel(source.report_type, request_id), timeout=3)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - the run is cancelled either way
        pass


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
    ctx.message("fetching_details", f"Facts ready for {len(companies)} companies", 100)
    return [c.model_dump(mode="json") for c in companies]


@dataclass
class MarketData:
    keywords: list[str]
    target_description: str
    source: str
    companies_found: int
    companies: list[MarketCompany]


async def collect(ctx: RunContext, source: MarketSource) -> MarketData:
    """Steps `init`, `api_search`, `sorting`, `fetching_details` (each once per run)."""
    terms = await ctx.step("init", lambda: generate_terms(ctx, source))
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
        keywords=terms["keywords"],
        target_description=terms["target_description"],
        source=str(raw.get("source") or ""),
        companies_found=int(raw["metadata"].get("all_companies_count") or len(companies)),
        companies=[MarketCompany.model_validate(f) for f in facts],
    )
