"""Pure helpers of the Crunchbase and Tracxn reports: funding, facts, the offline analyser."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from marketnav.services.ai import OFFLINE_LABEL
from marketnav.services.reports.catalog import spec_for
from marketnav.services.reports.pipelines import crunchbase, market_search, tracxn
from marketnav.services.reports.pipelines.company_facts import (
    Market,
    MarketCompany,
    crunchbase_company,
    parse_funding_usd,
    root,
    tracxn_company,
    unique_slugs,
)
from marketnav.services.reports.pipelines.company_memos import (
    FIRST_COMPANY_POSITION,
    memo_data,
    offline_board_view,
    offline_landscape,
    offline_memo,
)
from scraper_services.common.contracts import KeywordCompany, ProgressEvent
from scraper_services.common.demo_catalogue import DemoCompany
from scraper_services.crunchbase.company_data import record_from_demo as crunchbase_record
from scraper_services.tracxn.full_data import record_from_demo as tracxn_record

ROVER = DemoCompany(
    name="Rover",
    website="https://www.rover.com",
    description="Marketplace to book trusted pet sitters and dog walkers.",
    categories=["Pet Care", "Marketplace"],
    founded_year=2011,
    hq_city="Seattle",
    hq_country="United States",
    total_funding_usd=310_000_000,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("$12.3M", 12_300_000),
        ("$1,200,000", 1_200_000),
        ("$2.5B (Series C)", 2_500_000_000),
        ("$850K", 850_000),
        ("12.3m", 12_300_000),
        ("US$ 4.5 mn", 4_500_000),
        ("$9.4bn", 9_400_000_000),
        (5_000_000, 5_000_000),
        ("$## (##)", None),
        ("N/A", None),
        ("undisclosed", None),
        ("", None),
        (None, None),
        ("€5M", None),
        ("$0", None),
        (True, None),
        ("about $5M maybe", None),
    ],
)
def test_parse_funding_usd(value, expected):
    assert parse_funding_usd(value) == (pytest.approx(expected) if expected else None)


def _crunchbase_item(company: DemoCompany, rank: int = 1, similarity: float = 0.8) -> dict:
    record = crunchbase_record(company)
    return {
        "company_data": record.details,
        "name": company.name,
        "similarity_score": similarity,
        "cb_rank": company.cb_rank,
        "rank_score": 0.5,
        "combined_score": 0.7,
        "combined_rank": rank,
        "appearance_count": 2,
        "keywords": ["pet sitting", "dog walking"],
        "url": record.url,
    }


def _tracxn_item(company: DemoCompany, rank: int = 1, similarity: float = 0.8) -> dict:
    record = tracxn_record(company)
    return {
        "rank": rank,
        "reference": record.key,
        "name": company.name,
        "similarity_score": similarity,
        "tracxn_score": company.tracxn_score,
        "normalized_tracxn_score": 0.5,
        "combined_score": 0.612,
        "appearance_count": 1,
        "keywords": ["pet AND care"],
        "full_data": record.details,
        "source": "database",
    }


def test_crunchbase_facts_come_from_company_data():
    facts = crunchbase_company(_crunchbase_item(ROVER, rank=2), 5)
    assert facts.name == "Rover" and facts.slug == "rover" and facts.match_rank == 2
    assert facts.funding_usd == 310_000_000 and facts.funding_text == "$310M"
    assert facts.cb_rank == ROVER.cb_rank and facts.standing == f"CB Rank {ROVER.cb_rank:,}"
    assert (facts.founded_year, facts.city, facts.country) == (2011, "Seattle", "United States")
    assert facts.tags == ["Pet Care", "Marketplace"]
    assert facts.rows["Total funding"] == "$310M" and facts.rows["Founded"] == "2011"
    # Placeholders of unknown fields are dropped, never passed on as facts.
    assert "Headcount" not in facts.rows and "Growth Score" not in facts.details
    assert all(value not in ("N/A", [], "") for value in facts.details.values())


def test_tracxn_facts_come_from_full_data_sections():
    facts = tracxn_company(_tracxn_item(ROVER, rank=3), 1)
    assert facts.match_rank == 3 and facts.url.startswith("/a/d/company/")
    assert facts.funding_usd == 310_000_000 and facts.funding_text == "$310M"
    assert facts.tracxn_score == ROVER.tracxn_score and facts.cb_rank is None
    assert (facts.founded_year, facts.country, facts.tags) == (
        2011,
        "United States",
        ["Pet Care", "Marketplace"],
    )
    assert facts.description == ROVER.description
    assert facts.rows["Tracxn score"] == f"{ROVER.tracxn_score:g}"


def test_masked_tracxn_funding_is_undisclosed():
    item = _tracxn_item(ROVER)
    for section in item["full_data"]:
        if section["section"] == "funding_and_investors":
            section["data"] = {"total_equity_funding": "$## (##)", "total_equity_funding_usd": None}
        if section["section"] == "key_metrics":
            section["data"]["total_equity_funding"] = "$## (##)"
    facts = tracxn_company(item, 1)
    assert facts.funding_usd is None and facts.funding_text == "$## (##)"


def test_presented_companies_are_ranked_among_themselves_in_the_service_order():
    """The service ranks every candidate: two presented companies read "#3 of 2 closest"."""
    named = DemoCompany(name="Zoetis Pets", description="Pet health.", categories=["Pet Care"])
    raw = {"top_companies": [_crunchbase_item(named, rank=5), _crunchbase_item(ROVER, rank=3)]}
    companies = market_search.companies_from_raw(crunchbase.SOURCE, raw)
    assert [(c.name, c.match_rank) for c in companies] == [("Zoetis Pets", 2), ("Rover", 1)]
    market = Market(startup="PawPal", label="Crunchbase", keywords=[], companies=companies)
    memo = offline_memo(market, companies[1], crunchbase.MEMO)
    assert "#1 of 2 closest" in memo and "#3" not in memo


def test_repeated_slugs_get_numbers():
    companies = [MarketCompany(name=n, slug="acme", match_rank=i) for i, n in enumerate("ABC", 1)]
    assert [c.slug for c in unique_slugs(companies)] == ["acme", "acme_2", "acme_3"]


def _company(name: str, rank: int, funding: float | None, cb_rank: int | None, sim: float):
    return MarketCompany(
        name=name,
        slug=name.lower(),
        match_rank=rank,
        description=f"{name} runs an online marketplace for pet sitting.",
        funding_usd=funding,
        funding_text="N/A",
        cb_rank=cb_rank,
        similarity=sim,
        founded_year=2010 + rank,
        city="Berlin",
        country="Germany",
        tags=["Pet Care"] if rank < 3 else ["Travel"],
    )


def _market() -> Market:
    return Market(
        startup="PawPal",
        label="Crunchbase",
        keywords=["pet sitting", "dog grooming", "travel booking"],
        keyword_counts={"pet sitting": 4, "dog grooming": 0, "travel booking": 7},
        companies=[
            _company("Sitly", 1, 400e6, 100, 0.80),
            _company("Pawshake", 2, 20e6, 40_000, 0.75),
            _company("Wanderly", 3, 6_000e6, 120, 0.20),
            _company("Trippa", 4, None, None, 0.18),
            _company("Furry", 5, 50e6, 60_000, 0.55),
        ],
    )


def test_the_competitor_list_says_how_close_its_companies_are_as_the_memos_do():
    """It called every company above the floor "close" while their memos said adjacent."""
    market = _market()
    market.retrieval = {"relevance_floor": 0.2, "named_competitors": []}
    (line,) = market.competitor_list_lines()
    assert line.startswith("- **Competitors in the data**: 5 companies passed")
    assert line.endswith("By relevance: 1 direct, 2 close, 2 adjacent-market.")


def test_threat_needs_a_close_match_and_strength():
    market = _market()
    levels = {c.name: market.threat(c)[0] for c in market.companies}
    # Relevance first: a well funded, top-ranked direct competitor (relevance >= 0.8) is High;
    # close competitors (>= 0.5) without funding or standing and a giant in an adjacent market
    # stay Low.
    assert levels == {
        "Sitly": "High",
        "Pawshake": "Low",
        "Wanderly": "Low",
        "Trippa": "Low",
        "Furry": "Low",
    }
    assert "adjacent-market" in market.threat(market.companies[2])[1][0]
    assert "a close competitor" in market.threat(market.companies[1])[1][0]
    # The same close competitor with money is Medium; named by the founder it is at least close.
    pawshake = market.companies[1]
    assert market.threat(pawshake.model_copy(update={"funding_usd": 1e9}))[0] == "Medium"
    named_giant = market.companies[2].model_copy(update={"named_by_user": True})
    assert market.relevance(named_giant) == 1 and "named by you" in market.threat(named_giant)[1]


def test_offline_memo_mentions_the_real_figures():
    market = _market()
    text = offline_memo(market, market.companies[0], crunchbase.MEMO)
    assert text.startswith(f"_{OFFLINE_LABEL}")
    # Median of 20M, 50M, 400M and 6B; Wanderly is better funded.
    assert "$400M, #2 of 4 companies with disclosed funding; 1.8x the median of $225M" in text
    assert (
        "#1 of 4 by CB Rank (CB Rank 100)" in text
        and "founded 2011" in text
        and "Berlin, Germany" in text
    )
    assert "Pet Care" in text and "PawPal" in text
    # The verdict answers "fear, copy or ignore?" in a sentence, not "Final verdict: Fear".
    assert "### Final verdict\n\nPawPal should **fear** Sitly." in text
    assert "Final verdict: Fear" not in text and "Threat to PawPal: **High**" in text
    unknown = offline_memo(market, market.companies[3], tracxn.MEMO)
    assert "### Executive snapshot\n\nOutlook on " in unknown
    assert "**Data Insufficient**" in unknown
    assert "not disclosed" in unknown


def test_an_offline_memo_of_a_web_only_company_says_where_it_comes_from():
    """Not "assembled from the Crunchbase data": its facts are its pages; funding unknown."""
    market = _market()
    copy = "Sitters you can trust. Book in a minute! " + "Every sitter is vetted. " * 30
    web = market.companies[3].model_copy(
        update={
            "origin": "import:web",
            "funding_usd": None,
            "tags": ["Pet Care"],
            "description": copy,
        }
    )
    text = offline_memo(market, web, crunchbase.MEMO)
    assert "assembled from what its web pages say (it is not in the Crunchbase data)" in text
    assert "assembled from the Crunchbase data" not in text
    # Its description is its site's sales copy: its first sentences, quoted as its words.
    assert f"**{web.name}**: in its own words, “Sitters you can trust. Book in a minute!" in text
    quoted = text.split("in its own words, “")[1].split("”")[0]
    assert len(quoted) <= 320 and copy.strip() not in text
    assert "- **Funding**: unknown (it is not in the Crunchbase data; found on the web)." in text
    assert "| Categories its pages use | Pet Care |" in text and "| Tags |" not in text
    # Unknown strength is not weakness: the verdict says watch, not ignore.
    assert f"should **watch** {web.name}:" in text
    assert "funding unknown" in text and "**ignore**" not in text
    # The AI writer is told the same: known only from its pages, nothing to estimate.
    assert "not in the Crunchbase data" in memo_data(market, web)["company"]["known_from"]
    assert "known_from" not in memo_data(market, market.companies[3])["company"]
    # The board view says how many of the companies found are known only from the web.
    mixed = dataclasses.replace(market, companies=[*market.companies[:3], web])
    board = offline_board_view(mixed)
    assert "in the Crunchbase search and on the web (1 known only from the web): 4" in board


def test_offline_summaries_are_computed_tables():
    market = _market()
    board = offline_board_view(market)
    assert board.startswith(f"_{OFFLINE_LABEL}")
    rows = [line for line in board.splitlines() if line.startswith("| ") and "Company" not in line]
    assert [r.split(" | ")[1] for r in rows] == ["Sitly", "Pawshake", "Wanderly", "Trippa", "Furry"]
    assert "| 1 | Sitly | Pet Care | $400M | 100 | 2011 | High |" in board
    assert "**Sitly** (High)" in board and "**Wanderly**" not in board.split("### Threats")[1]
    smaller = board.split("Smaller players")[1]
    assert "**Pawshake**" in smaller and "**Furry**" in smaller and "Trippa" not in smaller
    landscape = offline_landscape(market)
    assert landscape.startswith(f"_{OFFLINE_LABEL}")
    assert "| Pet Care | Sitly, Pawshake | High |" in landscape
    assert "Total disclosed funding" in landscape and "Lead with dog grooming" in landscape
    assert "hold over 99% of disclosed funding" in landscape  # 99.7%, not "100%"
    # White space: nobody covers dog grooming and the search found nothing for it; pet sitting
    # is covered ("pet sitting" matches descriptions saying "pet sitting").
    assert "**dog grooming**: covered by 0 of the 5 companies" in landscape
    assert "travel booking" not in landscape  # 7 companies found for it: not white space
    assert "**pet sitting**" not in landscape.split("### White space")[1]
    # The two summaries complement each other: no list, table or section appears in both.
    assert "### White space" not in board and "Companies found" not in landscape
    assert "| # | Company |" not in landscape and "### Market map" not in board
    shared = {line for line in board.splitlines() if line.strip() and not line.startswith("_")}
    assert shared.isdisjoint(landscape.splitlines())


def test_root_matching_joins_word_forms():
    assert root("sitters") == root("sitting") == "sit"
    assert root("walkers") == root("walking") == "walk"
    assert root("booking") == "book"


def test_section_order_and_step_keys_follow_the_catalogue():
    for module, board, summary in (
        (crunchbase, "fast_analysis", "strategic_summary"),
        (tracxn, "flash_analysis", "executive_summary"),
    ):
        specs = {s.key: s for s in module.ANALYSIS.summaries}
        assert specs[board].position < specs[summary].position < FIRST_COMPANY_POSITION
        assert specs[summary].chart and not specs[board].chart
        used = {"init", "web_search", "api_search", "sorting", "fetching_details"}
        used |= {"company_deep_dive"}
        used |= set(specs) | {"html_gen", "save"}
        assert used == set(spec_for(module.SOURCE.report_type).step_keys)


def test_search_requests_use_each_services_parameters():
    cb = crunchbase.SOURCE.build_request(["pet sitting"], "pet care marketplaces", "crunchbase-7")
    assert (cb.num_companies, cb.top_count, cb.similarity_weight, cb.rank_weight) == (
        20,
        10,
        0.75,
        0.25,
    )
    assert cb.request_id == "crunchbase-7"
    tx = tracxn.SOURCE.build_request(["pet AND care"], "pet care marketplaces", "tracxn-7")
    assert (tx.num_companies_per_search, tx.top_count, tx.score_weight) == (30, 15, 0.25)
    assert tx.company_names == ["pet AND care"] and tx.sort_by == "relevance"


def test_keyword_message_and_search_text():
    assert market_search.keywords_message(list("abcde")) == "Keywords ready: a, b, c +2 more"
    assert market_search.keywords_message(["a", "b"]) == "Keywords ready: a, b"
    assert market_search.search_text(f"{OFFLINE_LABEL}: Pet sitting apps.") == "Pet sitting apps."


class FakeContext:
    def __init__(self) -> None:
        self.details: list[tuple[str, str, str, dict]] = []
        self.messages: list[tuple[str, str, int | None]] = []
        self.info = SimpleNamespace(run_id=7)

    def detail(self, step: str, kind: str, message: str, **data) -> None:
        self.details.append((step, kind, message, data))

    def message(self, step: str, text: str, percent: int | None = None) -> None:
        self.messages.append((step, text, percent))


def test_keyword_progress_becomes_a_search_result_detail():
    ctx = FakeContext()
    companies = [KeywordCompany(name=f"C{i}", cb_rank=100 * i) for i in range(1, 8)]
    event = ProgressEvent(
        event="search_result",
        type="search_result",
        keyword="pet sitting",
        index=2,
        total=4,
        status="success",
        count=7,
        top_companies=companies,
    )
    market_search._progress_event(ctx, crunchbase.SOURCE, event)
    step, kind, message, data = ctx.details[0]
    assert (step, kind) == ("api_search", "search_result")
    assert (
        message
        == "'pet sitting': 7 companies (C1 (#100), C2 (#200), C3 (#300), C4 (#400), C5 (#500))"
    )
    assert len(data["companies"]) == 5 and data["count"] == 7
    assert ctx.messages[-1] == ("api_search", "2/4 keywords searched", 47)


def test_undisclosed_funding_is_never_called_less_capital_than_the_median():
    market = _market()
    furry = next(c for c in market.companies if c.name == "Furry")
    furry.funding_usd = None
    board = offline_board_view(market)
    smaller = board.split("Smaller players")[1]
    assert "**Pawshake**" in smaller and "Furry" not in smaller


def test_a_listed_or_acquired_company_is_never_a_smaller_player_to_watch():
    """Block (public, $590M of venture money below a median of $900M) was called "a partner
    or acquisition candidate" for a restaurant start-up."""
    market = _market()
    pawshake, furry = market.companies[1], market.companies[4]
    pawshake.rows = {"IPO status": "Public", "Operating status": "Active"}  # Crunchbase
    furry.status = "acquired"  # Tracxn's stage
    assert (pawshake.independent, furry.independent, market.companies[0].independent) == (
        False,
        False,
        None,
    )
    assert "Smaller players" not in offline_board_view(market)
    furry.status, pawshake.rows = "operating", {"IPO status": "Private"}
    assert furry.independent and pawshake.independent
    smaller = offline_board_view(market).split("Smaller players")[1]
    assert "**Pawshake**" in smaller and "**Furry**" in smaller


