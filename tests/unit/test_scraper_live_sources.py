"""Live adapters against recorded upstream answers (in-process): mapping, retries, breaker."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from scraper_services.common.sources import SourceError
from scraper_services.common.upstream_http import CircuitBreaker, CircuitOpen, UpstreamHTTPError
from scraper_services.crunchbase import app as crunchbase_app
from scraper_services.crunchbase.live_source import CrunchbaseApiSource
from scraper_services.crunchbase.live_source import MissingApiKey as CrunchbaseMissingKey
from scraper_services.tracxn import app as tracxn_app
from scraper_services.tracxn.live_source import MissingApiKey as TracxnMissingKey
from scraper_services.tracxn.live_source import TracxnApiSource
from tests.scraper_fixtures import (
    UPSTREAM_KEY,
    UpstreamBehaviour,
    fake_crunchbase_upstream,
    fake_tracxn_upstream,
    make_settings,
)


def crunchbase(behaviour: UpstreamBehaviour, key: str = UPSTREAM_KEY, **kwargs):
    transport = httpx.ASGITransport(app=fake_crunchbase_upstream(behaviour))
    return CrunchbaseApiSource(
        key, "http://upstream/api/v4", transport=transport, backoff_initial=0.001, **kwargs
    )


def tracxn(behaviour: UpstreamBehaviour, key: str = UPSTREAM_KEY, **kwargs):
    transport = httpx.ASGITransport(app=fake_tracxn_upstream(behaviour))
    return TracxnApiSource(
        key, "http://upstream/api/2.2", transport=transport, backoff_initial=0.001, **kwargs
    )


def test_live_sources_are_never_built_without_a_key(tmp_path):
    with pytest.raises(CrunchbaseMissingKey):
        crunchbase_app.make_source(make_settings(tmp_path, crunchbase_source="live"))
    with pytest.raises(TracxnMissingKey):
        tracxn_app.make_source(make_settings(tmp_path, tracxn_source="live"))
    with pytest.raises(ValueError):
        crunchbase_app.make_source(make_settings(tmp_path, crunchbase_source="scrape"))
    keyed = make_settings(
        tmp_path, crunchbase_source="live", crunchbase_api_key=SecretStr("k"),
        tracxn_source="live", tracxn_api_key=SecretStr("k"),
    )  # fmt: skip
    assert crunchbase_app.make_source(keyed).label == "crunchbase-api-v4"
    assert tracxn_app.make_source(keyed).label == "tracxn-api-2.2"


@pytest.mark.asyncio
async def test_crunchbase_search_fetch_and_lookup_map_v4_shapes():
    behaviour = UpstreamBehaviour()
    source = crunchbase(behaviour)
    found = await source.search("dog walking", 5)
    assert [r.name for r in found] == ["Rover", "Wag!"]
    rover = found[0]
    assert (rover.key, rover.cb_rank, rover.total_funding_usd) == ("rover", 1870, 310_000_000)
    assert rover.url == "https://www.crunchbase.com/organization/rover"
    assert rover.details["Total Funding Amount"] == "$310M"
    assert rover.details["Headquarters"] == "Seattle, United States"
    assert rover.origin == "crunchbase-api-v4" and rover.categories == ["Pet"]
    full = await source.fetch("rover")
    assert full.description == "All about rover"
    assert full.details["Funding Table"][0]["Money Raised"] == "$155M"
    assert await source.fetch("unknown") is None
    assert (await source.lookup("wag", None)).key == "wag-labs"
    assert (await source.lookup(None, "https://bark.co")).key == "barkbox"
    profile = "https://www.crunchbase.com/organization/rover"
    assert (await source.lookup(None, profile)).key == "rover"
    assert (await source.health())["circuit"] == "closed"
    await source.aclose()


@pytest.mark.asyncio
async def test_retries_on_429_and_5xx_then_succeeds():
    behaviour = UpstreamBehaviour(fail_with=[429, 503, 502], retry_after="0")
    source = crunchbase(behaviour)
    assert [r.name for r in await source.search("dog", 5)] == ["Rover", "Wag!", "BARK"]
    assert behaviour.calls == ["search"] * 4
    await source.aclose()


@pytest.mark.asyncio
async def test_gives_up_after_the_attempts_and_does_not_retry_4xx():
    behaviour = UpstreamBehaviour(fail_with=[500] * 10)
    source = crunchbase(behaviour, attempts=3)
    with pytest.raises(UpstreamHTTPError) as failure:
        await source.search("dog", 5)
    assert failure.value.status_code == 500 and len(behaviour.calls) == 3
    await source.aclose()
    bad_key = UpstreamBehaviour()
    unauthorised = crunchbase(bad_key, key="wrong")
    with pytest.raises(UpstreamHTTPError) as failure:
        await unauthorised.search("dog", 5)
    assert failure.value.status_code == 401 and bad_key.calls == ["search"]
    await unauthorised.aclose()


@pytest.mark.asyncio
async def test_circuit_opens_after_repeated_failures():
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=2, reset_seconds=30, clock=lambda: now[0])
    behaviour = UpstreamBehaviour(fail_with=[503] * 4)
    source = tracxn(behaviour, attempts=2, breaker=breaker)
    for _ in range(2):
        with pytest.raises(UpstreamHTTPError):
            await source.search("dog", 3)
    calls = len(behaviour.calls)
    with pytest.raises(CircuitOpen):
        await source.search("dog", 3)
    assert len(behaviour.calls) == calls  # refused without calling upstream
    assert (await source.health())["ok"] is False
    now[0] = 31
    assert [r.name for r in await source.search("dog", 3)] == ["Rover", "Wag!", "BARK"]
    assert breaker.state == "closed"
    await source.aclose()


@pytest.mark.asyncio
async def test_tracxn_search_fetch_and_lookup_map_api_shapes():
    behaviour = UpstreamBehaviour()
    source = tracxn(behaviour)
    found = await source.search("dog AND walk", 10)
    assert [r.name for r in found] == ["Rover", "Wag!"]
    rover = found[0]
    assert rover.key == "/a/d/company/ZA1rover/rover.com"
    assert rover.tracxn_score == 71.5 and rover.total_funding_usd == 310_000_000
    assert rover.details[0] == {"section": "company_name", "data": {"name": "Rover"}}
    assert "Pet Care" in rover.categories and rover.website == "https://rover.com"
    assert (await source.fetch(rover.key)).name == "Rover"
    assert await source.fetch("not-a-reference") is None
    assert (await source.lookup("bark", None)).name == "BARK"
    assert (await source.lookup(None, "https://www.wagwalking.com/")).name == "Wag!"
    assert (await source.lookup(None, "https://platform.tracxn.com" + rover.key)).name == "Rover"
    assert await source.lookup("Nobody", None) is None
    await source.aclose()


@pytest.mark.asyncio
async def test_tracxn_pages_through_results():
    source = tracxn(UpstreamBehaviour())
    assert len(await source.search("dog", 2)) == 2
    assert len(await source.search("dog", 50)) == 3
    await source.aclose()


@pytest.mark.asyncio
async def test_source_errors_are_source_errors():
    source = tracxn(UpstreamBehaviour(fail_with=[503] * 5), attempts=1)
    with pytest.raises(SourceError):
        await source.lookup("Rover", None)
    await source.aclose()
