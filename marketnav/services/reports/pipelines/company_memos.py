"""The analysis half of the Crunchbase and Tracxn reports: deep dives, two summaries, offline text.

After the data steps (`market_search.collect`) both types run the per-company deep dives and
their two summaries *concurrently*: the summaries need only the facts table, not the memos, so
the run takes about as long as the deep dives alone. The deep dives fan out (bounded) and each
memo is checkpointed in the object store, so a retried step writes only the missing ones.

Without an AI provider every section is written by the offline analyser from the facts:
a memo per company (funding vs the market median, standing, age, HQ, tags, threat level), a
board view (comparison table, threats, smaller players, open segments) and a landscape
(statistics, funding concentration, market map, white space, positioning).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from marketnav.services.ai import OFFLINE_LABEL, offline
from marketnav.services.ai.description_reading import sentences
from marketnav.services.reports import evidence
from marketnav.services.reports.context import RunContext
from marketnav.services.reports.pipelines import web_search
from marketnav.services.reports.pipelines.common import finish, write_section
from marketnav.services.reports.pipelines.company_facts import (
    Market,
    MarketCompany,
    cell,
    plural,
    relevance_text,
)
from marketnav.services.reports.pipelines.market_search import MarketData
from marketnav.services.wording import year_span
from scraper_services.common.money import format_usd

FIRST_COMPANY_POSITION = 100
MEMO_FOLDER = "analysis/company_deep_dive/"
THREAT_ORDER = {"High": 0, "Medium": 1, "Low": 2}


# -- offline writers ----------------------------------------------------------------------


@dataclass(frozen=True)
class MemoSpec:
    """How a type's company memo is asked for, and how the offline memo concludes."""

    instructions: str  # with {company} and {startup}
    verdict_heading: str
    # High / Medium / Low / unknown -> the verdict's sentence (with {company} and {startup})
    outlooks: dict[str, str]


def _funding_line(market: Market, company: MarketCompany) -> str:
    if not company.funding_usd and company.web_only:
        return f"- **Funding**: unknown (it is not in the {market.label} data; found on the web)."
    if not company.funding_usd:
        return f"- **Funding**: not disclosed in the {market.label} data."
    if len(market.funded) == 1:  # nothing to compare with: no rank, no median of one
        found = plural(len(market.companies), "company")
        money = format_usd(company.funding_usd)
        return f"- **Funding**: {money}, the only one of the {found} found with disclosed funding."
    place = next(i for i, c in enumerate(market.funded, 1) if c.slug == company.slug)
    line = f"- **Funding**: {format_usd(company.funding_usd)}, #{place} of {len(market.funded)}"
    line += " companies with disclosed funding"
    if market.median_funding:
        ratio = company.funding_usd / market.median_funding
        line += f"; {ratio:.1f}x the median of {format_usd(market.median_funding)}"
    return line + "."


def _rounds_table(company: MarketCompany) -> list[str]:
    rounds = [r for r in company.details.get("Funding Table") or [] if isinstance(r, dict)]
    if not rounds:
        return []
    columns = list(rounds[0])[:5]
    lines = ["", "### Funding rounds", "", "| " + " | ".join(columns) + " |"]
    lines.append("|" + "---|" * len(columns))
    for row in rounds[:10]:
        values = [", ".join(map(str, v)) if isinstance(v, list) else v for v in row.values()]
        lines.append("| " + " | ".join(cell(v) for v in values[: len(columns)]) + " |")
    return lines


SITE_WORDS_CHARS = 320


def _description(company: MarketCompany) -> str:
    """What follows the company's name. A web-only company's description is its site's own
    copy: its first sentences (at most `SITE_WORDS_CHARS`) are quoted as the site's words,
    not stated as findings."""
    if not company.description:
        return "."
    if not company.web_only:
        return f": {company.description}"
    quoted = ""
    for sentence in sentences(company.description):
        if quoted and len(quoted) + len(sentence) > SITE_WORDS_CHARS:
            break
        quoted = f"{quoted} {sentence}".strip()
    return f": in its own words, “{quoted[:SITE_WORDS_CHARS]}”"