def test_offline_memo_counts_a_lone_headquarters_country_in_the_singular():
    market = _market()
    others = [c.model_copy(update={"country": "France"}) for c in market.companies[1:]]
    market.companies[1:] = others
    text = offline_memo(market, market.companies[0], crunchbase.MEMO)
    assert "1 of the 5 companies is in Germany." in text
    text = offline_memo(market, market.companies[1], crunchbase.MEMO)
    assert f"{len(others)} of the 5 companies are in France." in text


def test_one_disclosed_funding_is_not_compared_with_itself():
    """With one funded company the memo said '#1 of 1 … 1.0x the median of $60M' and called
    it well funded for matching its own median; the board view gave a median of one."""
    market = _market()  # its derived figures are computed on first use, after this
    sitly = market.companies[0]
    for company in market.companies:
        company.funding_usd = 60e6 if company is sitly else None
    memo = offline_memo(market, sitly, crunchbase.MEMO)
    assert (
        "- **Funding**: $60M, the only one of the 5 companies found with disclosed funding." in memo
    )
    assert "median" not in memo and "#1 of 1" not in memo
    _, reasons = market.threat(sitly)
    assert "funding $60M, the only disclosed figure" in reasons
    assert not any("median" in r for r in reasons)
    board = offline_board_view(market)
    assert "- **Total disclosed funding**: $60M" in board and "(median" not in board
    assert "- **Best funded** (of the 1 company with disclosed funding): Sitly" in board


