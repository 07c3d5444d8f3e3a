"""Companies found on the web in a report: their source, their pages as citations, Data used."""

from __future__ import annotations

from marketnav.services import organizations
from marketnav.services.reports import evidence, evidence_render
from marketnav.services.reports.pipelines import web_search
from marketnav.services.reports.pipelines.company_facts import MarketCompany
from marketnav.services.web_discovery.discovery import DiscoveryReport, PageOutcome, QueryOutcome
from tests.factories import make_user, personal_org_id

PAGES = [
    {
        "url": "http://logisticsweekly.test/best-tools/",
        "title": "The 6 best freight visibility tools",
        "fetched_at": "2026-12-03T09:00:00Z",
    },
    {"url": "http://haulsight.test/", "title": "Haulsight", "fetched_at": "2026-12-02T08:00:00Z"},
]


def _web_company() -> MarketCompany:
    return MarketCompany(
        name="Haulsight",
        slug="haulsight",
        match_rank=1,
        website="http://haulsight.test/",
        origin="import:web",
        web_pages=PAGES,
    )


def test_a_company_from_the_web_says_so_and_cites_its_pages():
    item = evidence.company_item("crunchbase", "Crunchbase", _web_company(), None)
    assert item.source.startswith("The open web") and "not in the Crunchbase data" in item.source
    assert not item.demo
    assert item.detail.startswith("known only from the web (2 pages")
    assert "funding unknown" in item.detail  # unknown, never zero, nor "not disclosed"
    citation = item.citation()
    assert citation["pages"] == PAGES
    html = evidence_render.section_html("<p>Haulsight[^1]</p>", [citation], "s")
    assert 'href="http://logisticsweekly.test/best-tools/"' in html
    assert "The 6 best freight visibility tools</a> · fetched 2026-12-03" in html
    assert 'aria-label="Found on"' in html
    markdown = evidence_render.section_markdown("Haulsight[^1]", [citation], "s")
    assert (
        "Found on: The 6 best freight visibility tools <http://logisticsweekly.test/best-tools/>"
        in markdown
    )
    # A company of the data set has no pages and no "Found on" list.
    plain = _web_company().model_copy(update={"origin": "demo-dataset", "web_pages": []})
    plain_item = evidence.company_item("crunchbase", "Crunchbase", plain, None)
    assert "pages" not in plain_item.citation() and plain_item.demo
    assert "Found on" not in evidence_render.section_html("<p>x</p>", [plain_item.citation()], "s")


def test_data_used_line_gives_engine_budget_and_pages_or_the_failure():
    report = DiscoveryReport(
        engine="SearXNG at http://search.test",
        max_queries=6,
        max_pages=25,
        queries=[QueryOutcome(query="a", results=8), QueryOutcome(query="b", results=3)],
        pages=[
            PageOutcome(url="http://a.test/"),
            PageOutcome(url="http://b.test/", cached=True),
            PageOutcome(url="http://c.test/", refused="robots", reason="disallowed"),
        ],
    )
    line = web_search.data_used_line(report)
    assert line["source"] == (
        "The open web (web discovery) · SearXNG at http://search.test: 2 of 6 queries, "
        "2 of 25 pages read (1 fetched, 1 cached)"
    )
    assert line["records"] == 0 and line["noun"] == "candidate companies" and not line["demo"]
    assert web_search.is_web_line(line)
    failed = web_search.data_used_line(report.model_copy(update={"error": "engine down"}))
    assert "not searched: engine down" in failed["source"]
    assert web_search.data_used_line(None) is None


def test_the_web_step_is_skipped_with_its_reason(db, monkeypatch):
    user = make_user(db)
    org_id = personal_org_id(db, user)
    db.commit()
    assert web_search.skip_reason(org_id) == web_search.OFF_REASON
    organizations.set_web_discovery(db, user, org_id, True)
    db.commit()
    assert web_search.skip_reason(org_id) == web_search.NO_ENGINE_REASON
    monkeypatch.setenv("WEB_SEARCH_ENGINE", "searxng")
    from marketnav.settings import get_settings

    get_settings.cache_clear()
    assert web_search.skip_reason(org_id) == ""
    assert web_search.skip_reason(None) == web_search.OFF_REASON
