"""Crunchbase Analysis (PREDECESSOR.md 4.3): competitors, their funding, and what to do about them.

Data steps (`market_search`): Crunchbase-style keywords (2-3 word industry terms), the
top-similar-with-rank search (20 per keyword, top 10, similarity 0.75 / CB rank 0.25), ranking
and company facts. Analysis (`company_memos`): a 7-part VC memo per company, written
concurrently with the strategic summary and the board-level fast analysis.
"""

from __future__ import annotations

from marketnav.services import market_data
from marketnav.services.ai import generate_crunchbase_keywords
from marketnav.services.reports.context import RunContext
from marketnav.services.reports.pipelines import company_facts, company_memos, market_search
from marketnav.services.reports.pipelines.company_facts import MarketCompany
from marketnav.services.reports.pipelines.company_memos import AnalysisSpec, MemoSpec, SummarySpec
from marketnav.services.reports.pipelines.market_search import MarketSource
from scraper_services.common.contracts import KeywordCompany
from scraper_services.crunchbase.schemas import TopSimilarWithRankRequest


def _request(keywords: list[str], target: str, request_id: str) -> TopSimilarWithRankRequest:
    return TopSimilarWithRankRequest(
        keywords=keywords,
        target_description=target,
        num_companies=20,
        top_count=10,
        days_threshold=180,
        similarity_weight=0.75,
        rank_weight=0.25,
        request_id=request_id,
        report_id=request_id,
    )


def _rank_line(company: MarketCompany) -> str:
    return f"{company.match_rank}. {company.name} (CB Rank: {company.cb_rank or 'N/A'})"


def _preview(company: KeywordCompany, _position: int) -> str:
    return f"{company.name} (#{company.cb_rank})" if company.cb_rank else company.name


SOURCE = MarketSource(
    report_type="crunchbase",
    label="Crunchbase",
    generate_keywords=generate_crunchbase_keywords,
    build_request=_request,
    stream=market_data.MarketDataClient.stream_crunchbase,
    company=company_facts.crunchbase_company,
    rank_detail="company_rank",
    rank_line=_rank_line,
    preview=_preview,
)

MEMO = MemoSpec(
    instructions=(
        "You are a venture capital analyst. Write a deep-dive investment memo on {company}, a "
        "company in the market of {startup} (the startup described in the project inputs). "
        "Use exactly these seven '###' sections: 1. Executive Summary; 2. Technology & Product "
        "Core; 3. Market Traction & Demand (a table of the traction metrics in the data); "
        "4. Funding & Financial Health (a funding rounds table when rounds are given, investor "
        "quality, capital efficiency); 5. Growth & Competitive Positioning (against {startup}); "
        "6. Strategic SWOT (a 2x2 table); 7. Final Verdict: should {startup} fear, copy or "
        "ignore {company}, in one bold word and two sentences why. Values shown as 'N/A' or "
        "missing are unknown: write 'not disclosed', never estimate them."
    ),
    verdict_heading="Final verdict",
    # The memo's last question, answered in a sentence: fear, copy or ignore the company.
    outlooks={
        "High": "{startup} should **fear** {company}",
        "Medium": "{startup} should **copy** what works for {company}",
        "Low": "{startup} can **ignore** {company}",
        # Unknown strength is not weakness: a direct competitor with no figures is not ignored.
        "unknown": "{startup} should **watch** {company}: its funding and standing are unknown, "
        "so whether to fear, copy or ignore it cannot be said from this data",
    },
)

ANALYSIS = AnalysisSpec(
    memo=MEMO,
    summaries=(
        SummarySpec(
            key="fast_analysis",
            title="Fast Analysis (Board View)",
            position=0,
            instructions=(
                "Board-level fast analysis for {startup}'s founders. Start with a master "
                "comparison table (Rank, Company, Core Focus, Funding, CB Rank, Founded, Threat "
                "to {startup}: High/Medium/Low); then Critical Threats with a mitigation each; "
                "Golden Opportunities; Build / Buy / Partner / Ignore lists naming companies; "
                "end with a one-sentence GO or NO-GO for {startup} entering this market."
            ),
            offline=company_memos.offline_board_view,
            max_tokens=3000,
        ),
        SummarySpec(
            key="strategic_summary",
            title="Strategic Summary",
            position=1,
            instructions=(
                "Strategic summary of the competitive landscape {startup} enters. Sections: a "
                "market map table (category, companies, threat level to {startup}); the "
                "technology landscape; capital vs traction outliers (well funded but weakly "
                "ranked, or the reverse); white space no company covers; recommended entry "
                "positioning for {startup}."
            ),
            offline=company_memos.offline_landscape,
            chart=True,
        ),
    ),
)


async def run(ctx: RunContext) -> None:
    data = await market_search.collect(ctx, SOURCE)
    await company_memos.analyse(ctx, ANALYSIS, data)