def offline_memo(market: Market, company: MarketCompany, memo: MemoSpec) -> str:
    """A company memo assembled from its facts and how they compare with the market."""
    count = len(market.companies)
    level, reasons = market.threat(company)
    source = (
        f"what its web pages say (it is not in the {market.label} data), compared with the "
        f"{plural(count)} found"
        if company.web_only
        else f"the {market.label} data on {plural(count)}"
    )
    lines = [
        f"_{OFFLINE_LABEL}: assembled from {source}, no AI model used._",
        "",
        f"**{company.name}**" + _description(company),
        "",
        "| Fact | Value |",
        "|---|---|",
    ]
    lines += [f"| {cell(label)} | {cell(value)} |" for label, value in company.rows.items()]
    if company.tags:
        tags = "Categories its pages use" if company.web_only else "Tags"
        lines.append(f"| {tags} | {cell(', '.join(company.tags[:8]))} |")
    lines += [
        "",
        f"### Position among the {plural(count)} found",
        "",
        _funding_line(market, company),
    ]
    position = market.standing_order.get(company.slug)
    if position is not None:
        lines.append(
            f"- **Standing**: #{position} of {len(market.standing_order)} by {market.measure} "
            f"({company.standing})."
        )
    stats = market.statistics
    if company.founded_year:
        span = year_span(*stats.founded_range) if stats.founded_range else ""
        span = f"in {span}" if span.isdigit() else span
        age = datetime.now(UTC).year - company.founded_year
        lines.append(
            f"- **Age**: founded {company.founded_year} ({age} years ago)"
            + (f"; the companies found were founded {span}." if span else ".")
        )
    if company.headquarters:
        peers = sum(1 for c in market.companies if c.country and c.country == company.country)
        lines.append(
            f"- **Headquarters**: {company.headquarters}; {peers} of the {plural(count)} "
            f"{'is' if peers == 1 else 'are'} in {company.country or 'the same place'}."
        )
    shared = {t for c in market.companies if c.slug != company.slug for t in c.tags}
    overlap = [t for t in company.tags if t in shared]
    if overlap:
        lines.append(f"- **Overlapping segments**: {', '.join(overlap[:5])}.")
    lines.append(
        f"- **Match**: #{company.match_rank} of {count} closest to {market.startup}'s "
        f"description (relevance {relevance_text(company.similarity)})"
        + (f", found by: {', '.join(company.keywords[:4])}." if company.keywords else ".")
    )
    lines += _rounds_table(company)
    insufficient = not company.funding_usd and position is None
    outlook = memo.outlooks["unknown" if insufficient else level]
    lines += [
        "",
        f"### {memo.verdict_heading}",
        "",
        outlook.format(company=company.name, startup=market.startup) + ".",
        "",
        f"Threat to {market.startup}: **{level}** ({'; '.join(reasons)}).",
    ]
    return "\n".join(lines)


def _open_segments(market: Market) -> list[str]:
    open_terms, crowded = market.white_space()
    count = len(market.companies)
    lines = ["", "### White space", ""]
    for row in open_terms[:6]:
        found = "" if row.found is None else f"; the search found {plural(row.found)} for it"
        lines.append(f"- **{row.term}**: covered by {row.companies} of the {plural(count)}{found}.")
    if not open_terms:
        lines.append("- Every search term is covered by at least two of the companies analysed.")
    if crowded:
        busy = ", ".join(f"{r.term} ({plural(r.companies)})" for r in crowded[:5])
        lines += ["", f"Crowded: {busy}."]
    return lines


def offline_board_view(market: Market) -> str:
    """Fast / flash analysis: the figures, the comparison table, threats, smaller players.

    The strategic / executive summary (`offline_landscape`) covers what this one leaves out
    (concentration, market map, white space, entry positioning): the two never repeat a list.
    """
    lines = [offline.market_summary_markdown(market.offline_facts(), market.search_label)]
    lines += market.competitor_list_lines()
    lines += [
        "",
        f"| # | Company | Core focus | Funding | {market.measure} | Founded | Threat |",
        "|---|---|---|---|---|---|---|",
    ]
    threats: dict[str, tuple[str, list[str]]] = {}
    for company in sorted(market.companies, key=lambda c: c.match_rank):
        threats[company.slug] = market.threat(company)
        focus = ", ".join(company.tags[:2]) or company.description[:60]
        named = " (named by you)" if company.named_by_user else ""
        lines.append(
            f"| {company.match_rank} | {cell(company.name + named)} | {cell(focus)} | "
            f"{company.funding_cell} | {company.standing_value or 'n/a'}"
            f" | {company.founded_year or 'unknown'} | {threats[company.slug][0]} |"
        )
    ranked = sorted(
        (c for c in market.companies if threats[c.slug][0] != "Low"),
        key=lambda c: (THREAT_ORDER[threats[c.slug][0]], c.match_rank),
    )
    lines += ["", "### Threats", ""]
    lines += [
        f"- **{c.name}** ({threats[c.slug][0]}): {'; '.join(threats[c.slug][1])}." for c in ranked
    ] or [f"- No company is both a close match to {market.startup} and strongly funded or ranked."]
    # Only a disclosed amount can be below the median: unknown funding is not small funding.
    # A listed, acquired or closed company is no partner or acquisition candidate, whatever
    # it raised before (Block's $590M of venture money was below a median of $900M).
    median_funding = market.median_funding or 0
    small = [
        c
        for c in market.companies
        if market.relevance(c)
        and c.funding_usd is not None
        and c.funding_usd < median_funding
        and c.independent is not False
    ]
    if small:
        lines += ["", "### Smaller players to watch", ""]
        lines += [
            f"- **{c.name}** (match #{c.match_rank}, funding {format_usd(c.funding_usd)}): close "
            f"to {market.startup}'s offer with less capital than the median; a partner or "
            "acquisition candidate."
            for c in small
        ]
    return "\n".join(lines)