def test_a_close_competitor_never_shows_the_relevance_direct_starts_at():
    """0.797 was printed 0.80 as 'close' beside a 0.80 'direct' one."""
    market = _market()
    market.companies[1].similarity = 0.797
    _, reasons = market.threat(market.companies[1])
    assert reasons[0] == "a close competitor (relevance 0.79)"
    _, reasons = market.threat(market.companies[0])  # 0.80
    assert reasons[0] == "a direct competitor (relevance 0.80)"


def test_undisclosed_funding_is_unknown_strength_not_weakness():
    """A close competitor with no disclosed funding was rated Low, as if it had none."""
    market = _market()
    close = market.companies[1].model_copy(
        update={"funding_usd": None, "cb_rank": None, "slug": "unranked"}
    )
    level, reasons = market.threat(close)
    assert level == "Medium" and "funding not disclosed" in reasons
    # A disclosed small amount is known weakness: still Low.
    assert market.threat(market.companies[1])[0] == "Low"
    # A direct competitor with nothing known beyond its closeness is Medium, not High.
    unknown = {"funding_usd": None, "cb_rank": None, "slug": "unranked"}
    direct = market.companies[0].model_copy(update=unknown)
    assert market.threat(direct)[0] == "Medium"
    # An adjacent-market company stays Low whatever is unknown about it.
    assert market.threat(market.companies[3])[0] == "Low"


