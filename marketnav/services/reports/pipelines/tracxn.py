"""Tracxn Insights (PREDECESSOR.md 4.4): the startup landscape with institutional memos.

Data steps (`market_search`): Tracxn-style keywords (single words or words joined by ' AND ',
generated for this type, never borrowed from Crunchbase), the scrape-batch-with-rank search
(30 per keyword, top 15, similarity 0.75 / Tracxn score 0.25), ranking and company facts.
Analysis (`company_memos`): an institutional due-diligence memo per startup with
anti-hallucination rules, written concurrently with the executive assessment and the flash
report.
"""

from __future__ import annotations

from marketnav.services import market_data
from marketnav.services.ai import generate_tracxn_keywords
from marketnav.services.reports.context import RunContext
from marketnav.services.reports.pipelines import company_facts, company_memos, market_search
from marketnav.services.reports.pipelines.company_facts import MarketCompany
from marketnav.services.reports.pipelines.company_memos import AnalysisSpec, MemoSpec, SummarySpec
from marketnav.services.reports.pipelines.market_search import MarketSource
from scraper_services.common.contracts import KeywordCompany
from scraper_services.tracxn.schemas import ScrapeBatchWithRankRequest


def _request(keywords: list[str], target: str, request_id: str) -> ScrapeBatchWithRankRequest:
    return ScrapeBatchWithRankRequest(
        company_names=keywords,
        target_description=target,
        num_companies_per_search=30,
        top_count=15,
        freshness_days=180,
        similarity_weight=0.75,
        score_weight=0.25,
        sort_by="relevance",
        request_id=request_id,
        report_id=request_id,
    )


def _rank_line(company: MarketCompany) -> str:
    return f"{company.match_rank}. {company.name} (Score: {company.combined_score:.2f})"


def _preview(company: KeywordCompany, position: int) -> str:
    return f"{company.name} (#{position})"


SOURCE = MarketSource(
    report_type="tracxn",
    label="Tracxn",
    generate_keywords=generate_tracxn_keywords,
    build_request=_request,
    stream=market_data.MarketDataClient.stream_tracxn,
    company=company_facts.tracxn_company,
    rank_detail="startup_rank",
    rank_line=_rank_line,
    preview=_preview,
)

DATA_RULES = (
    "Data rules: use only the data given. Masked or missing values such as '$## (##)', "
    "'N/A' or null are undisclosed: say so, never estimate them. Flag anomalies explicitly "
    "(for example a public company with fewer than 50 employees, or a last funding round more "
    "than two years ago, which is a runway risk)."
)

MEMO = MemoSpec(
    instructions=(
        "You are an institutional investor writing a due-diligence memo on {company}, a "
        "company in the market of {startup} (the startup described in the project inputs). "
        + DATA_RULES
        + " Use these '###' sections: Executive Snapshot (start with one of Bullish / "
        "Neutral / Bearish / Data Insufficient and the reason); Operational & Human Capital; "
        "Technology & Product Moat; Competitive Landscape & Market Share (against {startup}); "
        "Financial Health & Capital Structure; Strategic SWOT."
    ),
    verdict_heading="Executive snapshot",
    outlooks={
        "High": "Outlook on {company}: **Bullish**",
        "Medium": "Outlook on {company}: **Neutral**",
        "Low": "Outlook on {company}: **Bearish**",
        "unknown": "Outlook on {company}: **Data Insufficient**",
    },
)

ANALYSIS = AnalysisSpec(
    memo=MEMO,
    summaries=(
        SummarySpec(
            key="flash_analysis",
            title="Flash Analysis Report",
            position=0,
            instructions=(
                "A two-page flash report for {startup}'s founders and investors. "
                + DATA_RULES
                + " Sections: Alpha Cohort (the three strongest startups and why, as a table); "
                "Red Flags & Anomalies; Sleeper Picks (close matches with little funding); "
                "Market Pulse (statistics from the data: counts, funding totals and medians, "
                "founding years, countries)."
            ),
            offline=company_memos.offline_board_view,
            max_tokens=3000,
        ),
        SummarySpec(
            key="executive_summary",
            title="Executive Strategic Assessment",
            position=1,
            instructions=(
                "An executive strategic landscape assessment for {startup}. "
                + DATA_RULES
                + " Sections: Abstract; Market Maturity & Concentration; Exit Liquidity "
                "(public, acquired and late-stage companies); Technology Frontier; Capital "
                "Efficiency & Funding Heatmap (a table); Aggregated SWOT for {startup}; "
                "Recommendations for new entrants and for investors."
            ),
            offline=company_memos.offline_landscape,
            chart=True,
        ),
    ),
)


async def run(ctx: RunContext) -> None:
    data = await market_search.collect(ctx, SOURCE)
    await company_memos.analyse(ctx, ANALYSIS, data)