def offline_landscape(market: Market) -> str:
    """Strategic / executive summary: funding concentration, market map, white space, entry.

    The figures and the competitor list are the board view's (`offline_board_view`); this one
    starts from where the money and the segments are.
    """
    stats = market.statistics
    lines = [f"_{OFFLINE_LABEL}: computed from the data, no AI model used._", ""]
    if stats.funded_count:
        lines.append(
            f"- **Total disclosed funding**: {format_usd(stats.total_funding_usd)} across "
            f"{stats.funded_count} of the {plural(len(market.companies))} analysed"
        )
    else:
        lines.append(
            f"- **Funding**: none of the {plural(len(market.companies))} analysed discloses it"
        )
    total = stats.total_funding_usd
    if total and len(market.funded) > 3:
        top = sum(c.funding_usd or 0 for c in market.funded[:3])
        names = ", ".join(c.name for c in market.funded[:3])
        share = top / total
        # 99.7% is not "100%": the others hold something.
        held = "over 99%" if 0.995 <= share < 1 else f"{share:.0%}"
        lines.append(f"- **Concentration**: {names} hold {held} of disclosed funding")
    segments = Counter(t for c in market.companies for t in c.tags)
    if segments:
        lines += [
            "",
            "### Market map",
            "",
            "| Segment | Companies | Highest threat |",
            "|---|---|---|",
        ]
        for segment, _ in segments.most_common(8):
            members = [c for c in market.companies if segment in c.tags]
            worst = min((market.threat(c)[0] for c in members), key=THREAT_ORDER.__getitem__)
            names = ", ".join(c.name for c in members[:5])
            lines.append(f"| {cell(segment)} | {cell(names)} | {worst} |")
    lines += _open_segments(market)
    open_terms, crowded = market.white_space()
    leaders = [c.name for c in market.companies if market.threat(c)[0] == "High"][:3]
    lines += ["", "### Entry positioning", ""]
    if open_terms:
        lines.append(
            f"- Lead with {' and '.join(r.term for r in open_terms[:2])}: at most one of the "
            f"{plural(len(market.companies))} analysed covers each."
        )
    if leaders:
        lines.append(f"- Avoid competing head-on with {', '.join(leaders)} on their home ground.")
    if crowded:
        lines.append(f"- {crowded[0].term.capitalize()} is crowded: differentiate, don't copy.")
    return "\n".join(lines)


# -- steps --------------------------------------------------------------------------------
# (the AI writes from the same facts the offline analyser uses)


def summary_data(market: Market) -> dict[str, Any]:
    """The facts table the summaries are written from."""
    table = [
        {
            "match_rank": c.match_rank,
            "name": c.name,
            "description": c.description[:240],
            "relevance": round(c.similarity, 2),
            "funding": c.funding_text,
            "funding_usd": c.funding_usd,
            "standing": c.standing or "n/a",
            "founded": c.founded_year,
            "headquarters": c.headquarters,
            "status": c.status,
            "tags": c.tags[:6],
        }
        for c in market.companies
    ]
    return {
        "startup": market.startup,
        "source": market.label,
        "competitor_list": market.competitor_list_lines(),
        "named_by_founder": [c.name for c in market.companies if c.named_by_user],
        "named_but_not_in_data": market.named_not_found,
        "keywords": market.keywords,
        "statistics": market.statistics.model_dump(),
        "companies": table,
    }


def memo_data(market: Market, company: MarketCompany) -> dict[str, Any]:
    """One company's facts and the market they are compared with."""
    facts = company.model_dump(mode="json", exclude={"slug"})
    if company.web_only:
        facts["known_from"] = (
            f"only the web pages listed in web_pages (web discovery); it is not in the "
            f"{market.label} data, so its funding, size and rank are unknown: say so, never "
            "estimate them"
        )
    return {
        "company": facts,
        "market": {
            "startup": market.startup,
            "companies_compared": len(market.companies),
            "median_funding_usd": market.median_funding,
            "peers": [c.name for c in market.companies if c.slug != company.slug][:8],
        },
    }


