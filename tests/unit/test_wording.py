"""Wording of what users read (#13 "Rough edges"): counts, years, live feed details."""

from __future__ import annotations

from marketnav.services.ai.offline import CompanyFacts, market_summary_markdown
from marketnav.services.reports.views import present_detail
from marketnav.services.wording import plural, year_span


def test_plural_says_one_company_and_many_companies():
    assert plural(1, "company") == "1 company" and plural(0, "company") == "0 companies"
    assert plural(2, "company") == "2 companies"
    assert plural(1, "post") == "1 post" and plural(3, "post") == "3 posts"


def test_a_year_span_of_one_year_is_that_year():
    assert year_span(2013, 2013) == "2013"
    assert year_span(2020, 2013) == "2013-2020"


def test_market_summary_founded_in_one_year_and_one_funded_company():
    companies = [
        CompanyFacts(name="Sitly", funding_usd=5e6, founded_year=2013),
        CompanyFacts(name="Pawshake", founded_year=2013),
    ]
    text = market_summary_markdown(companies)
    assert "- **Founded**: 2013\n" in text + "\n" and "2013-2013" not in text
    assert "across 1 company; 1 without" in text and "1 companies" not in text
    assert "(median" not in text  # no median of one figure


def test_live_details_are_text_never_records():
    """A search detail holds company records; the feed gets their names as text (the page
    printed "[object Object]" for them), and no name twice."""
    detail = {
        "type": "search_result",
        "message": "'pet sitting': 3 companies (Rover)",
        "data": {"companies": [{"name": "Rover", "slug": "rover"}, {"name": "Wag"}, "Pawshake"]},
    }
    shown = present_detail(detail)
    assert shown["message"] == "'pet sitting': 3 companies (Rover)"
    assert shown["names"] == "Wag, Pawshake"
    assert all(isinstance(shown[k], str) for k in ("type", "message", "names"))
    bare = present_detail({"type": "keyword", "message": "pet sitting"})
    assert bare["names"] == "" and bare["data"] == {}


def test_the_live_feed_shows_the_newest_rows_and_counts_the_rest():
    from marketnav.services.reports.views import FEED_ROWS, present_snapshot

    details = [{"type": "keyword", "message": f"keyword {n}"} for n in range(20)]
    step = {"key": "api_search", "number": 1, "name": "Search", "status": "running"}
    steps = [{**step, "details": details, "detail_count": 34}, {**step, "key": "b", "details": []}]
    shown = present_snapshot({"status": "running", "steps": steps})["steps"]
    assert [d["message"] for d in shown[0]["details"]] == [
        f"keyword {n}" for n in range(20 - FEED_ROWS, 20)
    ]
    assert shown[0]["earlier_details"] == 34 - FEED_ROWS  # all the step had, not only the event's
    assert shown[1]["details"] == [] and shown[1]["earlier_details"] == 0
