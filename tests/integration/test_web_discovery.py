"""One run's web discovery over real HTTP: the fixture web, its search engine, the guarded fetcher.

`discover` against `FixtureWeb` (fictional companies written for the tests): the idea's
competitors become candidates read from their own sites with the pages they were found on,
the budget holds, a second run reads from the cache, a failing engine is reported, not raised.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from marketnav.services.ai import ProjectInputsData
from marketnav.services.web_discovery.discovery import discover
from marketnav.services.web_discovery.fetcher import PageFetcher
from marketnav.services.web_discovery.search_engines import SearxngEngine, engine_from_settings
from marketnav.settings import get_settings
from tests.support.fixture_web import FixtureWeb, load_ideas

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

FREIGHT = next(i for i in load_ideas() if i["id"] == "freight-visibility-eu-forwarders")
KEYWORDS = ["shipment visibility", "customs automation", "freight forwarding software"]


@pytest.fixture
def web(db, monkeypatch) -> Iterator[FixtureWeb]:
    with FixtureWeb.start() as fixture:
        for key, value in fixture.settings_env().items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        yield fixture


async def _discover(max_pages: int = 25, engine=None, cache_seconds: int = 3600):
    settings = get_settings()
    engine = engine or engine_from_settings(settings)
    details: list[tuple[str, str]] = []
    try:
        async with PageFetcher.from_settings(settings) as fetcher:
            report = await discover(
                ProjectInputsData.model_validate(FREIGHT["inputs"]),
                KEYWORDS,
                engine=engine,
                fetcher=fetcher,
                max_queries=6,
                max_pages=max_pages,
                cache_seconds=cache_seconds,
                progress=lambda kind, message, **_: details.append((kind, message)),
            )
    finally:
        await engine.aclose()
    return report, details


async def test_the_ideas_competitors_are_read_from_their_own_sites_with_their_pages(web):
    report, details = await _discover()
    gold = {c["domain"] for c in FREIGHT["web_competitors"]}
    found = {c.domain.split(":")[0]: c for c in report.candidates}
    assert len(gold & set(found)) >= 4, sorted(found)
    haulsight = found["haulsight.test"]
    assert haulsight.own_site and haulsight.name.lower() == "haulsight"
    assert haulsight.description
    assert any("haulsight.test" in p.url for p in haulsight.pages)
    assert all(p.fetched_at and p.title for p in haulsight.pages)
    assert len(report.queries) == 6 and not report.error
    assert report.pages_read <= 25 and len(report.pages) <= 25
    kinds = {kind for kind, _ in details}
    assert {"web_query", "web_page", "web_summary"} <= kinds
    # Every page fetch named the bot (refusals of local addresses: tests/.../test_web_fetcher).
    sites = [r for r in web.requests if r.host.split(":")[0] != "search.test"]
    assert sites and all("MarketNavigatorBot" in r.user_agent for r in sites)


async def test_the_page_budget_holds_and_a_second_run_reads_from_the_cache(web):
    first, _ = await _discover(max_pages=6)
    assert len(first.pages) <= 6 and first.pages_fetched <= 6
    web.reset()
    second, _ = await _discover(max_pages=6)
    site_requests = [r for r in web.requests if r.host.split(":")[0] != "search.test"]
    assert second.pages_fetched == 0 and not site_requests
    assert {p.url for p in second.pages} == {p.url for p in first.pages}
    assert {c.domain for c in second.candidates} == {c.domain for c in first.candidates}


async def test_an_engine_that_fails_is_reported_not_raised(web):
    dead = SearxngEngine("http://127.0.0.2:9", timeout=2, backoff=0)
    report, _ = await _discover(engine=dead)
    assert report.error.startswith("every web search failed")
    assert not report.candidates and not report.pages