@dataclass(frozen=True)
class SummarySpec:
    key: str  # step key and section key
    title: str
    position: int
    instructions: str  # with {startup}
    offline: Callable[[Market], str]
    chart: bool = False
    max_tokens: int = 5000


@dataclass(frozen=True)
class AnalysisSpec:
    memo: MemoSpec
    summaries: tuple[SummarySpec, ...]
    changes_summary: str = "Full 3-part analysis: {n} companies"


async def deep_dives(ctx: RunContext, memo: MemoSpec, market: Market) -> dict[str, Any]:
    """`company_deep_dive`: one memo per company, concurrently; each saved as it is written."""
    saved = set(ctx.storage.list(ctx.prefix + MEMO_FOLDER))
    operation = f"{ctx.info.report_type}_deep_dive"

    async def one(entry: tuple[int, MarketCompany]) -> float:
        index, company = entry
        name = f"{MEMO_FOLDER}{company.slug}.json"
        if ctx.prefix + name in saved:
            result = ctx.load_json(name)
        else:
            draft = await write_section(
                ctx,
                operation=operation,
                instructions=memo.instructions.format(company=company.name, startup=market.startup),
                data=memo_data(market, company),
                offline=partial(offline_memo, market, company, memo),
            )
            result = {
                "company": company.name,
                "markdown": draft.markdown,
                "confidence": draft.confidence,
            }
            ctx.save_json(name, result)
        level, _ = market.threat(company)
        ctx.add_section(
            f"company_{company.slug}",
            company.name,
            result["markdown"],
            position=FIRST_COMPANY_POSITION + index,
            kind="company",
            company_name=company.name,
            data={"facts": company.model_dump(mode="json", exclude={"details"}), "threat": level},
        )
        ctx.detail("company_deep_dive", "company_analyzed", f"{company.name}: memo written")
        return float(result["confidence"])

    def progress(done: int, total: int) -> None:
        ctx.message("company_deep_dive", f"{done}/{total} companies", done * 100 // total)

    ordered = sorted(market.companies, key=lambda c: c.match_rank)
    confidences = await ctx.fan_out(list(enumerate(ordered)), one, on_done=progress)
    return {"companies": len(confidences), "confidence": sum(confidences) / len(confidences)}


async def write_summary(ctx: RunContext, spec: SummarySpec, market: Market) -> dict[str, Any]:
    """One summary section over the facts table (fast/flash view or strategic/executive)."""
    draft = await write_section(
        ctx,
        operation=f"{ctx.info.report_type}_{spec.key}",
        instructions=spec.instructions.format(startup=market.startup),
        data=summary_data(market),
        offline=partial(spec.offline, market),
        max_tokens=spec.max_tokens,
    )
    data = {"funding_chart": market.funding_chart()} if spec.chart else {}
    ctx.add_section(spec.key, spec.title, draft.markdown, position=spec.position, data=data)
    ctx.save_json(f"analysis/summaries/{spec.key}.json", draft.model_dump())
    ctx.message(spec.key, f"{spec.title} written", 100)
    return {"confidence": draft.confidence}


async def run_concurrently(*steps: Awaitable[Any]) -> list[Any]:
    """Await all; a failed step lets the others finish (and checkpoint), then raises."""
    results = await asyncio.gather(*steps, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def startup_name(ctx: RunContext) -> str:
    return ctx.info.inputs.startup_name.strip() or ctx.info.project_name


async def analyse(ctx: RunContext, spec: AnalysisSpec, data: MarketData) -> None:
    """Deep dives and both summaries concurrently, then the card figures and the exports."""
    market = Market(
        startup=startup_name(ctx),
        label=data.label,
        keywords=data.keywords,
        companies=data.companies,
        keyword_counts=data.keyword_counts,
        retrieval=data.retrieval,
        requested=data.requested,
    )
    # The records and aggregates every section cites (kept on a resumed run: same refs).
    ctx.register_evidence(
        evidence.market_items(
            ctx.info.report_type, data.label, market.companies, data.companies_found
        )
    )
    web_search.add_data_used_line(ctx, data.web)
    await run_concurrently(
        ctx.step("company_deep_dive", partial(deep_dives, ctx, spec.memo, market)),
        *(ctx.step(s.key, partial(write_summary, ctx, s, market)) for s in spec.summaries),
    )
    ctx.summary.update(
        {
            "company_count": len(market.companies),
            "companies_found": data.companies_found,
            "named_not_found": market.named_not_found,
            "keywords": data.keywords,
            "sections_count": len(market.companies) + len(spec.summaries),
            "total_funding_usd": market.statistics.total_funding_usd,
            "source": data.source,
        }
    )
    await finish(ctx, spec.changes_summary.format(n=len(market.companies)))