def test_the_board_table_says_why_a_figure_is_missing():
    """'N/A' under Funding beside memos saying 'not disclosed'; ranks read 40000."""
    board = offline_board_view(_market())
    assert "| 2 | Pawshake | Pet Care | $20M | 40,000 | 2012 | Low |" in board
    assert "| 4 | Trippa | Travel | not disclosed | n/a | 2014 | Low |" in board
    assert "N/A" not in board
    facts = crunchbase_company(_crunchbase_item(ROVER, rank=2), 5)
    assert facts.rows["CB Rank"] == f"{ROVER.cb_rank:,}"


def test_a_list_without_a_direct_competitor_warns_that_the_data_may_not_cover_the_market():
    """A shelf-camera idea got online grocers as 'close competitors' and no word of doubt."""
    market = _market()
    market.retrieval = {
        "relevance_floor": 0.2,
        "named_competitors": [{"name": "Trax", "found": False}, {"name": "Sitly", "found": True}],
    }
    assert not any("**Coverage**" in line for line in market.competitor_list_lines())
    market.companies[0].similarity = 0.7  # Sitly is now only close: no direct competitor
    warning = market.competitor_list_lines()[-1]
    assert warning.startswith("- **Coverage**: no company in the Crunchbase data is a direct")
    assert "Trax (named by you) is not in it" in warning and "PawPal's market" in warning
    assert "**Coverage**" in offline_board_view(market)


def test_a_memo_calls_the_match_score_relevance_as_the_threat_line_does():
    market = _market()
    text = offline_memo(market, market.companies[1], crunchbase.MEMO)
    assert "description (relevance 0.75)" in text and "similarity" not in text
